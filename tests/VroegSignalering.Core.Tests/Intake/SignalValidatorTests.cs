using System.Globalization;
using VroegSignalering.Core.Common;
using VroegSignalering.Core.Intake;
using F = VroegSignalering.Core.Intake.SignalFields;

namespace VroegSignalering.Core.Tests.Intake;

public class SignalValidatorTests
{
    private static readonly string ValidBsn = SyntheticBsn.ValidFrom(23456780);
    private static readonly string ValidBsnWithLeadingZero = SyntheticBsn.ValidFrom(1234567);

    public static TheoryData<string, string, string> AcceptedValues => new()
    {
        // Postcode: four digits (first not 0) and two letters; spaces and case normalised.
        { F.Postcode, "1234AB", "1234AB" },
        { F.Postcode, "1234 ab", "1234AB" },
        { F.Postcode, " 1234ab ", "1234AB" },
        { F.Postcode, "1000 AA", "1000AA" },
        { F.Postcode, "9999ZZ", "9999ZZ" },
        { F.Postcode, "3511 SB", "3511SB" },

        // House number 1..99999 with the addition written in or beside it.
        { F.Huisnummer, "1", "1|" },
        { F.Huisnummer, "99999", "99999|" },
        { F.Huisnummer, "12A", "12|A" },
        { F.Huisnummer, "12-a", "12|A" },
        { F.Huisnummer, "12 a", "12|A" },
        { F.Huisnummer, "12 bis", "12|BIS" },
        { F.Huisnummer, "12/2", "12|2" },
        { F.Toevoeging, "-a", "12|A" },
        { F.Toevoeging, " bis ", "12|BIS" },
        { F.Toevoeging, "a-1", "12|A1" },
        { F.Toevoeging, "hs", "12|HS" },

        // BSN: nine digits passing the 11-proof, separators stripped, eight digits left-padded.
        { F.Bsn, ValidBsn, ValidBsn },
        { F.Bsn, $"{ValidBsn[..3]}.{ValidBsn[3..6]}.{ValidBsn[6..]}", ValidBsn },
        { F.Bsn, $"{ValidBsn[..3]} {ValidBsn[3..6]} {ValidBsn[6..]}", ValidBsn },
        { F.Bsn, ValidBsnWithLeadingZero[1..], ValidBsnWithLeadingZero },

        // Dates: ISO and Dutch spellings; the boundaries ontstaansdatum = signaaldatum = today are allowed.
        { F.Signaaldatum, "2026-11-20", "2026-11-20" },
        { F.Signaaldatum, "20-11-2026", "2026-11-20" },
        { F.Signaaldatum, "20/11/2026", "2026-11-20" },
        { F.Signaaldatum, "2026-11-16T09:30:00+01:00", "2026-11-16" },
        { F.Ontstaansdatum, "1-8-2026", "2026-08-01" },
        { F.Ontstaansdatum, "1-9-2026", "2026-09-01" },
        { F.Herinnering, "2026-08-01", "2026-08-01" },
        { F.Herinnering, "16-11-2026", "2026-11-16" },
        { F.Geboortedatum, "12-04-1985", "1985-04-12" },

        // Amount: decimal comma or point, thousands separators, a euro sign; at most 100,000 and two decimals.
        { F.Bedrag, "845,50", "845.50" },
        { F.Bedrag, "845.50", "845.50" },
        { F.Bedrag, "12,5", "12.5" },
        { F.Bedrag, "0,01", "0.01" },
        { F.Bedrag, "1.234,56", "1234.56" },
        { F.Bedrag, "1,234.56", "1234.56" },
        { F.Bedrag, "1 234,56", "1234.56" },
        { F.Bedrag, "€ 1.234,56", "1234.56" },
        { F.Bedrag, "100000", "100000" },
        { F.Bedrag, "100.000,00", "100000" },

        // Partner type: the DDAS names, including the two with a space.
        { F.PartnerType, "CAK Zorgverzekeringen", "CAK Zorgverzekeringen" },
        { F.PartnerType, "cak zorgverzekeringen", "CAK Zorgverzekeringen" },
        { F.PartnerType, "Dienst Toeslagen", "Dienst Toeslagen" },

        // Phone: +31 and 0031 become 0; spaces, dashes and the (0) trunk are dropped; foreign numbers stay E.164.
        { F.Telefoon, "+31612345678", "0612345678" },
        { F.Telefoon, "0031612345678", "0612345678" },
        { F.Telefoon, "06-12345678", "0612345678" },
        { F.Telefoon, "06 1234 5678", "0612345678" },
        { F.Telefoon, "+31 (0)6 1234 5678", "0612345678" },
        { F.Telefoon, "0031 6 12 34 56 78", "0612345678" },
        { F.Telefoon, "010-1234567", "0101234567" },
        { F.Telefoon, "+32 2 123 45 67", "+3221234567" },

        // E-mail: lower-cased.
        { F.Email, "J.Jansen@Example.NL", "j.jansen@example.nl" },
        { F.Email, "jan+vroeg@mail.example.org", "jan+vroeg@mail.example.org" },

        // Names: diacritics, apostrophes, prefixes and double surnames are normal Dutch names.
        { F.Achternaam, "d'Hondt", "d'Hondt" },
        { F.Achternaam, "Öztürk", "Öztürk" },
        { F.Achternaam, "O\u0308ztu\u0308rk", "Öztürk" },
        { F.Achternaam, "Ĳzerman", "Ĳzerman" },
        { F.Achternaam, "'t Hart", "'t Hart" },
        { F.Achternaam, "’t Hooft", "’t Hooft" },
        { F.Achternaam, "N'Diaye", "N'Diaye" },
        { F.Achternaam, "N’Diaye", "N’Diaye" },
        { F.Achternaam, "Bakker-de Vries", "Bakker-de Vries" },
        { F.Achternaam, "  Jansen   de  Boer ", "Jansen de Boer" },
        { F.Voorvoegsel, "van der", "van der" },
        { F.Voorvoegsel, "van 't", "van 't" },
        { F.Voorvoegsel, "'t", "'t" },
        { F.Voorvoegsel, "d'", "d'" },
        { F.Voorletters, "J.P.", "J.P." },
        { F.Voorletters, "Ö.", "Ö." },
        { F.Voorletters, "J.-P.", "J.-P." },

        // Street and place names include Dutch article prefixes too.
        { F.Straatnaam, "Laan van Nieuw Oost-Indië", "Laan van Nieuw Oost-Indië" },
        { F.Straatnaam, "2e Hugo de Grootstraat", "2e Hugo de Grootstraat" },
        { F.Straatnaam, "'t Zand", "'t Zand" },
        { F.Plaatsnaam, "Nijmegen", "Nijmegen" },
        { F.Plaatsnaam, "'s-Hertogenbosch", "'s-Hertogenbosch" },
        { F.Plaatsnaam, "'s-Gravenhage", "'s-Gravenhage" },
    };

