namespace VroegSignalering.Core.Outreach;

public enum TransportKind
{
    /// <summary>The Azure Service Bus topic, through Azure.Messaging.ServiceBus.</summary>
    ServiceBus,

    /// <summary>The local stand-in (local runs and tests): an emulated topic in one table, a partition per gemeente, same envelope.</summary>
    Local,

    /// <summary>
    /// The old name of <see cref="Local"/>, from when the stand-in was a storage queue per gemeente. Kept only so
    /// that the setting binds and options validation can refuse it naming the new value, instead of a bare
    /// conversion error or, worse, a value silently ignored.
    /// </summary>
    [Obsolete("Renamed: Dispatch:Transport=Local")]
    StorageQueue,
}

/// <summary>Dispatch settings (section <c>Dispatch</c>).</summary>
public sealed class OutreachOptions
{
    public const string Section = "Dispatch";

    public TransportKind Transport { get; set; } = TransportKind.Local;

    /// <summary>
    /// How long a task message lives on the broker before it expires and is dead-lettered (an alert):
    /// 14 days, the common local norm for a first contact attempt, and the topic's default in infra/.
    /// </summary>
    public TimeSpan TimeToLive { get; set; } = TimeSpan.FromDays(14);

    /// <summary>The sweeper sends outbox rows the happy path has not sent after this long.</summary>
    public TimeSpan SweepAfter { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// A dispatcher claims an outbox row (ETag-guarded) before sending it; other dispatchers leave a row
    /// claimed this recently alone. After a crash the claim lapses and the sweeper sends the row.
    /// </summary>
    public TimeSpan ClaimLease { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Most outbox rows one sweep sends.</summary>
    public int SweepBatch { get; set; } = 500;
}
