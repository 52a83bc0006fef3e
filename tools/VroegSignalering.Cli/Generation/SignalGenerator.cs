using System.Globalization;
using VroegSignalering.Cli.Addresses;
using VroegSignalering.Cli.Cli;
using VroegSignalering.Cli.Creditors;

namespace VroegSignalering.Cli.Generation;

internal sealed record GenerationOptions(int Signals, int Seed, DateOnly Today);

internal sealed record GeneratedHousehold(int Index, IReadOnlyList<GeneratedSignal> Signals)
{
    public int DistinctCreditors => Signals.Select(s => s.CreditorId).Distinct(StringComparer.Ordinal).Count();
}

internal sealed record GenerationResult(
    GenerationOptions Options,
    IReadOnlyList<GeneratedSignal> Signals,
    IReadOnlyList<GeneratedHousehold> Households,
    int UsableAddresses)
{
    /// <summary>
    /// True when there were more households than addresses, so some share one: the system groups
    /// households by address and will then see more stapeling than the manifest counts.
    /// </summary>
    public bool AddressesReused => Households.Count > UsableAddresses;
}

/// <summary>
/// Generates one month of signals from the demo creditors: households at addresses of the address
/// file, a partner-type mix close to the national one, stapeling, repeats, crisis and end-of-supply
/// signals, and a few percent of rows that are invalid or unroutable on purpose. Everything follows
/// from the seed and the date "today", so a run can be repeated byte for byte.
/// </summary>
internal sealed class SignalGenerator
{
    public const double MultiCreditorShare = 0.10;
    public const double RepeatShare = 0.06;
    public const double CrisisShare = 0.02;
    public const double WarmeOverdrachtShare = 0.03;
    public const double InvalidShare = 0.03;
    public const double UnroutableShare = 0.01;

    /// <summary>A quarter of energy signals are end-of-supply signals (Divosa); water companies send a few.</summary>
    public static readonly IReadOnlyDictionary<string, double> EndOfSupplyShare = new Dictionary<string, double>
    {
        [PartnerTypes.Energie] = 0.25,
        [PartnerTypes.Water] = 0.08,
    };

    private static readonly string[] UnknownPartnerTypes = ["Telecom", "Sportschool", "Onbekend", "Abonnement"];
    private static readonly string[] Toevoegingen = ["A", "B", "C", "1", "2", "3", "H", "hs", "bis", "II", "-1"];

    private readonly GenerationOptions _options;
    private readonly AddressFile _addresses;
    private readonly IReadOnlyDictionary<int, Gemeente> _gemeenten;
    private readonly Rng _rng;
    private readonly Dictionary<string, List<Creditor>> _creditorsByType = new(StringComparer.Ordinal);
    private readonly List<(string Type, double Share)> _mix;
    private readonly int[] _addressOrder;
    private readonly HashSet<string> _usedBsns = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _typeCounts = new(StringComparer.Ordinal);
    private readonly Action<int>? _progress;
    private int _addressCursor;
    private int _sequence;

    public SignalGenerator(GenerationOptions options, CreditorRegistry creditors, AddressFile addresses, IReadOnlyDictionary<int, Gemeente> gemeenten, Action<int>? progress = null)
    {
        _options = options;
        _addresses = addresses;
        _gemeenten = gemeenten;
        _progress = progress;
        _rng = Rng.For(options.Seed, "signals");

        foreach (var (type, _) in PartnerTypes.NationalMix)
        {
            var ofType = creditors.All.Where(c => c.PartnerTypes.Contains(type, StringComparer.Ordinal)).ToList();
            if (ofType.Count > 0)
            {
                _creditorsByType[type] = ofType;
                _typeCounts[type] = 0;
            }
        }

        if (_creditorsByType.Count == 0)
        {
            throw new CliException("no creditor in the creditors file signals Zorg, Huur, Energie or Water");
        }

        // Types without a creditor drop out; the others keep their relative shares.
        var available = PartnerTypes.NationalMix.Where(m => _creditorsByType.ContainsKey(m.Type)).ToList();
        var total = available.Sum(m => m.Share);
        _mix = [.. available.Select(m => (m.Type, m.Share / total))];

        _addressOrder = [.. Enumerable.Range(0, addresses.Rows.Count).Where(i => gemeenten.ContainsKey(addresses.Rows[i].Gemeente))];
        if (_addressOrder.Length == 0)
        {
            throw new CliException("no address in the address file belongs to a gemeente listed in the gemeenten file");
        }

        Rng.For(options.Seed, "address-order").Shuffle(_addressOrder);
    }