    public static TheoryData<string, string, string, string> RejectedValues => new()
    {
        // Postcode
        { F.Postcode, "0123AB", F.Postcode, "postcode.invalid" },
        { F.Postcode, "1234SA", F.Postcode, "postcode.invalid" },
        { F.Postcode, "1234 sd", F.Postcode, "postcode.invalid" },
        { F.Postcode, "1234SS", F.Postcode, "postcode.invalid" },
        { F.Postcode, "1234A", F.Postcode, "postcode.invalid" },
        { F.Postcode, "12345AB", F.Postcode, "postcode.invalid" },
        { F.Postcode, "AB1234", F.Postcode, "postcode.invalid" },
        { F.Postcode, "1234ÄB", F.Postcode, "postcode.invalid" },
        { F.Postcode, " ", F.Postcode, ErrorCodes.Required },

        // House number and addition
        { F.Huisnummer, "0", F.Huisnummer, "huisnummer.invalid" },
        { F.Huisnummer, "100000", F.Huisnummer, "huisnummer.invalid" },
        { F.Huisnummer, "-3", F.Huisnummer, "huisnummer.invalid" },
        { F.Huisnummer, "12.5", F.Huisnummer, "huisnummer.invalid" },
        { F.Huisnummer, "twaalf", F.Huisnummer, "huisnummer.invalid" },
        { F.Huisnummer, "", F.Huisnummer, ErrorCodes.Required },
        { F.Toevoeging, "ABCDEFG", F.Toevoeging, "huisnummertoevoeging.invalid" },
        { F.Toevoeging, "A#", F.Toevoeging, "huisnummertoevoeging.invalid" },
        { F.Toevoeging, "ä", F.Toevoeging, "huisnummertoevoeging.invalid" },

        // BSN (only checked when present)
        { F.Bsn, SyntheticBsn.Corrupt(ValidBsn), F.Bsn, "bsn.invalid" },
        { F.Bsn, ValidBsn[..8] + "x", F.Bsn, "bsn.invalid" },
        { F.Bsn, "000000000", F.Bsn, "bsn.invalid" },
        { F.Bsn, ValidBsn + "0", F.Bsn, "bsn.invalid" },
        { F.Bsn, ValidBsn[..7], F.Bsn, "bsn.invalid" },

        // Dates: ontstaansdatum ≤ signaaldatum ≤ today, nothing absurdly old, readable spellings only
        { F.Signaaldatum, "2026-11-21", F.Signaaldatum, "signaaldatum.in_future" },
        { F.Signaaldatum, "2025-11-19", F.Signaaldatum, "signaaldatum.too_old" },
        { F.Signaaldatum, "31-02-2026", F.Signaaldatum, "datum.invalid" },
        { F.Signaaldatum, "2026/11/16", F.Signaaldatum, "datum.invalid" },
        { F.Signaaldatum, "gisteren", F.Signaaldatum, "datum.invalid" },
        { F.Signaaldatum, "", F.Signaaldatum, ErrorCodes.Required },
        { F.Ontstaansdatum, "2026-11-17", F.Ontstaansdatum, "ontstaansdatum.after_signaaldatum" },
        { F.Ontstaansdatum, "2021-11-19", F.Ontstaansdatum, "ontstaansdatum.too_old" },
        { F.Ontstaansdatum, "", F.Ontstaansdatum, ErrorCodes.Required },
        { F.Herinnering, "2026-07-31", F.Herinnering, "herinnering.out_of_range" },
        { F.Herinnering, "2026-11-17", F.Herinnering, "herinnering.out_of_range" },
        { F.Herinnering, "", F.Herinnering, ErrorCodes.Required },
        { F.Geboortedatum, "2015-01-01", F.Geboortedatum, "geboortedatum.out_of_range" },
        { F.Geboortedatum, "1900-01-01", F.Geboortedatum, "geboortedatum.out_of_range" },
        { F.Geboortedatum, "", F.Geboortedatum, ErrorCodes.Required },

        // Amount
        { F.Bedrag, "0", F.Bedrag, "bedrag.not_positive" },
        { F.Bedrag, "0,00", F.Bedrag, "bedrag.not_positive" },
        { F.Bedrag, "-12,50", F.Bedrag, "bedrag.not_positive" },
        { F.Bedrag, "100000,01", F.Bedrag, "bedrag.too_large" },
        { F.Bedrag, "250.000,00", F.Bedrag, "bedrag.too_large" },
        // One separator before exactly three digits is a thousands separator or three decimals: refused, not guessed.
        { F.Bedrag, "12,345", F.Bedrag, "bedrag.ambiguous" },
        { F.Bedrag, "1.250", F.Bedrag, "bedrag.ambiguous" },
        { F.Bedrag, "12.3456", F.Bedrag, "bedrag.precision" },
        { F.Bedrag, "12.345,678", F.Bedrag, "bedrag.precision" },
        { F.Bedrag, "twaalf euro", F.Bedrag, "bedrag.invalid" },
        { F.Bedrag, "12,50,00", F.Bedrag, "bedrag.invalid" },
        { F.Bedrag, "1e3", F.Bedrag, "bedrag.invalid" },
        { F.Bedrag, "", F.Bedrag, ErrorCodes.Required },

        // Partner type
        { F.PartnerType, "Gas", F.PartnerType, "signaalpartnerType.unknown" },
        { F.PartnerType, "Zorgverzekeraar", F.PartnerType, "signaalpartnerType.unknown" },
        { F.PartnerType, "", F.PartnerType, ErrorCodes.Required },

        // Bgs preconditions: present and true
        { F.PersoonlijkContact, "false", F.PersoonlijkContact, "voorwaarden.not_met" },
        { F.PersoonlijkContact, "nee", F.PersoonlijkContact, "voorwaarden.not_met" },
        { F.GewezenOpSchuldhulp, "false", F.GewezenOpSchuldhulp, "voorwaarden.not_met" },
        { F.GewezenOpSchuldhulp, "0", F.GewezenOpSchuldhulp, "voorwaarden.not_met" },
        { F.PersoonlijkContact, "misschien", F.PersoonlijkContact, "boolean.invalid" },
        { F.PersoonlijkContact, "", F.PersoonlijkContact, ErrorCodes.Required },
        { F.GewezenOpSchuldhulp, "", F.GewezenOpSchuldhulp, ErrorCodes.Required },
        { F.Crisissignaal, "soms", F.Crisissignaal, "boolean.invalid" },

        // Phone and e-mail
        { F.Telefoon, "12345", F.Telefoon, "telefoonnummer.invalid" },
        { F.Telefoon, "06-1234567", F.Telefoon, "telefoonnummer.invalid" },
        { F.Telefoon, "+31 6 1234 56789", F.Telefoon, "telefoonnummer.invalid" },
        { F.Telefoon, "0612345678 toestel 2", F.Telefoon, "telefoonnummer.invalid" },
        { F.Telefoon, "bel mij", F.Telefoon, "telefoonnummer.invalid" },
        { F.Email, "jan.jansen@", F.Email, "email.invalid" },
        { F.Email, "jan.jansen.example.nl", F.Email, "email.invalid" },
        { F.Email, "jan@example", F.Email, "email.invalid" },
        { F.Email, "jan jansen@example.nl", F.Email, "email.invalid" },

        // Names: digits and symbols are not part of a name; lengths are bounded
        { F.Achternaam, "Jansen2", F.Achternaam, ErrorCodes.InvalidCharacters },
        { F.Achternaam, "J@nsen", F.Achternaam, ErrorCodes.InvalidCharacters },
        { F.Achternaam, "Jansen 😀", F.Achternaam, ErrorCodes.InvalidCharacters },
        { F.Achternaam, "<script>", F.Achternaam, ErrorCodes.InvalidCharacters },
        { F.Voorvoegsel, "van 3", F.Voorvoegsel, ErrorCodes.InvalidCharacters },
        { F.Voorletters, "J.1", F.Voorletters, ErrorCodes.InvalidCharacters },
        { F.Voorletters, "J'", F.Voorletters, ErrorCodes.InvalidCharacters },
        { F.Achternaam, new string('a', SignalValidator.MaxSurnameLength + 1), F.Achternaam, ErrorCodes.TooLong },
        { F.Voorvoegsel, new string('a', SignalValidator.MaxPrefixLength + 1), F.Voorvoegsel, ErrorCodes.TooLong },
        { F.Voorletters, new string('A', SignalValidator.MaxInitialsLength + 1), F.Voorletters, ErrorCodes.TooLong },
        { F.Straatnaam, new string('a', SignalValidator.MaxStreetLength + 1), F.Straatnaam, ErrorCodes.TooLong },
        { F.Plaatsnaam, "Amsterdam!", F.Plaatsnaam, ErrorCodes.InvalidCharacters },
        { F.Achternaam, "", F.Achternaam, ErrorCodes.Required },

        // Reference
        { F.Referentie, "", F.Referentie, ErrorCodes.Required },
        { F.Referentie, "HUUR 123", F.Referentie, "signaalReferentie.invalid" },
        { F.Referentie, new string('R', SignalValidator.MaxReferenceLength + 1), F.Referentie, ErrorCodes.TooLong },

        // End of supply only for Energie and Water (the valid row is Huur)
        { F.Eindeleveringsdatum, "2026-12-18", F.Eindeleveringsdatum, "eindeleveringsdatum.not_allowed" },
    };

