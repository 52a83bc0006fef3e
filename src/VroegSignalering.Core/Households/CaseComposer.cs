using VroegSignalering.Core.Common;
using VroegSignalering.Core.Triage;

namespace VroegSignalering.Core.Households;

/// <summary>What the composer decided for one household at one moment.</summary>
public abstract record CaseDecision
{
    /// <summary>Every signal already belongs to a case.</summary>
    public sealed record Nothing : CaseDecision;

    /// <summary>Non-urgent signals arrived less than the settle time ago: wait for the rest of the batch.</summary>
    public sealed record Wait(DateTimeOffset Until) : CaseDecision;

    /// <summary>Signals join a case; <see cref="Outreach"/> is set when they warrant a new task revision.</summary>
    public sealed record Update(
        HouseholdHead Head,
        HouseholdCase Case,
        bool CaseIsNew,
        IReadOnlyList<StoredSignal> Joined,
        OutreachPlan? Outreach,
        int RepeatsWithoutTask,
        int BelowMinimumAmount) : CaseDecision;
}

/// <summary>A new task revision: the triage result, its team, and the signals it covers.</summary>
public sealed record OutreachPlan(
    string TaskId,
    int Revision,
    TriageResult Triage,
    string Team,
    IReadOnlyList<StoredSignal> Signals,
    DateTimeOffset EarliestSignalReceivedAt);