    public GenerationResult Generate()
    {
        var signals = new List<GeneratedSignal>(_options.Signals);
        var households = new List<GeneratedHousehold>();
        while (signals.Count < _options.Signals)
        {
            var household = NewHousehold(households.Count);
            var householdSignals = GenerateHouseholdSignals(household, _options.Signals - signals.Count);
            households.Add(new GeneratedHousehold(household.Index, householdSignals));
            signals.AddRange(householdSignals);
            _progress?.Invoke(signals.Count);
        }

        ApplyIntendedDefects(households, signals.Count);
        AssignReferences(signals);
        return new GenerationResult(_options, signals, households, _addressOrder.Length);
    }

    private List<GeneratedSignal> GenerateHouseholdSignals(Household household, int room)
    {
        var plan = new List<(string Type, Person Person, bool Repeat)>();
        if (_mix.Count > 1 && _rng.Chance(MultiCreditorShare))
        {
            var count = Math.Min(_mix.Count, 2 + _rng.PickWeighted([0.75, 0.2, 0.05]));
            var candidates = _mix.ToList();
            for (var i = 0; i < count; i++)
            {
                var pick = _rng.PickWeighted(candidates.Select(c => c.Share).ToArray());
                plan.Add((candidates[pick].Type, PickPerson(household), _rng.Chance(RepeatShare)));
                candidates.RemoveAt(pick);
            }
        }
        else
        {
            plan.Add((PickSingleType(), PickPerson(household), _rng.Chance(RepeatShare)));
        }

        // The last household is cut to land exactly on the requested number of signals.
        while (plan.Sum(p => p.Repeat ? 2 : 1) > room)
        {
            var last = plan[^1];
            if (last.Repeat)
            {
                plan[^1] = last with { Repeat = false };
            }
            else
            {
                plan.RemoveAt(plan.Count - 1);
            }
        }

        var result = new List<GeneratedSignal>();
        foreach (var (type, person, repeat) in plan)
        {
            var creditor = _rng.Pick(_creditorsByType[type]);
            if (!repeat)
            {
                var signaaldatum = _options.Today.AddDays(-_rng.Between(0, 29));
                var arrears = NewArrears(type, signaaldatum, maxAgeDays: 100);
                result.Add(NewSignal(household, person, creditor, type, arrears, signaaldatum, arrears.Cents));
                continue;
            }

            // A repeat: the same arrears signalled again later in the window, grown or not.
            var first = _options.Today.AddDays(-_rng.Between(12, 29));
            var second = first.AddDays(_rng.Between(7, _options.Today.DayNumber - first.DayNumber));
            var firstArrears = NewArrears(type, first, maxAgeDays: 100 - (second.DayNumber - first.DayNumber));
            var original = NewSignal(household, person, creditor, type, firstArrears, first, firstArrears.Cents);
            var grown = _rng.Chance(0.5);
            var cents = grown
                ? firstArrears.Cents + Math.Max(100, (long)(firstArrears.MonthlyCents * _rng.Between(0.5, 1.5)))
                : _rng.Chance(0.4) ? firstArrears.Cents : Math.Max(100, (long)(firstArrears.Cents * _rng.Between(0.5, 0.95)));
            var again = NewSignal(household, person, creditor, type, firstArrears, second, cents);
            again.Repeat = grown ? RepeatKind.Grown : RepeatKind.NotGrown;
            again.Previous = original;
            result.Add(original);
            result.Add(again);
        }

        foreach (var signal in result)
        {
            _typeCounts[signal.PartnerType]++;
        }

        return result;
    }

