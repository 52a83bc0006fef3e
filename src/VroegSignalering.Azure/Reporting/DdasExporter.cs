using VroegSignalering.Core.Households;
using VroegSignalering.Core.Intake;
using VroegSignalering.Core.Reporting;

namespace VroegSignalering.Azure.Reporting;

/// <summary>
/// One gemeente's DDAS delivery read from storage: the `vroeg ddas export` command (local development
/// storage) and the operator endpoint (in Azure, under the app's identity and keys) both call this, so the
/// two give the same file for the same data.
/// </summary>
public sealed class DdasExporter(RunObserver observer)
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
}
