using System.Globalization;
using VroegSignalering.Core.Common;

namespace VroegSignalering.Core.Triage;

/// <summary>
/// Triage policy v1: ranks the need for help from arrears facts only (partner types, amounts, duration,
/// number of creditors, growth, crisis and end-of-supply flags, warm handover) and explains every point
/// it gives. Pure: the same facts, date and weights always give the same result. docs/triage.md documents
/// every rule in Dutch for a municipality's Algoritmeregister entry.
/// </summary>
public static class TriagePolicy
{
    public const string Version = "triage-v1";

    /// <summary>The default points per reason code. A gemeente may override any of them.</summary>
    public static readonly IReadOnlyDictionary<string, int> DefaultWeights = new Dictionary<string, int>(StringComparer.Ordinal)
    {
        [Codes.Crisis] = 50,
        [Codes.AfsluitingDreigt] = 40,
        [Codes.EindeleveringGepland] = 20,
        [Codes.Stapeling(2)] = 20,
        [Codes.Stapeling(3)] = 35,
        [Codes.StapelingMax] = 45,
        [Codes.Woonlasten] = 10,
        [Codes.Nutsvoorziening] = 5,
        [Codes.Zorgverzekering] = 3,
        [Codes.Bedrag5000] = 20,
        [Codes.Bedrag2000] = 12,
        [Codes.Bedrag500] = 5,
        [Codes.Duur90] = 15,
        [Codes.Duur60] = 8,
        [Codes.Groei] = 10,
        [Codes.WarmeOverdracht] = 10,
    };

    /// <summary>Score at or above which a case is Hoog; at or above <see cref="NormaalFrom"/> it is Normaal.</summary>
    public const int HoogFrom = 50;

    public const int NormaalFrom = 25;

    /// <summary>From this many distinct creditors a case is at least Hoog.</summary>
    public const int StapelingHoogFrom = 3;

    public static TriageResult Evaluate(IReadOnlyList<ArrearsFact> facts, DateOnly today, GemeentePolicy policy, bool phoneKnown)
    {
        if (facts.Count == 0)
        {
            throw new ArgumentException("triage needs at least one arrears fact", nameof(facts));
        }

        int W(string code) => policy.Weights.TryGetValue(code, out var w) ? w
            : DefaultWeights.TryGetValue(code, out var d) ? d : 0;

        var reasons = new List<TriageReason>();
        void Add(string code, string text, string? weightCode = null) => reasons.Add(new TriageReason(code, text, W(weightCode ?? code)));

        var spoed = false;
        if (facts.Any(f => f.Crisissignaal))
        {
            Add(Codes.Crisis, "Crisissignaal van de schuldeiser (bijvoorbeeld dreigende huisuitzetting of afsluiting)");
            spoed = true;
        }

        var leadLimit = DutchCalendar.AddWorkingDays(today, policy.EndOfSupplyLead);
        var cutOffs = facts.Where(f => f.Eindeleveringsdatum is not null).Select(f => f.Eindeleveringsdatum!.Value).Order().ToList();
        if (cutOffs.Count > 0)
        {
            var first = cutOffs[0];
            if (first <= leadLimit)
            {
                Add(Codes.AfsluitingDreigt, $"Afsluiting gepland op {Date(first)}, binnen {policy.EndOfSupplyLead} werkdagen");
                spoed = true;
            }
            else
            {
                Add(Codes.EindeleveringGepland, $"Einde levering gepland op {Date(first)}");
            }
        }

        var creditors = facts.Select(f => f.CreditorId).Distinct(StringComparer.Ordinal).Count();
        if (creditors >= 2)
        {
            var code = Codes.Stapeling(creditors);
            Add(code, $"{creditors} schuldeisers", creditors >= 4 ? Codes.StapelingMax : code);
        }

        if (facts.Any(f => f.PartnerType.IsHousing()))
        {
            Add(Codes.Woonlasten, "Achterstand in woonlasten (huur of hypotheek): risico op verlies van de woning");
        }

        if (facts.Any(f => f.PartnerType.IsUtility()))
        {
            Add(Codes.Nutsvoorziening, "Achterstand bij energie of water");
        }

        if (facts.Any(f => f.PartnerType is PartnerType.Zorg or PartnerType.CakZorgverzekeringen))
        {
            Add(Codes.Zorgverzekering, "Premieachterstand zorgverzekering");
        }

        // Per creditor only its latest amount counts: a repeat signal restates, it does not add.
        var total = facts.GroupBy(f => f.CreditorId, StringComparer.Ordinal)
            .Sum(g => g.OrderBy(f => f.Signaaldatum).ThenBy(f => f.Bedrag).Last().Bedrag);
        var totalText = $"Totale achterstand {Euro(total)}";
        if (total >= 5000m)
        {
            Add(Codes.Bedrag5000, totalText);
        }
        else if (total >= 2000m)
        {
            Add(Codes.Bedrag2000, totalText);
        }
        else if (total >= 500m)
        {
            Add(Codes.Bedrag500, totalText);
        }

        var longest = facts.Max(f => today.DayNumber - f.Ontstaansdatum.DayNumber);
        if (longest >= 90)
        {
            Add(Codes.Duur90, $"Achterstand bestaat {longest} dagen");
        }
        else if (longest >= 60)
        {
            Add(Codes.Duur60, $"Achterstand bestaat {longest} dagen");
        }

        var growth = facts.Where(f => f.EerderBedrag is > 0 && f.Bedrag > f.EerderBedrag)
            .Select(f => (f.Bedrag - f.EerderBedrag!.Value) / f.EerderBedrag.Value * 100m)
            .DefaultIfEmpty(0m).Max();
        if (growth > 0m)
        {
            Add(Codes.Groei, $"Achterstand gegroeid met {Math.Round(growth, 0).ToString(CultureInfo.InvariantCulture)}% sinds een eerder signaal");
        }

        var warm = facts.Any(f => f.WarmeOverdracht);
        if (warm)
        {
            Add(Codes.WarmeOverdracht, "Schuldeiser heeft contact met de inwoner en vraagt om een warme overdracht");
        }

        var score = Math.Clamp(reasons.Sum(r => r.Points), 0, 100);
        var priority = spoed ? Priority.Spoed
            : score >= HoogFrom || creditors >= StapelingHoogFrom ? Priority.Hoog
            : score >= NormaalFrom ? Priority.Normaal
            : Priority.Laag;

        // Phone and home visits reach far more people than letters (Divosa: 59% and 46% versus 6%).
        var channel = priority == Priority.Spoed ? ContactChannel.Huisbezoek
            : warm || phoneKnown ? ContactChannel.Telefoon
            : ContactChannel.Huisbezoek;

        var due = DueDate(priority, today, policy);

        var ordered = reasons.OrderByDescending(r => r.Points).ThenBy(r => r.Code, StringComparer.Ordinal).ToList();
        return new TriageResult(Version, priority, score, ordered, channel, due);
    }

