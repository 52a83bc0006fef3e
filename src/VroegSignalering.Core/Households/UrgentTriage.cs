using Microsoft.Extensions.Options;
using VroegSignalering.Core.Common;
using VroegSignalering.Core.Triage;

namespace VroegSignalering.Core.Households;

/// <summary>
/// The crisis fast path (Triage:FastPath): a household that just received a crisis signal or an end of
/// supply is triaged at once, on its urgent signals only, instead of at the next TriageCases run; its
/// other signals wait for that run as usual. The tasks it commits are announced to the dispatcher
/// straight away (pointers first). Triage is idempotent per case revision, so a replayed chunk adds nothing.
/// </summary>
public sealed class UrgentTriage(HouseholdTriage triage, IOutboxIndex index, IDispatchQueue dispatch, IOptionsMonitor<TriageOptions> options)
{
    /// <summary>Triages the urgent signals a chunk just stored, per household; returns how many tasks it committed (0 when the fast path is off).</summary>
    public async Task<int> RunAsync(IReadOnlyList<UrgentSignals> households, CancellationToken cancellationToken)
    {
        if (!options.CurrentValue.FastPath || households.Count == 0)
        {
            return 0;
        }

        using var stage = WorkStage.Enter(WorkStage.Triage);
        var committed = new List<OutboxPointer>();
        foreach (var household in households)
        {
            var only = household.SignalIds.ToHashSet(StringComparer.Ordinal);
            committed.AddRange((await triage.TriageAsync(household.HouseholdKey, only, cancellationToken)).Committed);
        }

        if (committed.Count > 0)
        {
            // Pointed at before they are announced; the households' change marks stay for TriageCases, which
            // points at any row still pending should this stop in between.
            await index.AddManyAsync(committed, OutboxIndexState.Pending, cancellationToken);
            await dispatch.EnqueueAsync(committed, cancellationToken);
        }

        return committed.Count;
    }
}
