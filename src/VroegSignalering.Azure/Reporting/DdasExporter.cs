using VroegSignalering.Core.Households;
using VroegSignalering.Core.Intake;
using VroegSignalering.Core.Reporting;
using VroegSignalering.Core.Retention;

namespace VroegSignalering.Azure.Reporting;

/// <summary>
/// One gemeente's DDAS delivery read from storage: the `vroeg ddas export` command (local development
/// storage) and the operator endpoint (in Azure, under the app's identity and keys) both call this, so the
/// two give the same file for the same data.
/// </summary>
public sealed class DdasExporter(RunObserver observer, VroegSignalering.Azure.Tables.OutcomeTableStore outcomes)
{
    /// <summary>
    /// Builds the delivery; <paramref name="readPersonal"/> decrypts a signal's personal data into its client
    /// object, or null leaves every client object empty (no personal data).
    /// </summary>
    public async Task<DdasExportResult> ExportAsync(DdasExportRequest request, Func<StoredSignal, ClientDetails>? readPersonal, CancellationToken cancellationToken)
    {
        var source = await observer.ReadHouseholdsAsync(cancellationToken);
        if (readPersonal is null)
        {
            return DdasExport.Build(request, source, null);
        }

        var signalsById = source.Signals.GroupBy(s => s.SignalId, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        return DdasExport.Build(request, source, id => readPersonal(signalsById[id]));
    }

    /// <summary>
    /// The period's DDAS counts (<see cref="DdasPeriodCounts"/>): the file's records still stored plus what purged records
    /// counted, so a purge leaves a closed period's counts as they were. No personal data is read.
    /// </summary>
    public async Task<DdasPeriodCounts> CountAsync(DdasExportRequest request, CancellationToken cancellationToken)
    {
        var source = await observer.ReadHouseholdsAsync(cancellationToken);
        var cases = source.Cases.Where(c => c.Area.Gemeentecode == request.Gemeentecode).Select(c => c.CaseId).ToHashSet(StringComparer.Ordinal);
        var attempts = new List<VroegSignalering.Core.Outcomes.ContactAttempt>();
        await foreach (var (_, attempt) in outcomes.ScanAttemptsAsync(cancellationToken))
        {
            if (cases.Contains(attempt.CaseId))
            {
                attempts.Add(attempt);
            }
        }

        var live = DdasPeriodCounts.Of(DdasExport.Build(request, source, null), attempts);
        return (await observer.ReadRetainedAsync(cancellationToken)).AddTo(live);
    }
}