/// <summary>
/// Combines a household's new signals into its case and decides whether they warrant outreach. Pure:
/// it reads a snapshot and returns the writes; the caller commits them in one transaction.
/// Rules: signals within the window of an open case's dates join it (the nearest such case), otherwise a new case starts;
/// a case without a task gets one; afterwards a signal creates a new revision only when its creditor is
/// new to the case, its amount grew by the configured percentage, or it is urgent. Signals
/// under a gemeente's minimum amount are counted, never dropped. Crisis and imminent end-of-supply
/// signals skip the settle wait.
/// </summary>
public static class CaseComposer
{
    /// <param name="only">When set, only these signals are considered (the crisis fast path: the urgent signals a chunk just stored).</param>
    public static CaseDecision Decide(HouseholdSnapshot snapshot, GemeentePolicy policy, DateTimeOffset now, bool urgentOnly = false, IReadOnlySet<string>? only = null)
    {
        var assigned = snapshot.Cases.SelectMany(c => c.Value.SignalIds).ToHashSet(StringComparer.Ordinal);
        var unassigned = snapshot.Signals.Where(s => !assigned.Contains(s.SignalId) && (only is null || only.Contains(s.SignalId)))
            .OrderBy(s => s.Signaaldatum).ThenBy(s => s.ReceivedAt).ThenBy(s => s.SignalId, StringComparer.Ordinal)
            .ToList();
        if (unassigned.Count == 0)
        {
            return new CaseDecision.Nothing();
        }

        var today = DutchCalendar.LocalDate(now);
        var urgent = unassigned.Any(s => IsUrgent(s, today, policy));
        if (urgentOnly && !urgent)
        {
            return new CaseDecision.Nothing();
        }

        var newest = unassigned.Max(s => s.StoredAt);
        var settleUntil = newest.AddSeconds(policy.Settle);
        if (!urgent && settleUntil > now)
        {
            return new CaseDecision.Wait(settleUntil);
        }

        var open = NearestOpenCase(snapshot, unassigned[0], policy);

        var head = snapshot.Head?.Value ?? new HouseholdHead(snapshot.HouseholdKey, 0, null, now);
        HouseholdCase @case;
        var caseIsNew = open is null;
        if (open is null)
        {
            var sequence = head.CaseSequence + 1;
            var first = unassigned[0];
            @case = new HouseholdCase(
                CaseId(snapshot.HouseholdKey, sequence), sequence, CaseStatus.New, first.Area, now,
                first.Signaaldatum, first.Signaaldatum, [], 0, null, null, null, 0, 0, null, null, now);
            head = head with { CaseSequence = sequence, LatestCaseId = @case.CaseId };
        }
        else
        {
            @case = open;
        }

        // Take the signals that fall within this case's window, in date order; the rest wait for the next step.
        var joined = new List<StoredSignal>();
        var last = @case.SignalIds.Count == 0 ? unassigned[0].Signaaldatum : @case.LastSignaaldatum;
        foreach (var s in unassigned)
        {
            if (s.Signaaldatum.DayNumber - last.DayNumber > policy.Window)
            {
                break;
            }

            joined.Add(s);
            if (s.Signaaldatum > last)
            {
                last = s.Signaaldatum;
            }
        }

        var byId = snapshot.Signals.ToDictionary(s => s.SignalId, StringComparer.Ordinal);
        var before = @case.SignalIds.Select(id => byId[id]).ToList();
        var all = before.Concat(joined).ToList();
        var eligible = all.Where(s => policy.MinimumAmount is not { } min || s.Bedrag >= min).ToList();
        var belowMinimum = joined.Count(s => policy.MinimumAmount is { } min && s.Bedrag < min);

        // A repeat is a signal from a creditor the case already has a signal from (earlier in the case, or
        // earlier in this same batch). It brings new outreach only when its amount grew enough; otherwise it is
        // counted, whether it arrived after the task or with the first batch. An urgent signal always brings new
        // outreach and is never such a repeat: the crisis fast path triages the urgent signals of two chunks in
        // whichever order the chunks are processed, and a rule that compared the two by arrival would make a
        // revision in one order and none in the other.
        var wantsOutreach = false;
        var repeatsWithoutTask = 0;
        var seen = new List<StoredSignal>(before);
        foreach (var s in joined.Where(s => policy.MinimumAmount is not { } min || s.Bedrag >= min))
        {
            var earlier = seen.Where(p => p.CreditorId == s.CreditorId).ToList();
            seen.Add(s);
            var grown = earlier.Count > 0 && s.Bedrag >= earlier.Max(p => p.Bedrag) * (1 + (policy.Growth / 100m));
            var urgentSignal = IsUrgent(s, today, policy);
            if (@case.LastTaskId is null)
            {
                wantsOutreach = true;
                if (earlier.Count > 0 && !grown && !urgentSignal)
                {
                    repeatsWithoutTask++;
                }

                continue;
            }

            var material = earlier.Count == 0 || grown || urgentSignal;
            if (material)
            {
                wantsOutreach = true;
            }
            else
            {
                repeatsWithoutTask++;
            }
        }

        var updated = @case with
        {
            SignalIds = @case.SignalIds.Concat(joined.Select(s => s.SignalId)).ToList(),
            FirstSignaaldatum = all.Min(s => s.Signaaldatum),
            LastSignaaldatum = all.Max(s => s.Signaaldatum),
            RepeatsWithoutTask = @case.RepeatsWithoutTask + repeatsWithoutTask,
            BelowMinimumAmount = @case.BelowMinimumAmount + belowMinimum,
            UpdatedAt = now,
        };

        OutreachPlan? plan = null;
        if (wantsOutreach && eligible.Count > 0)
        {
            var facts = Facts(eligible);
            var triage = TriagePolicy.Evaluate(facts, today, policy, eligible.Any(s => s.PhoneKnown));
            var revision = @case.Revision + 1;
            var taskId = TaskId(updated.CaseId, revision);
            plan = new OutreachPlan(taskId, revision, triage, RouteTeam(eligible, policy), eligible,
                joined.Min(s => s.ReceivedAt));
            updated = updated.MoveTo(CaseStatus.Triaged, now) with
            {
                Revision = revision,
                Priority = triage.Priority,
                Score = triage.Score,
                LastTaskId = taskId,
                DueDate = triage.DueDate,
            };
        }

        head = head with { UpdatedAt = now };
        return new CaseDecision.Update(head, updated, caseIsNew, joined, plan, repeatsWithoutTask, belowMinimum);
    }