    /// <summary>
    /// Draws a type for a one-creditor household, nudged towards the national mix: households with
    /// several creditors over-represent the rarer types, and this pulls the totals back.
    /// </summary>
    private string PickSingleType()
    {
        var total = _typeCounts.Values.Sum();
        var weights = new double[_mix.Count];
        for (var i = 0; i < _mix.Count; i++)
        {
            var (type, share) = _mix[i];
            var actual = total == 0 ? share : (double)_typeCounts[type] / total;
            weights[i] = share * Math.Exp(-5 * (actual - share) / share);
        }

        return _mix[_rng.PickWeighted(weights)].Type;
    }

    private Person PickPerson(Household household) =>
        household.Adults.Count > 1 && _rng.Chance(0.3) ? household.Adults[1 + _rng.Next(household.Adults.Count - 1)] : household.Adults[0];

    private readonly record struct Arrears(DateOnly Ontstaansdatum, long Cents, long MonthlyCents, DateOnly Herinnering);

    private Arrears NewArrears(string type, DateOnly signaaldatum, int maxAgeDays)
    {
        var age = _rng.Between(30, Math.Max(30, maxAgeDays));
        var ontstaansdatum = signaaldatum.AddDays(-age);
        var herinnering = ontstaansdatum.AddDays(_rng.Between(7, age - 7));
        var (cents, monthly) = NewAmount(type);
        return new Arrears(ontstaansdatum, cents, monthly, herinnering);
    }

    /// <summary>Plausible arrears per type, in cents: a number of missed instalments less any part paid.</summary>
    private (long Cents, long Monthly) NewAmount(string type)
    {
        switch (type)
        {
            case PartnerTypes.Zorg:
                {
                    // Insurers signal at about 2 months of premium; by 6 months the CAK takes over.
                    long premium = _rng.Between(13_800, 16_500);
                    var months = 2 + _rng.PickWeighted([0.45, 0.25, 0.15, 0.10, 0.05]);
                    var cents = (premium * months) - (_rng.Chance(0.4) ? _rng.Between(0, (int)premium / 2) : 0);
                    return (Math.Clamp(cents, 15_000, 90_000), premium);
                }

            case PartnerTypes.Huur:
                {
                    long rent = _rng.Chance(0.85) ? _rng.Between(70_000, 120_000) : _rng.Between(120_000, 175_000);
                    var months = 1 + _rng.PickWeighted([0.45, 0.4, 0.15]);
                    var cents = (rent * months) - (months > 1 && _rng.Chance(0.3) ? _rng.Between(0, (int)rent / 2) : 0);
                    return (Math.Clamp(cents, 70_000, 350_000), rent);
                }

            case PartnerTypes.Energie:
                {
                    long advance = _rng.Between(9_000, 25_000);
                    var cents = (long)(advance * _rng.Between(1.5, 7.0));
                    return (Math.Clamp(cents, 15_000, 200_000), advance);
                }

            default:
                {
                    long quarter = _rng.Between(4_000, 13_000);
                    var cents = (long)(quarter * _rng.Between(1.0, 3.2));
                    return (Math.Clamp(cents, 4_000, 40_000), quarter / 3);
                }
        }
    }

