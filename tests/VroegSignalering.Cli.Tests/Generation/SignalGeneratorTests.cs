using System.Text.Json;
using System.Text.RegularExpressions;
using VroegSignalering.Cli.Creditors;
using VroegSignalering.Cli.Generation;
using VroegSignalering.Testing;

namespace VroegSignalering.Cli.Tests.Generation;

/// <summary>Checks on one generated 20,000-signal month: realistic, reproducible, never real people.</summary>
[Collection(GeneratedMonthCollection.Name)]
public sealed partial class SignalGeneratorTests(GeneratedMonthFixture month)
{
    private static readonly DateOnly Today = GeneratedMonthFixture.Today;

    [Fact]
    public void Generates_exactly_the_requested_number_of_signals()
    {
        Assert.Equal(GeneratedMonthFixture.Signals, month.AllSignals.Count);
    }

    [Theory]
    [InlineData("Zorg", 0.42)]
    [InlineData("Huur", 0.20)]
    [InlineData("Energie", 0.21)]
    [InlineData("Water", 0.17)]
    public void The_partner_type_mix_is_within_two_points_of_the_national_mix(string type, double share)
    {
        var actual = month.AllSignals.Count(s => s.PartnerType == type) / (double)month.AllSignals.Count;
        Assert.InRange(actual, share - 0.02, share + 0.02);
    }

    [Fact]
    public void About_one_household_in_ten_has_signals_from_two_or_more_creditors()
    {
        var share = month.Result.Households.Count(h => h.DistinctCreditors >= 2) / (double)month.Result.Households.Count;
        Assert.InRange(share, 0.08, 0.12);
    }

    [Fact]
    public void About_three_percent_of_rows_are_invalid_on_purpose_with_every_kind_of_defect()
    {
        var invalid = month.AllSignals.Where(s => s.Invalid is not null).ToList();
        Assert.InRange(invalid.Count / (double)month.AllSignals.Count, 0.025, 0.035);
        Assert.Equal(Enum.GetValues<InvalidKind>().Order(), invalid.Select(s => s.Invalid!.Value).Distinct().Order());
    }

    [Fact]
    public void About_one_percent_of_rows_have_an_unroutable_address_and_are_otherwise_valid()
    {
        var unroutable = month.AllSignals.Where(s => s.Unroutable).ToList();
        Assert.InRange(unroutable.Count / (double)month.AllSignals.Count, 0.007, 0.013);
        Assert.All(unroutable, s => Assert.Null(s.Invalid));
    }

    [Fact]
    public void Crisis_and_warm_hand_over_signals_are_present_in_small_numbers()
    {
        Assert.InRange(month.AllSignals.Count(s => s.Crisissignaal), 200, 600);
        Assert.InRange(month.AllSignals.Count(s => s.WarmeOverdracht), 300, 900);
    }

    [Fact]
    public void End_of_supply_dates_appear_only_on_energy_and_water_signals_except_the_intended_defect()
    {
        Assert.All(
            month.AllSignals.Where(s => s.Eindeleveringsdatum is not null && s.Invalid != InvalidKind.EindeleveringsdatumOnHuur),
            s => Assert.Contains(s.PartnerType, new[] { "Energie", "Water" }));
        Assert.All(
            month.AllSignals.Where(s => s.Invalid == InvalidKind.EindeleveringsdatumOnHuur),
            s => Assert.Equal("Huur", s.PartnerType));
    }

    [Fact]
    public void About_a_quarter_of_energy_signals_announce_the_end_of_supply_20_to_40_days_ahead()
    {
        var energie = month.AllSignals.Where(s => s.PartnerType == "Energie").ToList();
        Assert.InRange(energie.Count(s => s.HasEndOfSupply) / (double)energie.Count, 0.2, 0.3);
        Assert.Contains(month.AllSignals, s => s.PartnerType == "Water" && s.HasEndOfSupply);
        Assert.All(month.AllSignals.Where(s => s.HasEndOfSupply), s =>
            Assert.InRange(s.Eindeleveringsdatum!.Value.DayNumber - s.Signaaldatum.DayNumber, 20, 40));
    }

