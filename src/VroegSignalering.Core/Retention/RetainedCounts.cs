using System.Globalization;
using VroegSignalering.Core.Common;
using VroegSignalering.Core.Households;
using VroegSignalering.Core.Outcomes;
using VroegSignalering.Core.Reporting;

namespace VroegSignalering.Core.Retention;

/// <summary>
/// What purged records contributed to the run report and the DDAS counts, as named counters. Every key is built
/// here from codes, enumerations and dates only (status, gemeentecode, priority, team, partner type, DDAS resultaat,
/// contact kind, a day): never an id, a household key, a reference, an amount or anything of a person.
/// <see cref="KeyIsNonPersonal"/> states that shape, and tests hold every key to it.
/// </summary>
public sealed class RetainedCounts
{
    private readonly SortedDictionary<string, long> _counts;

    public RetainedCounts() => _counts = new(StringComparer.Ordinal);

    public RetainedCounts(IEnumerable<KeyValuePair<string, long>> counts)
        : this()
    {
        foreach (var (key, value) in counts)
        {
            Add(key, value);
        }
    }

    public IReadOnlyDictionary<string, long> Counts => _counts;

    public bool IsEmpty => _counts.Count == 0;

    public long this[string key] => _counts.GetValueOrDefault(key);

    public void Add(string key, long value = 1)
    {
        if (value != 0)
        {
            _counts[key] = _counts.GetValueOrDefault(key) + value;
        }
    }

    public void Add(RetainedCounts other)
    {
        foreach (var (key, value) in other._counts)
        {
            Add(key, value);
        }
    }