    [Theory]
    [MemberData(nameof(AcceptedValues))]
    public void An_accepted_value_yields_a_signal_with_the_normalised_value(string field, string input, string expected)
    {
        var result = SignalRows.Validate((field, input));

        Assert.True(result.IsValid, $"{field} = '{input}' was rejected: {SignalRows.Describe(result)}");
        Assert.Empty(result.Errors);
        if (field == F.Bedrag)
        {
            Assert.Equal(decimal.Parse(expected, CultureInfo.InvariantCulture), result.Signal!.Bedrag);
        }
        else
        {
            Assert.Equal(expected, Normalised(result.Signal!, field));
        }
    }

    [Theory]
    [MemberData(nameof(RejectedValues))]
    public void A_rejected_value_is_reported_with_its_field_path_and_a_stable_code(string field, string input, string errorField, string code)
    {
        var result = SignalRows.Validate((field, input));

        Assert.False(result.IsValid);
        Assert.Null(result.Signal);
        Assert.True(
            result.Errors.Any(e => e.Field == errorField && e.Code == code),
            $"{field} = '{input}': expected {errorField} {code}, got {SignalRows.Describe(result)}");
        Assert.All(result.Errors, e =>
        {
            Assert.Equal(1, e.Row);
            Assert.False(string.IsNullOrWhiteSpace(e.Message));
            if (field != F.Referentie)
            {
                Assert.Equal("HUUR-2026-000123", e.SignaalReferentie);
            }
        });
    }