    [Fact]
    public void Repeat_signals_come_later_from_the_same_creditor_with_a_new_reference_half_of_them_grown()
    {
        var repeats = month.AllSignals.Where(s => s.Repeat != RepeatKind.None).ToList();
        Assert.NotEmpty(repeats);
        Assert.InRange(repeats.Count(s => s.Repeat == RepeatKind.Grown) / (double)repeats.Count, 0.35, 0.65);
        foreach (var repeat in repeats)
        {
            var previous = repeat.Previous!;
            Assert.Equal(previous.CreditorId, repeat.CreditorId);
            Assert.Equal(previous.Household, repeat.Household);
            Assert.NotEqual(previous.SignaalReferentie, repeat.SignaalReferentie);
            Assert.True(repeat.Signaaldatum > previous.Signaaldatum);
            if (repeat.Repeat == RepeatKind.Grown)
            {
                Assert.True(repeat.Bedrag > previous.Bedrag);
            }
            else
            {
                Assert.True(repeat.Bedrag <= previous.Bedrag);
            }
        }
    }

    [Fact]
    public void Each_creditor_signals_only_its_own_partner_types()
    {
        var registry = CreditorRegistry.Load(RepositoryRoot.File("config", "local", "creditors.json"));
        foreach (var signal in month.AllSignals.Where(s => s.Invalid != InvalidKind.UnknownPartnerType))
        {
            Assert.Contains(signal.SignaalpartnerType, registry.Find(signal.CreditorId)!.PartnerTypes);
        }
    }

    [Fact]
    public void Signal_references_are_unique_per_creditor_and_name_the_type_and_month()
    {
        foreach (var creditor in month.AllSignals.GroupBy(s => s.CreditorId))
        {
            Assert.Equal(creditor.Count(), creditor.Select(s => s.SignaalReferentie).Distinct().Count());
        }

        Assert.All(month.AllSignals, s => Assert.Matches(ReferencePattern(), s.SignaalReferentie));
    }

    [Fact]
    public void Dates_of_valid_rows_lie_in_the_windows_of_the_covenant()
    {
        foreach (var s in month.ValidSignals)
        {
            Assert.InRange(s.Signaaldatum, Today.AddDays(-29), Today);
            Assert.InRange(s.Signaaldatum.DayNumber - s.Ontstaansdatum.DayNumber, 30, 100);
            Assert.InRange(s.Voorwaarden!.HerinneringVerstuurdOp, s.Ontstaansdatum, s.Signaaldatum);
            Assert.True(s.Voorwaarden.PersoonlijkContactGezocht);
            Assert.True(s.Voorwaarden.GewezenOpSchuldhulp);
            Assert.InRange(s.Geboortedatum, Today.AddYears(-90), Today.AddYears(-18));
        }
    }

    [Theory]
    [InlineData("Zorg", 150, 900)]
    [InlineData("Huur", 700, 3500)]
    [InlineData("Energie", 150, 2000)]
    [InlineData("Water", 40, 400)]
    public void First_signals_have_plausible_amounts_with_two_decimals_per_partner_type(string type, int min, int max)
    {
        var amounts = month.ValidSignals.Where(s => s.PartnerType == type && s.Repeat == RepeatKind.None).Select(s => s.Bedrag).ToList();
        Assert.All(amounts, a => Assert.InRange(a, min, max));
        Assert.All(amounts, a => Assert.Equal(decimal.Round(a, 2), a));
        Assert.True(amounts.Distinct().Count() > amounts.Count / 2, "amounts should vary");
    }

    [Fact]
    public void Every_valid_bsn_passes_the_eleven_proof_and_is_from_the_synthetic_99_range()
    {
        var bsns = month.ValidSignals.Select(s => s.Burgerservicenummer).OfType<string>().ToList();
        Assert.NotEmpty(bsns);
        Assert.All(bsns, bsn => Assert.True(Bsn.IsValid(bsn), bsn));
        Assert.All(bsns, bsn => Assert.StartsWith("99", bsn, StringComparison.Ordinal));
        Assert.InRange(month.AllSignals.Count(s => s.Burgerservicenummer is null) / (double)month.AllSignals.Count, 0.7, 0.95);
    }

    [Fact]
    public void The_intended_bad_bsns_fail_the_eleven_proof()
    {
        Assert.All(month.AllSignals.Where(s => s.Invalid == InvalidKind.BsnFailsElfproef), s => Assert.False(Bsn.IsValid(s.Burgerservicenummer)));
    }

    [Fact]
    public void Every_valid_row_has_an_address_from_the_address_file_and_every_unroutable_row_a_well_formed_one_that_is_not()
    {
        Assert.All(month.ValidSignals, s => Assert.True(month.Addresses.Contains(s.Postcode, s.Huisnummer), $"{s.Postcode} {s.Huisnummer}"));
        Assert.All(month.AllSignals.Where(s => s.Unroutable), s =>
        {
            Assert.True(VroegSignalering.Cli.Addresses.Postcodes.IsValid(s.Postcode));
            Assert.InRange(s.Huisnummer, 1, 999);
            Assert.False(month.Addresses.Contains(s.Postcode, s.Huisnummer));
        });
    }

