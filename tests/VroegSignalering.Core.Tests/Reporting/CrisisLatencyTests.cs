using VroegSignalering.Core.Households;
using VroegSignalering.Core.Protection;
using VroegSignalering.Core.Reporting;
using VroegSignalering.Core.Tests.Households;
using VroegSignalering.Core.Triage;

namespace VroegSignalering.Core.Tests.Reporting;

/// <summary>Crisis signal → task: from a crisis signal's receipt to the dispatch of the first dispatched task that carries it.</summary>
public sealed class CrisisLatencyTests
{
    private static readonly DateTimeOffset T0 = HouseholdData.Now;

    [Fact]
    public void The_first_dispatched_task_carrying_a_crisis_signal_gives_its_latency_and_later_revisions_or_unsent_tasks_do_not()
    {
        var crisis = HouseholdData.Signal("s-crisis", crisis: true, receivedAt: T0);
        var second = HouseholdData.Signal("s-second", crisis: true, receivedAt: T0);
        var plain = HouseholdData.Signal("s-plain", receivedAt: T0);
        var observation = Observation(
            [crisis, second, plain],
            [
                // Listed first but dispatched later: the revision that carried the crisis signal again.
                Task("t-2", ["s-crisis", "s-second"], Dispatched(30)),
                Task("t-1", ["s-crisis", "s-plain"], Dispatched(12)),
                Task("t-0", ["s-second"], Pending()),
                Task("t-3", ["s-second"], Dispatched(40)),
            ]);

        var figures = RunReportBuilder.CrisisLatency(observation);

        Assert.Equal((2, 2, 0), (figures.Signals, figures.Samples, figures.WithoutDispatchedTask));
        Assert.Equal(12, figures.P50);
        Assert.Equal(30, figures.P99);
        Assert.Equal(30, figures.Max);
    }

    [Fact]
    public void A_crisis_signal_without_a_dispatched_task_is_counted_as_such_and_not_in_the_percentiles()
    {
        var sent = HouseholdData.Signal("s-sent", crisis: true, receivedAt: T0);
        var waiting = HouseholdData.Signal("s-waiting", crisis: true, receivedAt: T0);
        var untasked = HouseholdData.Signal("s-untasked", crisis: true, receivedAt: T0);
        var observation = Observation([sent, waiting, untasked], [Task("t-1", ["s-sent"], Dispatched(8)), Task("t-2", ["s-waiting"], Pending())]);

        var figures = RunReportBuilder.CrisisLatency(observation);

        Assert.Equal((3, 1, 2), (figures.Signals, figures.Samples, figures.WithoutDispatchedTask));
        Assert.Equal(8, figures.P99);
        Assert.Equal(figures, RunReportBuilder.Build(observation, T0).CrisisLatency);
    }

    [Fact]
    public void A_signal_with_only_an_end_of_supply_date_is_not_a_crisis_signal()
    {
        var crisis = HouseholdData.Signal("s-crisis", crisis: true, receivedAt: T0);
        var endOfSupply = HouseholdData.Signal("s-eind", eindelevering: HouseholdData.Today.AddDays(60), receivedAt: T0);
        var observation = Observation([crisis, endOfSupply], [Task("t-1", ["s-crisis"], Dispatched(5)), Task("t-2", ["s-eind"], Dispatched(90))]);

        var figures = RunReportBuilder.CrisisLatency(observation);

        Assert.Equal((1, 1, 0), (figures.Signals, figures.Samples, figures.WithoutDispatchedTask));
        Assert.Equal(5, figures.Max);
    }

    private static (OutboxStatus Status, DateTimeOffset? At) Dispatched(int seconds) => (OutboxStatus.Dispatched, T0.AddSeconds(seconds));

    private static (OutboxStatus Status, DateTimeOffset? At) Pending() => (OutboxStatus.Pending, null);

    private static (OutreachTask Task, OutboxEntry Outbox) Task(string id, string[] signals, (OutboxStatus Status, DateTimeOffset? At) outbox) =>
        (new OutreachTask(id, "c-1", 1, HouseholdData.Centrum, "team", Priority.Hoog, 10, [], ContactChannel.Telefoon, HouseholdData.Today, "v1", T0, T0, signals),
         new OutboxEntry(id, "c-1", "0363", outbox.Status, T0, outbox.At, 1, null, null, T0, new ProtectedPayload("k", [1])));

    private static RunObservation Observation(IReadOnlyList<StoredSignal> signals, IReadOnlyList<(OutreachTask Task, OutboxEntry Outbox)> tasks) =>
        new([], [], signals.Count, [], signals, tasks.Select(t => t.Task).ToList(), tasks.Select(t => t.Outbox).ToList(),
            new Dictionary<string, int>(), new Dictionary<string, int>(), 0);
}