    [Fact]
    public void The_reference_row_is_valid_and_every_field_is_carried_over()
    {
        var result = SignalRows.Validate();

        Assert.True(result.IsValid, SignalRows.Describe(result));
        var s = result.Signal!;
        Assert.Equal("HUUR-2026-000123", s.SignaalReferentie);
        Assert.Equal(PartnerType.Huur, s.PartnerType);
        Assert.Equal(845.50m, s.Bedrag);
        Assert.Equal(new DateOnly(2026, 8, 1), s.Ontstaansdatum);
        Assert.Equal(new DateOnly(2026, 11, 16), s.Signaaldatum);
        Assert.False(s.Crisissignaal);
        Assert.False(s.WarmeOverdracht);
        Assert.Null(s.Eindeleveringsdatum);
        Assert.Equal(new Voorwaarden(new DateOnly(2026, 9, 1), true, true), s.Voorwaarden);
        Assert.Equal(
            new ClientDetails(null, "J.", null, "Jansen", new DateOnly(1985, 4, 12), "Dorpsstraat", "1234AB", 12, null, "Amsterdam", "0612345678", "j.jansen@example.nl"),
            s.Client);
    }

    [Fact]
    public void Optional_contact_and_name_fields_may_be_left_out()
    {
        var result = SignalRows.Validate(
            (F.Voorletters, null), (F.Straatnaam, null), (F.Plaatsnaam, null), (F.Telefoon, null), (F.Email, null), (F.Bsn, null));

        Assert.True(result.IsValid, SignalRows.Describe(result));
        var c = result.Signal!.Client;
        Assert.Null(c.Voorletters);
        Assert.Null(c.Straatnaam);
        Assert.Null(c.Plaatsnaam);
        Assert.Null(c.Telefoonnummer);
        Assert.Null(c.Email);
        Assert.Null(c.Burgerservicenummer);
    }