    // The shape of every key: fields separated by '|', each a word, a code or a day, at most 64 characters, no '@'.
    public static bool KeyIsNonPersonal(string key) =>
        key.Length <= 200 && key.Split('|').All(part => part.Length <= 64 && !part.Contains('@', StringComparison.Ordinal)
            && part.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or ' ' or '(' or ')' or '/' or ',' or ':' or '.'));

    /// <summary>
    /// A purged case with its signals, tasks, outbox rows, remaining contact attempts and outcome. The outcome adds the
    /// funnel counters <c>funnel|gemeente|attempted|reached|helpaccepted</c> (for the run report's funnel, which reads them
    /// together with the outcome rows still stored).
    /// </summary>
    public void AddCase(HouseholdCase c, IReadOnlyList<StoredSignal> signals, IReadOnlyList<OutreachTask> tasks, IReadOnlyList<OutboxEntry> outbox, IReadOnlyList<ContactAttempt> attempts, CaseOutcome? outcome = null)
    {
        var g = c.Area.Gemeentecode;
        Add("cases");
        Add("cases|status|" + c.Status);
        Add("cases|gemeente|" + g);
        if (c.SignalIds.Select(id => signals.FirstOrDefault(s => s.SignalId == id)?.CreditorId ?? id).Distinct(StringComparer.Ordinal).Count() > 1)
        {
            Add("cases|multi");
        }

        Add("cases|repeats", c.RepeatsWithoutTask);
        Add("cases|below", c.BelowMinimumAmount);

        // DDAS: a case counts in every period it runs through; it is delivered only when it has signals.
        if (signals.Count > 0)
        {
            var opened = Day(DutchCalendar.LocalDate(c.OpenedAt));
            var closed = c.ClosedAt is { } at ? Day(DutchCalendar.LocalDate(at)) : "open";
            Add($"ddas|case|{g}|{opened}|{closed}|{(c.Status == CaseStatus.Closed ? DdasValues.EindresultaatOrNull(c.Resultaat) ?? "none" : "none")}");
        }

        foreach (var s in signals)
        {
            AddSignal(s);
        }

        foreach (var t in tasks)
        {
            Add("tasks");
            Add("tasks|priority|" + t.Priority);
            Add($"tasks|gemeente|{t.Area.Gemeentecode}|{t.Priority}");
            Add("tasks|team|" + t.Team);
            if (t.Revision > 1)
            {
                Add("tasks|revisions");
            }
        }

        foreach (var o in outbox)
        {
            Add("outbox|" + o.Status);
        }

        AddAttempts(g, attempts);
        if (outbox.Any(o => o.Status == OutboxStatus.Dispatched))
        {
            Add($"funnel|{g}|tasks");
        }

        if (c.Status == CaseStatus.Closed && c.Resultaat is { } resultaat)
        {
            Add("resultaat|" + resultaat);
        }

        if (outcome is not null)
        {
            Add($"funnel|{g}|cases");
            Add($"funnel|{g}|attempted", outcome.Attempts > 0 ? 1 : 0);
            Add($"funnel|{g}|reached", outcome.ReachedAt is not null ? 1 : 0);
            Add($"funnel|{g}|helpaccepted", outcome.HelpAccepted == true ? 1 : 0);
            Add($"funnel|{g}|helpdeclined", outcome.HelpAccepted == false ? 1 : 0);
        }

        // Reach by channel as the report groups it: letters only, then each soort the case's attempts used.
        var soorten = attempts.Select(a => a.Soort).ToHashSet(StringComparer.Ordinal);
        var reached = outcome?.ReachedAt is not null ? 1 : 0;
        foreach (var channel in OutcomeFigures.ChannelsOf(soorten))
        {
            Add($"reach|{channel}|cases");
            Add($"reach|{channel}|reached", reached);
        }
    }

    /// <summary>A purged signal (of a case, or one that never became a case).</summary>
    public void AddSignal(StoredSignal s)
    {
        Add("signals");
        Add($"ddas|signal|{s.Area.Gemeentecode}|{Day(s.Signaaldatum)}|{s.PartnerType.ToDdas()}");
    }

    public void AddAttempts(string gemeentecode, IEnumerable<ContactAttempt> attempts)
    {
        foreach (var a in attempts)
        {
            Add($"ddas|attempt|{gemeentecode}|{Day(a.Datum)}|{a.Soort}|{(a.Bereikt ? "bereikt" : "niet")}");
        }
    }

    public void AddQuarantined(QuarantinedSignal q) => Add("quarantine|" + q.ReasonCode);

    /// <summary>A purged feedback item sent to <paramref name="creditorId"/> (an organisation, not a person).</summary>
    public void AddFeedback(string creditorId)
    {
        Add("feedback");
        Add("feedback|creditor|" + creditorId);
    }

    private static string Day(DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>The report with the purged records' counts added to what storage still holds.</summary>
    public RunReport AddTo(RunReport report)
    {
        if (IsEmpty)
        {
            return report;
        }

        var cases = report.Cases with
        {
            Total = report.Cases.Total + (int)this["cases"],
            ByStatus = Merge(report.Cases.ByStatus, "cases|status|"),
            ByGemeente = Merge(report.Cases.ByGemeente, "cases|gemeente|"),
            WithMultipleCreditors = report.Cases.WithMultipleCreditors + (int)this["cases|multi"],
            RepeatSignalsWithoutNewTask = report.Cases.RepeatSignalsWithoutNewTask + (int)this["cases|repeats"],
            SignalsBelowMinimumAmount = report.Cases.SignalsBelowMinimumAmount + (int)this["cases|below"],
        };
        var byGemeenteAndPriority = report.Tasks.ByGemeenteAndPriority.ToDictionary(
            kv => kv.Key, kv => kv.Value.ToDictionary(x => x.Key, x => x.Value, StringComparer.Ordinal), StringComparer.Ordinal);
        var byGemeente = report.Tasks.ByGemeente.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
        foreach (var (key, value) in _counts.Where(kv => kv.Key.StartsWith("tasks|gemeente|", StringComparison.Ordinal)))
        {
            var parts = key.Split('|');
            var inner = byGemeenteAndPriority.TryGetValue(parts[2], out var found) ? found : byGemeenteAndPriority[parts[2]] = new(StringComparer.Ordinal);
            inner[parts[3]] = inner.GetValueOrDefault(parts[3]) + (int)value;
            byGemeente[parts[2]] = byGemeente.GetValueOrDefault(parts[2]) + (int)value;
        }

        var tasks = report.Tasks with
        {
            Total = report.Tasks.Total + (int)this["tasks"],
            ByPriority = Merge(report.Tasks.ByPriority, "tasks|priority|"),
            ByGemeente = Sorted(byGemeente),
            ByGemeenteAndPriority = byGemeenteAndPriority.OrderBy(kv => kv.Key, StringComparer.Ordinal)
                .ToDictionary(kv => kv.Key, kv => (IReadOnlyDictionary<string, int>)Sorted(kv.Value), StringComparer.Ordinal),
            ByTeam = Merge(report.Tasks.ByTeam, "tasks|team|"),
            Revisions = report.Tasks.Revisions + (int)this["tasks|revisions"],
            Dispatched = report.Tasks.Dispatched + (int)this["outbox|" + OutboxStatus.Dispatched],
            Pending = report.Tasks.Pending + (int)this["outbox|" + OutboxStatus.Pending],
            Failed = report.Tasks.Failed + (int)this["outbox|" + OutboxStatus.Failed],
        };
        var quarantined = _counts.Where(kv => kv.Key.StartsWith("quarantine|", StringComparison.Ordinal)).Sum(kv => kv.Value);
        var quarantine = report.Quarantine with
        {
            Total = report.Quarantine.Total + (int)quarantined,
            ByReason = Merge(report.Quarantine.ByReason, "quarantine|"),
        };
        return report with { SignalsStored = report.SignalsStored + (int)this["signals"], Cases = cases, Tasks = tasks, Quarantine = quarantine, Outcomes = AddTo(report.Outcomes) };
    }

    /// <summary>The funnel, reach by channel, decisions and feedback with the purged cases' and items' share added.</summary>
    private OutcomeFigures AddTo(OutcomeFigures outcomes)
    {
        var byGemeente = outcomes.ByGemeente.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
        var gemeenten = _counts.Keys.Select(k => k.Split('|'))
            .Where(p => (p[0] == "funnel" && p.Length == 3) || (p[0] == "ddas" && p[1] == "signal") || (p[0] == "cases" && p.Length == 3 && p[1] == "gemeente"))
            .Select(p => p[0] == "funnel" ? p[1] : p[2]);
        foreach (var g in gemeenten.Distinct(StringComparer.Ordinal))
        {
            var live = byGemeente.GetValueOrDefault(g) ?? FunnelRow.Zero;
            var signals = _counts.Where(kv => kv.Key.StartsWith($"ddas|signal|{g}|", StringComparison.Ordinal)).Sum(kv => kv.Value);
            byGemeente[g] = new FunnelRow(
                live.Signals + (int)signals,
                live.Cases + (int)this["cases|gemeente|" + g],
                live.Tasks + (int)this[$"funnel|{g}|tasks"],
                live.Attempted + (int)this[$"funnel|{g}|attempted"],
                live.Reached + (int)this[$"funnel|{g}|reached"],
                live.HelpAccepted + (int)this[$"funnel|{g}|helpaccepted"]);
        }

        var channels = outcomes.ReachByChannel.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
        foreach (var (key, value) in _counts.Where(kv => kv.Key.StartsWith("reach|", StringComparison.Ordinal)))
        {
            var p = key.Split('|');
            var live = channels.GetValueOrDefault(p[1]) ?? new ChannelReach(0, 0);
            channels[p[1]] = p[2] == "cases" ? live with { Cases = live.Cases + (int)value } : live with { Reached = live.Reached + (int)value };
        }

        var declined = _counts.Where(kv => kv.Key.StartsWith("funnel|", StringComparison.Ordinal) && kv.Key.EndsWith("|helpdeclined", StringComparison.Ordinal)).Sum(kv => kv.Value);
        var attempts = _counts.Where(kv => kv.Key.StartsWith("ddas|attempt|", StringComparison.Ordinal)).Sum(kv => kv.Value);
        return outcomes with
        {
            Total = FunnelRow.Sum(byGemeente.Values),
            ByGemeente = byGemeente.OrderBy(kv => kv.Key, StringComparer.Ordinal).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal),
            ReachByChannel = OutcomeFigures.InChannelOrder(channels),
            ContactAttempts = outcomes.ContactAttempts + (int)attempts,
            HelpDeclined = outcomes.HelpDeclined + (int)declined,
            ClosedByResultaat = Merge(outcomes.ClosedByResultaat, "resultaat|"),
            FeedbackSent = outcomes.FeedbackSent + (int)this["feedback"],
            FeedbackSentByCreditor = Merge(outcomes.FeedbackSentByCreditor, "feedback|creditor|"),
        };
    }

    /// <summary>The DDAS counts of a period with the purged records' share added (see <see cref="DdasPeriodCounts"/>).</summary>
    public DdasPeriodCounts AddTo(DdasPeriodCounts counts)
    {
        var (g, start, end) = (counts.Gemeentecode, counts.Start, counts.End);
        var signals = counts.VroegsignalenByPartner.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
        var resultaten = counts.VroegsignaalzakenByResultaat.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
        var (zaken, pogingen, bereikt) = (counts.Vroegsignaalzaken, counts.Contactpogingen, counts.ContactpogingenBereikt);
        foreach (var (key, value) in _counts)
        {
            var p = key.Split('|');
            if (p.Length < 4 || p[0] != "ddas" || p[2] != g)
            {
                continue;
            }

            switch (p[1])
            {
                case "signal" when In(p[3], start, end):
                    signals[p[4]] = signals.GetValueOrDefault(p[4]) + (int)value;
                    break;
                case "case" when ParseDay(p[3]) <= end && (p[4] == "open" || ParseDay(p[4]) >= start):
                    zaken += (int)value;
                    if (p[5] != "none" && p[4] != "open" && ParseDay(p[4]) <= end)
                    {
                        resultaten[p[5]] = resultaten.GetValueOrDefault(p[5]) + (int)value;
                    }

                    break;
                case "attempt" when In(p[3], start, end):
                    pogingen += (int)value;
                    bereikt += p[5] == "bereikt" ? (int)value : 0;
                    break;
            }
        }

        return counts with
        {
            Vroegsignalen = signals.Values.Sum(),
            VroegsignalenByPartner = Sorted(signals),
            Vroegsignaalzaken = zaken,
            VroegsignaalzakenByResultaat = Sorted(resultaten),
            Contactpogingen = pogingen,
            ContactpogingenBereikt = bereikt,
        };
    }

    private static bool In(string day, DateOnly start, DateOnly end) => ParseDay(day) is var d && d >= start && d <= end;

    private static DateOnly ParseDay(string day) => DateOnly.ParseExact(day, "yyyy-MM-dd", CultureInfo.InvariantCulture);

    private IReadOnlyDictionary<string, int> Merge(IReadOnlyDictionary<string, int> live, string prefix)
    {
        var merged = live.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
        foreach (var (key, value) in _counts.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal)))
        {
            var name = key[prefix.Length..];
            merged[name] = merged.GetValueOrDefault(name) + (int)value;
        }

        return Sorted(merged);
    }

    private static IReadOnlyDictionary<string, int> Sorted(Dictionary<string, int> d) =>
        d.OrderBy(kv => kv.Key, StringComparer.Ordinal).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
}