    private GeneratedSignal NewSignal(Household household, Person person, Creditor creditor, string type, Arrears arrears, DateOnly signaaldatum, long cents)
    {
        var surname = person.Surname;
        string? voorvoegsel = surname.Voorvoegsel;
        var achternaam = surname.Achternaam;
        // Creditors' systems differ: some keep the prefix in the surname field, some drop diacritics.
        if (voorvoegsel is not null && _rng.Chance(0.04))
        {
            achternaam = surname.ToString();
            voorvoegsel = null;
        }

        if (_rng.Chance(0.04))
        {
            achternaam = SyntheticNames.FoldDiacritics(achternaam);
        }

        var bsnShare = type == PartnerTypes.Zorg ? 0.3 : 0.03;
        var toevoeging = household.Toevoeging is { } t && _rng.Chance(0.1) ? t.ToLowerInvariant() : household.Toevoeging;
        var signal = new GeneratedSignal
        {
            CreditorId = creditor.Id,
            PartnerType = type,
            Household = household.Index,
            SignaalpartnerType = type,
            Bedrag = cents / 100m,
            Ontstaansdatum = arrears.Ontstaansdatum,
            Signaaldatum = signaaldatum,
            Crisissignaal = _rng.Chance(CrisisShare),
            WarmeOverdracht = _rng.Chance(WarmeOverdrachtShare),
            Voorwaarden = new Voorwaarden(arrears.Herinnering, true, true),
            Burgerservicenummer = _rng.Chance(bsnShare) ? BsnOf(person) : null,
            Voorletters = person.Voorletters,
            Voorvoegsel = voorvoegsel,
            Achternaam = achternaam,
            Geboortedatum = person.Geboortedatum,
            Straatnaam = household.Straatnaam,
            Postcode = household.Postcode,
            Huisnummer = household.Huisnummer,
            Huisnummertoevoeging = toevoeging,
            Plaatsnaam = household.Plaatsnaam,
            Telefoonnummer = person.Telefoonnummer is not null && _rng.Chance(0.85) ? person.Telefoonnummer : null,
            Email = person.Email is not null && _rng.Chance(0.8) ? person.Email : null,
        };

        if (EndOfSupplyShare.TryGetValue(type, out var eolShare) && _rng.Chance(eolShare))
        {
            // The supplier announces the end of supply at least 20 working days ahead.
            signal.Eindeleveringsdatum = signaaldatum.AddDays(_rng.Between(20, 40));
        }

        signal.Sequence = _sequence++;
        return signal;
    }

    private string BsnOf(Person person)
    {
        if (person.Bsn is null)
        {
            string bsn;
            do
            {
                bsn = Bsn.NewSynthetic(_rng);
            }
            while (!_usedBsns.Add(bsn));
            person.Bsn = bsn;
        }

        return person.Bsn;
    }

    private Household NewHousehold(int index)
    {
        // Wrapping around only happens when asking for more households than addresses.
        var row = _addresses.Rows[_addressOrder[_addressCursor++ % _addressOrder.Length]];
        var postcode = row.Postcode;
        var gemeente = _gemeenten[row.Gemeente];
        var areaCode = Gemeenten.Synthetic.FirstOrDefault(g => g.Code == row.Gemeente)?.AreaCode ?? "0" + _rng.Between(10, 99).ToString(CultureInfo.InvariantCulture);

        var household = new Household
        {
            Index = index,
            Postcode = postcode,
            Huisnummer = row.Huisnummer,
            Toevoeging = _rng.Chance(0.12) ? _rng.Pick(Toevoegingen) : null,
            Straatnaam = Streets.ForPostcode(postcode),
            Plaatsnaam = gemeente.Naam,
            Gemeente = row.Gemeente,
        };

        var adults = 1 + _rng.PickWeighted([0.5, 0.4, 0.1]);
        var first = NewPerson(SyntheticNames.RandomSurname(_rng), AgeOfFirstAdult(), areaCode);
        household.Adults.Add(first);
        if (adults >= 2)
        {
            var own = SyntheticNames.RandomSurname(_rng);
            var surname = _rng.PickWeighted([0.35, 0.2, 0.45]) switch
            {
                0 => first.Surname,
                1 => SyntheticNames.DoubleName(first.Surname, own),
                _ => own,
            };
            household.Adults.Add(NewPerson(surname, Math.Clamp(first.Age + _rng.Between(-6, 6), 18, 89), areaCode));
        }

        if (adults == 3)
        {
            // A third adult is mostly a grown-up child, sometimes a parent moved in.
            var age = first.Age >= 40 ? _rng.Between(18, Math.Min(30, first.Age - 20)) : Math.Min(89, first.Age + _rng.Between(22, 32));
            household.Adults.Add(NewPerson(first.Surname, age, areaCode));
        }

        return household;
    }

    private int AgeOfFirstAdult()
    {
        var bracket = _rng.PickWeighted([0.12, 0.25, 0.22, 0.18, 0.13, 0.10]);
        return bracket switch
        {
            0 => _rng.Between(18, 24),
            1 => _rng.Between(25, 34),
            2 => _rng.Between(35, 44),
            3 => _rng.Between(45, 54),
            4 => _rng.Between(55, 66),
            _ => _rng.Between(67, 89),
        };
    }