    [Fact]
    public void Several_errors_in_one_row_are_all_reported_each_with_its_own_field()
    {
        var result = SignalRows.Validate(
            (F.Postcode, "0123AB"),
            (F.Bedrag, "-5"),
            (F.Email, "geen-mail"),
            (F.PersoonlijkContact, "false"),
            (F.Achternaam, "Jansen2"),
            (F.Signaaldatum, "2026-12-01"));

        Assert.False(result.IsValid);
        var reported = result.Errors.Select(e => (e.Field, e.Code)).ToHashSet();
        Assert.Contains((F.Postcode, "postcode.invalid"), reported);
        Assert.Contains((F.Bedrag, "bedrag.not_positive"), reported);
        Assert.Contains((F.Email, "email.invalid"), reported);
        Assert.Contains((F.PersoonlijkContact, "voorwaarden.not_met"), reported);
        Assert.Contains((F.Achternaam, ErrorCodes.InvalidCharacters), reported);
        Assert.Contains((F.Signaaldatum, "signaaldatum.in_future"), reported);
        Assert.All(result.Errors, e => Assert.Equal("HUUR-2026-000123", e.SignaalReferentie));
    }

    [Fact]
    public void A_creditor_posting_a_partner_type_it_is_not_registered_for_is_refused()
    {
        var result = SignalRows.Validate(SignalRows.Row((F.PartnerType, "Energie")), SignalRows.RegisteredForHuur);

        var error = Assert.Single(result.Errors);
        Assert.Equal(F.PartnerType, error.Field);
        Assert.Equal("signaalpartnerType.not_registered", error.Code);
    }