    [Fact]
    public void A_postcode_always_has_the_same_street_and_the_town_of_its_municipality()
    {
        foreach (var postcode in month.ValidSignals.GroupBy(s => s.Postcode))
        {
            Assert.Single(postcode.Select(s => s.Straatnaam).Distinct());
            Assert.Single(postcode.Select(s => s.Plaatsnaam).Distinct());
        }

        Assert.Equal(["Amsterdam", "Eindhoven", "Enschede", "Groningen", "Rotterdam", "Utrecht"], month.AllSignals.Select(s => s.Plaatsnaam).Distinct().Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Names_carry_dutch_prefixes_diacritics_the_ij_ligature_and_double_names()
    {
        var prefixes = month.AllSignals.Select(s => s.Voorvoegsel).OfType<string>().ToHashSet();
        Assert.Superset(new HashSet<string> { "van", "de", "van der", "van den", "'t", "d'", "ter" }, prefixes);
        var surnames = month.AllSignals.Select(s => s.Achternaam).OfType<string>().ToList();
        Assert.Contains(surnames, n => n.Contains('Ö', StringComparison.Ordinal) || n.Contains('ü', StringComparison.Ordinal));
        Assert.Contains(surnames, n => n.Contains('Ç', StringComparison.Ordinal));
        Assert.Contains(surnames, n => n.StartsWith('Ĳ'));
        Assert.Contains(surnames, n => n == "N'Diaye");
        Assert.Contains(surnames, n => n.Contains('-', StringComparison.Ordinal));
        Assert.All(month.AllSignals, s => Assert.Matches(VoorlettersPattern(), s.Voorletters));
    }

    [Fact]
    public void E_mail_addresses_use_only_the_reserved_example_domains()
    {
        Assert.All(month.ValidSignals.Select(s => s.Email).OfType<string>(), email => Assert.Matches(ValidEmailPattern(), email));
        foreach (var email in month.AllSignals.Select(s => s.Email).OfType<string>())
        {
            var domain = email[(email.LastIndexOf('@') + 1)..];
            if (email.Contains('@', StringComparison.Ordinal) && domain.Length > 0)
            {
                Assert.Contains(domain, new[] { "example.nl", "example.com" });
            }
            else
            {
                Assert.Matches(@"\.example\.(nl|com)$|@$", email);
            }
        }
    }

    [Fact]
    public void Telephone_numbers_are_ten_digit_dutch_mobile_or_landline_numbers()
    {
        var phones = month.AllSignals.Select(s => s.Telefoonnummer).OfType<string>().ToList();
        Assert.All(phones, p => Assert.Matches(@"^0[1-9][0-9]{8}$", p));
        Assert.Contains(phones, p => p.StartsWith("06", StringComparison.Ordinal));
        Assert.Contains(phones, p => !p.StartsWith("06", StringComparison.Ordinal));
    }

    [Fact]
    public void The_manifest_counts_agree_with_the_generated_files()
    {
        using var manifest = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(month.Directory, "manifest.json")));
        var counts = manifest.RootElement.GetProperty("counts");
        Assert.Equal(GeneratedMonthFixture.Signals, counts.GetProperty("signals").GetInt32());
        Assert.Equal(month.Result.Households.Count, counts.GetProperty("households").GetInt32());
        Assert.Equal(month.AllSignals.Count(s => s.Invalid is not null), counts.GetProperty("intendedInvalid").GetProperty("total").GetInt32());
        Assert.Equal(month.AllSignals.Count(s => s.Unroutable), counts.GetProperty("intendedUnroutable").GetInt32());
        Assert.Equal(month.AllSignals.Count(s => s.Unroutable), manifest.RootElement.GetProperty("intendedUnroutable").GetArrayLength());

        foreach (var file in manifest.RootElement.GetProperty("files").EnumerateArray())
        {
            var rows = SignalFileRows(Path.Combine(month.Directory, file.GetProperty("file").GetString()!));
            Assert.Equal(file.GetProperty("signals").GetInt32(), rows);
        }
    }