    /// <summary>
    /// The arrears facts of a case's signals; a repeat from the same creditor carries the highest earlier
    /// amount, so growth is visible to the policy.
    /// </summary>
    public static IReadOnlyList<ArrearsFact> Facts(IReadOnlyList<StoredSignal> signals)
    {
        var ordered = signals.OrderBy(s => s.Signaaldatum).ThenBy(s => s.ReceivedAt).ToList();
        var facts = new List<ArrearsFact>(ordered.Count);
        for (var i = 0; i < ordered.Count; i++)
        {
            var s = ordered[i];
            decimal? earlier = null;
            for (var j = 0; j < i; j++)
            {
                if (ordered[j].CreditorId == s.CreditorId)
                {
                    earlier = Math.Max(earlier ?? 0m, ordered[j].Bedrag);
                }
            }

            facts.Add(new ArrearsFact(s.CreditorId, s.PartnerType, s.Bedrag, s.Ontstaansdatum, s.Signaaldatum,
                s.Crisissignaal, s.WarmeOverdracht, s.Eindeleveringsdatum, earlier));
        }

        return facts;
    }

    /// <summary>Crisis, or a cut-off inside the legal lead time: no waiting, triaged at once.</summary>
    public static bool IsUrgent(StoredSignal s, DateOnly today, GemeentePolicy policy) =>
        s.Crisissignaal
        || (s.Eindeleveringsdatum is { } end && end <= DutchCalendar.AddWorkingDays(today, policy.EndOfSupplyLead));

    /// <summary>Age routes to a target-group team, neighbourhood to a wijk team; neither touches the score.</summary>
    public static string RouteTeam(IReadOnlyList<StoredSignal> signals, GemeentePolicy policy)
    {
        if (policy.YouthRoute is { } youth && signals.Any(s => s.AgeYears >= youth.MinAge && s.AgeYears <= youth.MaxAge))
        {
            return youth.Team;
        }

        var wijk = signals[0].Area.Wijkcode;
        return policy.TeamsByWijk.TryGetValue(wijk, out var team) ? team : policy.Team;
    }

    public static string CaseId(string householdKey, int sequence) =>
        $"c-{householdKey[..Math.Min(20, householdKey.Length)]}-{sequence}";

    /// <summary>Deterministic: case + revision, so two workers can never create two tasks for one revision.</summary>
    public static string TaskId(string caseId, int revision) => $"t-{caseId[2..]}-r{revision}";

    // The open case the signal falls within the window of, the nearest in date when there are several. Ties go to the
    // case that starts first. Chosen by dates only, never by case number: the urgent signals of two chunks can open
    // their cases in either order, and the signals that follow must join the same case whichever came first.
    private static HouseholdCase? NearestOpenCase(HouseholdSnapshot snapshot, StoredSignal first, GemeentePolicy policy) =>
        snapshot.Cases.Select(c => c.Value)
            .Where(c => c.Status != CaseStatus.Closed && Joins(c, first, policy))
            .OrderBy(c => DaysOutside(c, first))
            .ThenBy(c => c.FirstSignaaldatum)
            .ThenBy(c => c.LastSignaaldatum)
            .ThenBy(c => c.Sequence)
            .FirstOrDefault();

    // 0 inside the case's dates, otherwise the days to the nearer end.
    private static int DaysOutside(HouseholdCase open, StoredSignal s) =>
        Math.Max(0, Math.Max(open.FirstSignaaldatum.DayNumber - s.Signaaldatum.DayNumber, s.Signaaldatum.DayNumber - open.LastSignaaldatum.DayNumber));

    // Within the window on either side of the case's dates: an older signal that arrives late joins the
    // case it would have joined on time, so the grouping does not depend on the order of arrival.
    private static bool Joins(HouseholdCase open, StoredSignal first, GemeentePolicy policy) =>
        first.Signaaldatum.DayNumber - open.LastSignaaldatum.DayNumber <= policy.Window
        && open.FirstSignaaldatum.DayNumber - first.Signaaldatum.DayNumber <= policy.Window;
}