    [Fact]
    public void A_creditor_posting_its_registered_partner_type_is_accepted()
    {
        var result = SignalRows.Validate(SignalRows.Row(), SignalRows.RegisteredForHuur);

        Assert.True(result.IsValid, SignalRows.Describe(result));
    }

    public static TheoryData<string, PartnerType> DdasPartnerTypes => new()
    {
        { "Energie", PartnerType.Energie },
        { "Huur", PartnerType.Huur },
        { "Hypotheek", PartnerType.Hypotheek },
        { "CAK Zorgverzekeringen", PartnerType.CakZorgverzekeringen },
        { "Zorg", PartnerType.Zorg },
        { "Water", PartnerType.Water },
        { "DUO", PartnerType.Duo },
        { "Belastingdienst", PartnerType.Belastingdienst },
        { "CAK Eigen bijdrage", PartnerType.CakEigenBijdrage },
        { "Overige", PartnerType.Overige },
        { "Dienst Toeslagen", PartnerType.DienstToeslagen },
    };

    [Theory]
    [MemberData(nameof(DdasPartnerTypes))]
    public void Every_ddas_partner_type_name_is_accepted_for_a_creditor_registered_for_it(string name, PartnerType expected)
    {
        var result = SignalRows.Validate(SignalRows.Row((F.PartnerType, name)), new HashSet<PartnerType> { expected });

        Assert.True(result.IsValid, SignalRows.Describe(result));
        Assert.Equal(expected, result.Signal!.PartnerType);
    }

    [Theory]
    [InlineData("Energie")]
    [InlineData("Water")]
    public void An_end_of_supply_date_is_accepted_from_energy_and_water_companies(string type)
    {
        var result = SignalRows.Validate((F.PartnerType, type), (F.Eindeleveringsdatum, "18-12-2026"));

        Assert.True(result.IsValid, SignalRows.Describe(result));
        Assert.Equal(new DateOnly(2026, 12, 18), result.Signal!.Eindeleveringsdatum);
    }

    [Theory]
    [InlineData("Huur")]
    [InlineData("Hypotheek")]
    [InlineData("Zorg")]
    [InlineData("CAK Zorgverzekeringen")]
    [InlineData("Belastingdienst")]
    public void An_end_of_supply_date_is_refused_from_other_creditors(string type)
    {
        var result = SignalRows.Validate((F.PartnerType, type), (F.Eindeleveringsdatum, "2026-12-18"));

        var error = Assert.Single(result.Errors);
        Assert.Equal(F.Eindeleveringsdatum, error.Field);
        Assert.Equal("eindeleveringsdatum.not_allowed", error.Code);
    }

    [Theory]
    [InlineData("2026-11-15", "eindeleveringsdatum.before_signaaldatum")]
    [InlineData("2027-11-17", "eindeleveringsdatum.too_far")]
    [InlineData("18-12-20266", "datum.invalid")]
    public void An_end_of_supply_date_must_be_a_date_after_the_signal_date(string date, string code)
    {
        var result = SignalRows.Validate((F.PartnerType, "Energie"), (F.Eindeleveringsdatum, date));

        var error = Assert.Single(result.Errors);
        Assert.Equal(F.Eindeleveringsdatum, error.Field);
        Assert.Equal(code, error.Code);
    }

    [Fact]
    public void A_house_number_with_an_addition_and_a_separate_addition_is_refused()
    {
        var result = SignalRows.Validate((F.Huisnummer, "12A"), (F.Toevoeging, "B"));

        var error = Assert.Single(result.Errors);
        Assert.Equal(F.Huisnummer, error.Field);
        Assert.Equal("huisnummer.invalid", error.Code);
    }

    [Theory]
    [InlineData("12 abcdefg")]
    [InlineData("12-ABCDEFGH")]
    [InlineData("12 abcdefghi")]
    public void A_bad_addition_written_inside_the_house_number_is_reported_on_the_house_number(string huisnummer)
    {
        // The creditor sent no huisnummertoevoeging: the precise path of the bad value is client.huisnummer.
        var result = SignalRows.Validate((F.Huisnummer, huisnummer), (F.Toevoeging, null));

        var error = Assert.Single(result.Errors);
        Assert.Equal(F.Huisnummer, error.Field);
    }