    private Person NewPerson(Surname surname, int age, string areaCode)
    {
        // Age in whole years is 'age' on today: born between age+1 years and age years ago.
        var geboortedatum = _options.Today.AddYears(-age).AddDays(-_rng.Between(0, 364));
        var voorletters = SyntheticNames.RandomVoorletters(_rng);
        var person = new Person(voorletters, surname, geboortedatum, age);
        if (_rng.Chance(0.8))
        {
            person.Telefoonnummer = _rng.Chance(0.8) ? SyntheticContact.Mobile(_rng) : SyntheticContact.Landline(_rng, areaCode);
        }

        if (_rng.Chance(0.55))
        {
            person.Email = SyntheticContact.Email(_rng, voorletters, surname, geboortedatum);
        }

        return person;
    }

    /// <summary>
    /// Puts exactly the intended share of defects and unroutable addresses into rows that stand
    /// alone (one-signal households without crisis, end-of-supply or warm hand-over flags), so the
    /// counts of stapeling, repeats and flags in the manifest describe valid, routable signals.
    /// </summary>
    private void ApplyIntendedDefects(List<GeneratedHousehold> households, int total)
    {
        var rng = Rng.For(_options.Seed, "defects");
        var pool = households
            .Where(h => h.Signals.Count == 1)
            .Select(h => h.Signals[0])
            .Where(s => !s.Crisissignaal && !s.WarmeOverdracht && !s.HasEndOfSupply)
            .ToList();
        rng.Shuffle(pool);
        var huurPool = pool.Where(s => s.PartnerType == PartnerTypes.Huur).ToList();

        var used = new HashSet<GeneratedSignal>();
        var kinds = Enum.GetValues<InvalidKind>();
        var invalidTarget = (int)Math.Round(total * InvalidShare);
        var cursor = 0;
        var huurCursor = 0;
        for (var i = 0; i < invalidTarget; i++)
        {
            var kind = kinds[i % kinds.Length];
            var signal = kind == InvalidKind.EindeleveringsdatumOnHuur
                ? NextUnused(huurPool, ref huurCursor, used)
                : NextUnused(pool, ref cursor, used);
            if (signal is null)
            {
                continue;
            }

            ApplyDefect(signal, kind, rng);
        }

        var unroutableTarget = (int)Math.Round(total * UnroutableShare);
        for (var i = 0; i < unroutableTarget; i++)
        {
            if (NextUnused(pool, ref cursor, used) is { } signal)
            {
                MakeUnroutable(signal, rng);
            }
        }
    }