    /// <summary>
    /// The last day for the first contact attempt on a task made <paramref name="today"/>: Spoed within its working days,
    /// the rest the gemeente's calendar days rolled to a working day. Escalation gives its revision a due date by the same rule.
    /// </summary>
    public static DateOnly DueDate(Priority priority, DateOnly today, GemeentePolicy policy) => priority == Priority.Spoed
        ? DutchCalendar.AddWorkingDays(today, policy.SpoedDue)
        : DutchCalendar.NextWorkingDayOnOrAfter(today.AddDays(policy.Due));

    private static string Date(DateOnly d) => d.ToString("d-M-yyyy", CultureInfo.InvariantCulture);

    /// <summary>€ 1.234,56 as Dutch readers write it.</summary>
    public static string Euro(decimal amount)
    {
        var text = amount.ToString("#,##0.00", CultureInfo.InvariantCulture);
        return "€ " + text.Replace(',', '_').Replace('.', ',').Replace('_', '.');
    }

    /// <summary>Every reason code the policy can give.</summary>
    public static class Codes
    {
        public const string Crisis = "CRISIS";
        public const string AfsluitingDreigt = "AFSLUITING_DREIGT";
        public const string EindeleveringGepland = "EINDELEVERING_GEPLAND";
        public const string StapelingMax = "STAPELING_4_OF_MEER";
        public const string Woonlasten = "WOONLASTEN";
        public const string Nutsvoorziening = "NUTSVOORZIENING";
        public const string Zorgverzekering = "ZORGVERZEKERING";
        public const string Bedrag5000 = "BEDRAG_5000";
        public const string Bedrag2000 = "BEDRAG_2000";
        public const string Bedrag500 = "BEDRAG_500";
        public const string Duur90 = "DUUR_90";
        public const string Duur60 = "DUUR_60";
        public const string Groei = "GROEI";
        public const string WarmeOverdracht = "WARME_OVERDRACHT";

        /// <summary>Not a triage rule: the reason an escalation revision carries (no contact attempt by the due date). No points.</summary>
        public const string EscalatedOverdue = "ESCALATED_OVERDUE";

        /// <summary>STAPELING_2, STAPELING_3, … (the number of distinct creditors).</summary>
        public static string Stapeling(int creditors) => "STAPELING_" + creditors.ToString(CultureInfo.InvariantCulture);
    }
}
