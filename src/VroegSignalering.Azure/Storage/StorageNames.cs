using Microsoft.Extensions.Configuration;

namespace VroegSignalering.Azure.Storage;

/// <summary>
/// Names of the app's tables and queues. Queue names are app settings because the queue triggers name
/// them as <c>%SignalsIntakeQueue%</c> and <c>%DispatchQueue%</c>; <c>Storage:TablePrefix</c> lets several
/// deployments (or test runs) share one account.
/// </summary>
public sealed class StorageNames
{
    public const string SignalsIntakeQueueSetting = "SignalsIntakeQueue";
    public const string DispatchQueueSetting = "DispatchQueue";

    public required string TablePrefix { get; init; }

    public required string SignalsIntakeQueue { get; init; }

    public required string DispatchQueue { get; init; }

    /// <summary>
    /// Household partitions are spread over 256 tables by the first two hex digits of the household key.
    /// Table Storage scales per partition either way; Azurite evaluates every query by scanning its whole
    /// table, so small tables keep triage's partition reads fast on one machine.
    /// </summary>
    public string Households(string householdKey) => TablePrefix + "households" + HouseholdShard(householdKey);

    public IEnumerable<string> AllHouseholdTables =>
        Enumerable.Range(0, 256).Select(i => TablePrefix + "households" + i.ToString("x2", System.Globalization.CultureInfo.InvariantCulture));

    private static string HouseholdShard(string householdKey) =>
        householdKey.Length >= 2 && char.IsAsciiHexDigit(householdKey[0]) && char.IsAsciiHexDigit(householdKey[1])
            ? householdKey[..2].ToLowerInvariant()
            : "00";

    public string SignalReferences => TablePrefix + "signalrefs";

    public string Receipts => TablePrefix + "receipts";

    public string ReceiptChunks => TablePrefix + "receiptchunks";

    public string Quarantine => TablePrefix + "quarantine";

    /// <summary>Who assigned a gemeente to a quarantined signal by hand, when and why (no personal data).</summary>
    public string QuarantineAudit => TablePrefix + "quarantineaudit";

    public string Changes => TablePrefix + "changes";

    public string OutboxIndex => TablePrefix + "outboxindex";

    public string Creditors => TablePrefix + "creditors";

    /// <summary>Creditor feedback (help accepted), a partition per creditor (FeedbackTableStore).</summary>
    public string Feedback => TablePrefix + "feedback";

    /// <summary>What purged records counted, for reports and DDAS counts (RetainedAggregateTable; no personal data).</summary>
    public string Retained => TablePrefix + "retained";

    /// <summary>Local stand-in for the Service Bus topic: a partition per gemeente (LocalTopicTransport).</summary>
    public string OutreachTopic => TablePrefix + "outreachtopic";

    public IEnumerable<string> AllTables => [.. AllHouseholdTables, SignalReferences, Receipts, ReceiptChunks, Quarantine, QuarantineAudit, Changes, OutboxIndex, Creditors, OutreachTopic, Feedback, Retained];

    public static StorageNames FromConfiguration(IConfiguration configuration)
    {
        var prefix = configuration["Storage:TablePrefix"] ?? string.Empty;
        if (prefix.Length > 0 && (!char.IsAsciiLetter(prefix[0]) || !prefix.All(char.IsAsciiLetterOrDigit) || prefix.Length > 40))
        {
            throw new InvalidOperationException("Storage:TablePrefix must start with a letter and hold only letters and digits (at most 40)");
        }

        return new StorageNames
        {
            TablePrefix = prefix,
            SignalsIntakeQueue = configuration[SignalsIntakeQueueSetting] ?? "signals-intake",
            DispatchQueue = configuration[DispatchQueueSetting] ?? "dispatch",
        };
    }
}