    private static GeneratedSignal? NextUnused(List<GeneratedSignal> pool, ref int cursor, HashSet<GeneratedSignal> used)
    {
        while (cursor < pool.Count)
        {
            var candidate = pool[cursor++];
            if (used.Add(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    private void ApplyDefect(GeneratedSignal signal, InvalidKind kind, Rng rng)
    {
        signal.Invalid = kind;
        switch (kind)
        {
            case InvalidKind.BadPostcode:
                var pc = signal.Postcode;
                signal.Postcode = rng.Next(4) switch
                {
                    0 => "0" + pc[1..],                   // PC4 starts with 0
                    1 => pc[..4] + rng.Pick(["SA", "SD", "SS"]),
                    2 => pc[..3] + pc[4..],               // three digits
                    _ => pc[..5] + rng.Between(0, 9).ToString(CultureInfo.InvariantCulture),
                };
                break;
            case InvalidKind.HuisnummerZero:
                signal.Huisnummer = 0;
                break;
            case InvalidKind.SignaaldatumInFuture:
                signal.Signaaldatum = _options.Today.AddDays(rng.Between(1, 14));
                break;
            case InvalidKind.OntstaansdatumAfterSignaaldatum:
                signal.Ontstaansdatum = signal.Signaaldatum.AddDays(rng.Between(1, 20));
                break;
            case InvalidKind.BedragNotPositive:
                signal.Bedrag = rng.Chance(0.5) ? 0m : -rng.Between(1, 50_000) / 100m;
                break;
            case InvalidKind.BedragThreeDecimals:
                signal.Bedrag = decimal.Truncate(signal.Bedrag * 100m) / 100m + (rng.Between(1, 9) / 1000m);
                break;
            case InvalidKind.BsnFailsElfproef:
                signal.Burgerservicenummer = Bsn.NewInvalid(rng);
                break;
            case InvalidKind.MissingAchternaam:
                signal.Achternaam = rng.Chance(0.5) ? null : string.Empty;
                signal.Voorvoegsel = null;
                break;
            case InvalidKind.UnknownPartnerType:
                signal.SignaalpartnerType = rng.Pick(UnknownPartnerTypes);
                break;
            case InvalidKind.EindeleveringsdatumOnHuur:
                signal.Eindeleveringsdatum = signal.Signaaldatum.AddDays(rng.Between(20, 40));
                break;
            case InvalidKind.BadEmail:
                var valid = signal.Email ?? SyntheticContact.Email(rng, signal.Voorletters, new Surname(signal.Voorvoegsel, signal.Achternaam ?? "klant"), signal.Geboortedatum);
                signal.Email = SyntheticContact.InvalidEmail(rng, valid);
                break;
            case InvalidKind.MissingVoorwaarden:
                signal.Voorwaarden = null;
                break;
            default:
                throw new InvalidOperationException("unhandled defect " + kind);
        }
    }

    /// <summary>A well-formed address that the address file does not know, like a new-build home.</summary>
    private void MakeUnroutable(GeneratedSignal signal, Rng rng)
    {
        signal.Unroutable = true;
        while (true)
        {
            string postcode;
            int huisnummer;
            if (rng.Chance(0.5))
            {
                // A known postcode with a house number outside its runs.
                postcode = _addresses.Rows[rng.Next(_addresses.Rows.Count)].Postcode;
                huisnummer = rng.Between(1, 250);
            }
            else
            {
                char first, second;
                do
                {
                    first = (char)('A' + rng.Next(26));
                    second = (char)('A' + rng.Next(26));
                }
                while (Postcodes.IsExcluded(first, second));
                postcode = string.Create(CultureInfo.InvariantCulture, $"{rng.Between(1000, 9999)}{first}{second}");
                huisnummer = rng.Between(1, 200);
            }

            if (!_addresses.Contains(postcode, huisnummer))
            {
                signal.Postcode = postcode;
                signal.Huisnummer = huisnummer;
                signal.Straatnaam = Streets.ForPostcode(postcode);
                return;
            }
        }
    }

    /// <summary>References count up per creditor in signal-date order, as a creditor's batch would.</summary>
    private void AssignReferences(List<GeneratedSignal> signals)
    {
        var period = _options.Today.ToString("yyyy-MM", CultureInfo.InvariantCulture);
        foreach (var group in signals.GroupBy(s => s.CreditorId, StringComparer.Ordinal))
        {
            var n = 0;
            foreach (var signal in group.OrderBy(s => s.Signaaldatum).ThenBy(s => s.Sequence))
            {
                n++;
                signal.SignaalReferentie = string.Create(CultureInfo.InvariantCulture, $"{PartnerTypes.ReferencePrefix(signal.PartnerType)}-{period}-{n:D6}");
            }
        }

        signals.Sort((a, b) => a.Sequence.CompareTo(b.Sequence));
    }

    private sealed class Household
    {
        public required int Index { get; init; }

        public required string Postcode { get; init; }

        public required int Huisnummer { get; init; }

        public string? Toevoeging { get; init; }

        public required string Straatnaam { get; init; }

        public required string Plaatsnaam { get; init; }

        public required int Gemeente { get; init; }

        public List<Person> Adults { get; } = [];
    }

    private sealed class Person(string voorletters, Surname surname, DateOnly geboortedatum, int age)
    {
        public string Voorletters { get; } = voorletters;

        public Surname Surname { get; } = surname;

        public DateOnly Geboortedatum { get; } = geboortedatum;

        public int Age { get; } = age;

        public string? Bsn { get; set; }

        public string? Telefoonnummer { get; set; }

        public string? Email { get; set; }
    }
}