    [Fact]
    public void Mixed_format_gives_some_creditors_json_some_ndjson_and_some_csv_with_both_date_notations()
    {
        var extensions = Directory.GetFiles(month.Directory).Select(Path.GetExtension).ToHashSet();
        Assert.Superset(new HashSet<string?> { ".json", ".ndjson", ".csv" }, extensions);
        Assert.Contains(month.Outcome.Files, f => f.Format == SignalFileFormat.Csv && f.DateFormat == "yyyy-MM-dd");
        Assert.Contains(month.Outcome.Files, f => f.Format == SignalFileFormat.Csv && f.DateFormat == "dd-MM-yyyy");
    }

    [Fact]
    public void Json_files_hold_the_public_signal_shape_with_exactly_the_contract_field_names()
    {
        var path = Directory.GetFiles(month.Directory, "*.json").First(p => !p.EndsWith("manifest.json", StringComparison.Ordinal));
        using var document = JsonDocument.Parse(File.ReadAllBytes(path));
        var signal = document.RootElement.EnumerateArray().First(e => e.TryGetProperty("voorwaarden", out _));

        Assert.Equal(
            ["signaalReferentie", "signaalpartnerType", "bedrag", "ontstaansdatum", "signaaldatum", "crisissignaal", "warmeOverdracht", "eindeleveringsdatum", "voorwaarden", "client"],
            signal.EnumerateObject().Select(p => p.Name));
        Assert.Equal(["herinneringVerstuurdOp", "persoonlijkContactGezocht", "gewezenOpSchuldhulp"], signal.GetProperty("voorwaarden").EnumerateObject().Select(p => p.Name));
        Assert.Equal(
            ["burgerservicenummer", "voorletters", "voorvoegsel", "achternaam", "geboortedatum", "straatnaam", "postcode", "huisnummer", "huisnummertoevoeging", "plaatsnaam", "telefoonnummer", "email"],
            signal.GetProperty("client").EnumerateObject().Select(p => p.Name));
        Assert.Equal(JsonValueKind.Number, signal.GetProperty("bedrag").ValueKind);
        Assert.Equal(JsonValueKind.Number, signal.GetProperty("client").GetProperty("huisnummer").ValueKind);
    }

    [Fact]
    public void Json_and_ndjson_files_read_back_to_the_generated_values()
    {
        var byReference = month.AllSignals.ToDictionary(s => (s.CreditorId, s.SignaalReferentie));
        foreach (var path in Directory.GetFiles(month.Directory).Where(p => p.EndsWith(".ndjson", StringComparison.Ordinal) || (p.EndsWith(".json", StringComparison.Ordinal) && !p.EndsWith("manifest.json", StringComparison.Ordinal))))
        {
            var creditor = Path.GetFileNameWithoutExtension(path);
            var elements = path.EndsWith(".ndjson", StringComparison.Ordinal)
                ? File.ReadAllLines(path).Select(l => JsonDocument.Parse(l).RootElement)
                : JsonDocument.Parse(File.ReadAllBytes(path)).RootElement.EnumerateArray();
            foreach (var e in elements)
            {
                var s = byReference[(creditor, e.GetProperty("signaalReferentie").GetString()!)];
                Assert.Equal(s.Bedrag, e.GetProperty("bedrag").GetDecimal());
                Assert.Equal(s.Signaaldatum.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), e.GetProperty("signaaldatum").GetString());
                Assert.Equal(s.Achternaam, e.GetProperty("client").GetProperty("achternaam").GetString());
                Assert.Equal(s.Postcode, e.GetProperty("client").GetProperty("postcode").GetString());
                Assert.Equal(s.Huisnummer, e.GetProperty("client").GetProperty("huisnummer").GetInt32());
            }
        }
    }

    private static int SignalFileRows(string path) => Path.GetExtension(path) switch
    {
        ".json" => JsonDocument.Parse(File.ReadAllBytes(path)).RootElement.GetArrayLength(),
        ".ndjson" => File.ReadAllLines(path).Count(l => l.Length > 0),
        _ => File.ReadAllLines(path).Length - 1,
    };

    [GeneratedRegex(@"^(ZORG|HUUR|ENERGIE|WATER)-2026-11-\d{6}$")]
    private static partial Regex ReferencePattern();

    [GeneratedRegex(@"^((?:[A-ZÖŞÇÉ]|Th|IJ|Chr|Ph)\.){1,3}$")]
    private static partial Regex VoorlettersPattern();

    [GeneratedRegex(@"^[a-z0-9.\-]+@example\.(nl|com)$")]
    private static partial Regex ValidEmailPattern();
}