/// <summary>
/// The counts of one gemeente's DDAS delivery for a period, which a purge must not change: the period's signals
/// (signaaldatum in the period) per signaalpartner type, the cases delivered (open at some moment in the period) and
/// their resultaat (closed by its end), and the contact attempts dated in the period. The file itself loses the purged
/// records, as it must; these counts are what CBS statistics and the run report are built from.
/// </summary>
public sealed record DdasPeriodCounts(
    string Gemeentecode,
    DateOnly Start,
    DateOnly End,
    int Vroegsignalen,
    IReadOnlyDictionary<string, int> VroegsignalenByPartner,
    int Vroegsignaalzaken,
    IReadOnlyDictionary<string, int> VroegsignaalzakenByResultaat,
    int Contactpogingen,
    int ContactpogingenBereikt)
{
    /// <summary>
    /// The counts of an export; <paramref name="attempts"/> are the gemeente's stored contact attempts (the export's
    /// contactpogingen are counted from storage, so the count does not depend on which cases the file delivers).
    /// </summary>
    public static DdasPeriodCounts Of(DdasExportResult export, IEnumerable<ContactAttempt> attempts)
    {
        ArgumentNullException.ThrowIfNull(export);
        ArgumentNullException.ThrowIfNull(attempts);
        var m = export.Uitwisselmodel;
        var (start, end) = (m.StartdatumLevering, m.EinddatumLevering);
        var levering = m.Leveringen.Single();
        var signals = levering.Vroegsignalen.Where(s => s.Signaaldatum >= start && s.Signaaldatum <= end).ToList();
        var inPeriod = attempts.Where(a => a.Datum >= start && a.Datum <= end).ToList();
        return new DdasPeriodCounts(
            levering.Gemeentecode,
            start,
            end,
            signals.Count,
            Count(signals.Select(s => s.Signaalpartner.Type)),
            levering.Vroegsignaalzaken.Count,
            Count(levering.Vroegsignaalzaken.Where(z => z.Resultaat is not null).Select(z => z.Resultaat!)),
            inPeriod.Count,
            inPeriod.Count(a => a.Bereikt));
    }

    private static IReadOnlyDictionary<string, int> Count(IEnumerable<string> values) =>
        values.GroupBy(v => v, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);

    /// <summary>Comparable text (records compare dictionaries by reference).</summary>
    public string Describe() =>
        $"{Gemeentecode} {Start:yyyy-MM-dd}..{End:yyyy-MM-dd}: vroegsignalen {Vroegsignalen} ({string.Join(", ", VroegsignalenByPartner.Select(kv => kv.Key + " " + kv.Value))}); " +
        $"zaken {Vroegsignaalzaken} ({string.Join(", ", VroegsignaalzakenByResultaat.Select(kv => kv.Key + " " + kv.Value))}); contactpogingen {Contactpogingen} (bereikt {ContactpogingenBereikt})";
}