    [Fact]
    public void The_upper_bound_of_the_amount_is_the_configured_intake_limit()
    {
        var validator = new SignalValidator(new IntakeLimits { MaxAmount = 5_000m });

        var atLimit = validator.Validate(SignalRows.Row((F.Bedrag, "5.000,00")), SignalRows.Today, SignalRows.RegisteredForAll);
        var overLimit = validator.Validate(SignalRows.Row((F.Bedrag, "5.000,01")), SignalRows.Today, SignalRows.RegisteredForAll);

        Assert.True(atLimit.IsValid, SignalRows.Describe(atLimit));
        Assert.Contains(overLimit.Errors, e => e.Field == F.Bedrag && e.Code == "bedrag.too_large");
    }

    [Fact]
    public void The_default_upper_bound_of_the_amount_is_explicit()
    {
        Assert.Equal(100_000m, new IntakeLimits().MaxAmount);
    }

    [Fact]
    public void Arrears_that_start_remind_and_are_signalled_on_one_day_are_accepted()
    {
        var result = SignalRows.Validate(
            (F.Ontstaansdatum, "16-11-2026"), (F.Herinnering, "2026-11-16"), (F.Signaaldatum, "2026-11-16"));

        Assert.True(result.IsValid, SignalRows.Describe(result));
    }

    [Fact]
    public void A_signal_date_exactly_the_maximum_age_ago_is_still_accepted()
    {
        var result = SignalRows.Validate(
            (F.Signaaldatum, "2025-11-20"), (F.Ontstaansdatum, "2025-10-01"), (F.Herinnering, "2025-11-01"));

        Assert.True(result.IsValid, SignalRows.Describe(result));
    }

    [Fact]
    public void Crisis_and_warm_handover_flags_accept_dutch_and_english_booleans()
    {
        var result = SignalRows.Validate((F.Crisissignaal, "ja"), (F.WarmeOverdracht, "TRUE"));

        Assert.True(result.IsValid, SignalRows.Describe(result));
        Assert.True(result.Signal!.Crisissignaal);
        Assert.True(result.Signal.WarmeOverdracht);
    }

    [Fact]
    public void Shape_errors_found_while_parsing_are_reported_with_the_rows_reference()
    {
        var row = SignalRows.Row();
        row.AddShapeError("client.nationaliteit", ErrorCodes.Unknown, "not a field");

        var result = SignalRows.Validate(row);

        var error = Assert.Single(result.Errors);
        Assert.Equal("client.nationaliteit", error.Field);
        Assert.Equal(ErrorCodes.Unknown, error.Code);
        Assert.Equal("HUUR-2026-000123", error.SignaalReferentie);
        Assert.Null(result.Signal);
    }

    private static string? Normalised(IncomingSignal s, string field) => field switch
    {
        F.Postcode => s.Client.Postcode,
        F.Huisnummer or F.Toevoeging => $"{s.Client.Huisnummer.ToString(CultureInfo.InvariantCulture)}|{s.Client.Huisnummertoevoeging}",
        F.Bsn => s.Client.Burgerservicenummer,
        F.Signaaldatum => Iso(s.Signaaldatum),
        F.Ontstaansdatum => Iso(s.Ontstaansdatum),
        F.Herinnering => Iso(s.Voorwaarden.HerinneringVerstuurdOp),
        F.Geboortedatum => Iso(s.Client.Geboortedatum),
        F.PartnerType => s.PartnerType.ToDdas(),
        F.Telefoon => s.Client.Telefoonnummer,
        F.Email => s.Client.Email,
        F.Achternaam => s.Client.Achternaam,
        F.Voorvoegsel => s.Client.Voorvoegsel,
        F.Voorletters => s.Client.Voorletters,
        F.Straatnaam => s.Client.Straatnaam,
        F.Plaatsnaam => s.Client.Plaatsnaam,
        _ => throw new ArgumentOutOfRangeException(nameof(field), field, "no normalised value for this field"),
    };

    private static string Iso(DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
