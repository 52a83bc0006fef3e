using System.Text.Json.Nodes;
using NJsonSchema;
using NJsonSchema.Validation;
using VroegSignalering.Core.Common;
using VroegSignalering.Core.Households;
using VroegSignalering.Core.Intake;
using VroegSignalering.Core.Outcomes;
using VroegSignalering.Core.Protection;
using VroegSignalering.Core.Reporting;
using VroegSignalering.Core.Routing;
using VroegSignalering.Core.Triage;
using static VroegSignalering.Core.Tests.Households.HouseholdData;

namespace VroegSignalering.Core.Tests.Reporting;

/// <summary>
/// The DDAS export of a hand-built November 2026 in gemeente 0363 (synthetic throughout), validated against
/// VNG's v0.9 schema (Fixtures/ddas).
/// </summary>
public class DdasExportTests
{
    private static readonly DateOnly November1 = D(11, 1);
    private static readonly DateOnly November30 = D(11, 30);
    private static readonly AreaCodes Rotterdam = new("0599", "059901", "05990101");

    private static readonly StoredSignal Huur = Signal("s-huur", "corporatie-1", PartnerType.Huur, 850.50m, D(11, 3), ontstaansdatum: D(9, 1));
    private static readonly StoredSignal Energie = Signal("s-energie", "energie-1", PartnerType.Energie, 312.49m, D(11, 5), eindelevering: D(12, 20));
    private static readonly StoredSignal Zorg = Signal("s-zorg", "zorg-1", PartnerType.Zorg, 250m, D(11, 10), crisis: false, warm: true);
    private static readonly StoredSignal Oktober = Signal("s-oktober", "corporatie-1", PartnerType.Huur, 700m, D(10, 8));
    private static readonly StoredSignal Lopend = Signal("s-lopend", "water-1", PartnerType.Water, 120m, D(10, 18));
    private static readonly StoredSignal NogZonderZaak = Signal("s-nieuw", "corporatie-1", PartnerType.Huur, 990m, D(11, 25));
    private static readonly StoredSignal Eerste = Signal("s-eerste", "corporatie-2", PartnerType.Huur, 900m, D(11, 2));
    private static readonly StoredSignal Herhaling = Signal("s-herhaling", "corporatie-2", PartnerType.Huur, 800m, D(11, 12));
    private static readonly StoredSignal Klein = Signal("s-klein", "zorg-1", PartnerType.CakZorgverzekeringen, 30m, D(11, 14));
    private static readonly StoredSignal December = Signal("s-december", "energie-1", PartnerType.Energie, 400m, D(12, 1));
    private static readonly StoredSignal Elders = Signal("s-elders", "corporatie-1", PartnerType.Huur, 600m, D(11, 10), area: Rotterdam);
    private static readonly StoredSignal Onbekend = Signal("s-onbekend", "energie-1", PartnerType.Energie, 75m, D(11, 6));

    private static readonly ClientDetails HuurClient = new(
        "999999990", "Q.X.", "van der", "Zandbergen-Testdata", new DateOnly(1982, 3, 9), "Proefstraat", "1011AB", 7, "A",
        "Teststad", "0699887766", "q.x.zandbergen@example.nl");

    private static readonly DdasOrganisatie Organisatie = new(
        "Gemeente Proefstad", "12345678", [new DdasContactpersoon("P. Testpersoon", "010-1234567", "p.testpersoon@example.nl", "Beleidsmedewerker")]);

    public static TheoryData<string, string?> Statuses => new()
    {
        { "s-huur", null },
        { "s-energie", null },
        { "s-zorg", DdasValues.Overleden },
        { "s-lopend", DdasValues.NogNietOpgepakt },
        { "s-nieuw", DdasValues.NogNietOpgepakt },
        { "s-eerste", null },
        { "s-herhaling", DdasValues.HerhaaldeMelding },
        { "s-klein", DdasValues.AndereReden },
        { "s-onbekend", null },
    };

    [Fact]
    public async Task The_export_of_a_month_validates_against_the_DDAS_schema()
    {
        var json = Export(clientDetails: id => id == Huur.SignalId ? HuurClient : null).ToJson();

        var errors = await ValidateAsync(json);

        Assert.True(errors.Count == 0, string.Join('\n', errors) + "\n" + json);
    }

    [Theory]
    [InlineData("enkelvoudigVoorbeeld.json")]
    [InlineData("meervoudigVoorbeeld.json")]
    public async Task The_DDAS_examples_validate_against_the_fixture_schema(string example)
    {
        var errors = await ValidateAsync(await File.ReadAllTextAsync(Fixture(example)));

        Assert.Empty(errors);
    }

    [Fact]
    public async Task A_schema_violation_is_detected_so_a_clean_export_means_something()
    {
        var export = JsonNode.Parse(Export().ToJson())!;
        export["leveringen"]![0]!["vroegsignalen"]![0]!["bedrag"] = 850.5;

        var errors = await ValidateAsync(export.ToJsonString());

        Assert.Equal(ValidationErrorKind.IntegerExpected, Assert.Single(errors).Kind);
    }

    [Theory]
    [InlineData("12.50", 13L)]
    [InlineData("12.49", 12L)]
    [InlineData("0.50", 1L)]
    [InlineData("0.49", 0L)]
    [InlineData("1234.5", 1235L)]
    [InlineData("99.99", 100L)]
    [InlineData("100.00", 100L)]
    [InlineData("13.50", 14L)]
    public void Amounts_are_whole_euros_rounded_half_away_from_zero(string bedrag, long expected)
    {
        Assert.Equal(expected, DdasExport.WholeEuros(decimal.Parse(bedrag, System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Fact]
    public void Amounts_in_the_export_are_json_integers()
    {
        var signals = SignalsById(Export());

        Assert.Equal("851", signals["s-huur"]["bedrag"]!.ToJsonString());
        Assert.Equal("312", signals["s-energie"]["bedrag"]!.ToJsonString());
        Assert.Equal("250", signals["s-zorg"]["bedrag"]!.ToJsonString());
    }

    [Theory]
    [MemberData(nameof(Statuses))]
    public void The_signal_status_follows_the_case_and_its_tasks(string signalId, string? expected)
    {
        var signal = SignalsById(Export())[signalId];

        Assert.Equal(expected, (string?)signal["status"]);
        Assert.Equal(expected is not null, signal.ContainsKey("status"));
    }

    [Fact]
    public void Every_status_in_the_export_is_a_DDAS_signal_status()
    {
        var statuses = SignalsById(Export()).Values.Select(s => (string?)s["status"]).OfType<string>().ToList();

        Assert.NotEmpty(statuses);
        Assert.All(statuses, s => Assert.Contains(s, DdasValues.Signaalstatus));
    }

    [Fact]
    public void The_period_selects_cases_open_in_it_and_signals_dated_in_it_or_referred_to()
    {
        var export = Export();

        var levering = Assert.Single(export.Uitwisselmodel.Leveringen);
        Assert.Equal(
            ["s-lopend", "s-eerste", "s-huur", "s-energie", "s-onbekend", "s-zorg", "s-herhaling", "s-klein", "s-nieuw"],
            levering.Vroegsignalen.Select(s => s.Id).ToArray());
        Assert.Equal(
            [["s-lopend"], ["s-eerste", "s-herhaling"], ["s-huur", "s-energie"], ["s-onbekend"], ["s-zorg"], ["s-klein"]],
            levering.Vroegsignaalzaken.Select(z => z.Vroegsignalen.Select(r => r.Id).ToArray()).ToArray());
        Assert.DoesNotContain(levering.Vroegsignalen, s => s.Id is "s-oktober" or "s-december" or "s-elders");
        Assert.All(levering.Vroegsignaalzaken.SelectMany(z => z.Vroegsignalen), r => Assert.Contains(levering.Vroegsignalen, s => s.Id == r.Id));
    }

    [Fact]
    public void A_signal_whose_case_opened_after_the_period_is_delivered_as_not_yet_picked_up_and_its_case_next_period()
    {
        var late = Signal("s-laat", "corporatie-1", PartnerType.Huur, 640m, D(11, 29));
        var lateCase = CaseOf("c-laat", At(12, 2, 9), CaseStatus.TaskDispatched, late);
        var lateTask = TaskFor("c-laat", 1, At(12, 2, 9), late);
        var source = new DdasExportSource([lateCase], [late], [lateTask], [Outbox(lateTask, At(12, 2, 10))]);

        var november = DdasExport.Build(Request(), source).Uitwisselmodel.Leveringen[0];
        var december = DdasExport.Build(Request() with { StartdatumLevering = D(12, 1), EinddatumLevering = D(12, 31) }, source).Uitwisselmodel.Leveringen[0];

        Assert.Equal(DdasValues.NogNietOpgepakt, Assert.Single(november.Vroegsignalen).Status);
        Assert.Empty(november.Vroegsignaalzaken);
        Assert.Null(Assert.Single(december.Vroegsignalen).Status);
        Assert.Equal(D(12, 2), Assert.Single(december.Vroegsignaalzaken).DatumOpgepakt);
    }

    [Fact]
    public void A_dispatch_and_a_closing_after_the_period_are_not_in_it_yet()
    {
        var signal = Signal("s-later", "corporatie-1", PartnerType.Huur, 640m, D(11, 20));
        var closing = CaseOf("c-later", At(11, 21, 9), CaseStatus.Closed, signal) with { Resultaat = DdasValues.Overleden, ClosedAt = At(12, 3, 9) };
        var task = TaskFor("c-later", 1, At(11, 21, 9), signal);
        var source = new DdasExportSource([closing], [signal], [task], [Outbox(task, At(12, 2, 10))]);

        var november = DdasExport.Build(Request(), source).Uitwisselmodel.Leveringen[0];
        var december = DdasExport.Build(Request() with { StartdatumLevering = D(12, 1), EinddatumLevering = D(12, 31) }, source).Uitwisselmodel.Leveringen[0];

        var open = Assert.Single(november.Vroegsignaalzaken);
        Assert.Null(open.Resultaat);
        Assert.Null(open.DatumOpgepakt);
        Assert.Equal(DdasValues.NogNietOpgepakt, Assert.Single(november.Vroegsignalen).Status);
        var closed = Assert.Single(december.Vroegsignaalzaken);
        Assert.Equal(DdasValues.Overleden, closed.Resultaat);
        Assert.Equal(D(12, 2), closed.DatumOpgepakt);
        Assert.Equal(DdasValues.Overleden, Assert.Single(december.Vroegsignalen).Status);
    }

    [Fact]
    public async Task A_case_s_contact_attempts_are_its_contactpogingen_oldest_first_and_the_export_still_validates()
    {
        var source = Source();
        source = new DdasExportSource(source.Cases, source.Signals, source.Tasks, source.Outbox)
        {
            Attempts =
            [
                Attempt("c-huur", "a2", "Telefoon", bereikt: true, D(11, 9), "Avond"),
                Attempt("c-huur", "a1", "Brief", bereikt: false, D(11, 5), "Ochtend"),
                Attempt("c-huur", "a3", "Huisbezoek", bereikt: false, D(12, 2), "Middag"),
                Attempt("c-elders", "a1", "Brief", bereikt: false, D(11, 12), "Ochtend"),
            ],
        };

        var export = DdasExport.Build(Request(), source);
        var zaken = export.Uitwisselmodel.Leveringen[0].Vroegsignaalzaken;

        // The December visit had not happened by the end of November; Rotterdam's attempt is not Amsterdam's.
        var huur = Assert.Single(zaken, z => z.Vroegsignalen.Any(r => r.Id == "s-huur"));
        Assert.Equal(
            [new DdasContactpoging("Brief", false, D(11, 5), "Ochtend"), new DdasContactpoging("Telefoon", true, D(11, 9), "Avond")],
            huur.Contactpogingen);
        Assert.All(zaken.Where(z => z != huur), z => Assert.Empty(z.Contactpogingen));
        var errors = await ValidateAsync(export.ToJson());
        Assert.True(errors.Count == 0, string.Join('\n', errors));
        var poging = JsonNode.Parse(export.ToJson())!["leveringen"]![0]!["vroegsignaalzaken"]!.AsArray()
            .Single(z => z!["vroegsignalen"]![0]!["ID"]!.GetValue<string>() == "s-huur")!["contactpogingen"]![1]!;
        Assert.Equal(["soort", "bereikt", "datum", "dagdeel"], poging.AsObject().Select(p => p.Key).ToArray());
        Assert.Equal("2026-11-09", (string?)poging["datum"]);
    }

    [Fact]
    public async Task A_contactpoging_outside_the_DDAS_enumerations_is_caught_by_the_schema()
    {
        var source = Source();
        source = new DdasExportSource(source.Cases, source.Signals, source.Tasks, source.Outbox)
        {
            Attempts = [Attempt("c-huur", "a1", "Postduif", bereikt: false, D(11, 5), "Nacht")],
        };

        var errors = await ValidateAsync(DdasExport.Build(Request(), source).ToJson());

        Assert.Contains(errors, e => e.Path?.Contains("contactpogingen", StringComparison.Ordinal) == true);
    }

    [Fact]
    public void A_case_closed_before_the_period_is_left_out_and_one_closed_in_it_carries_its_resultaat()
    {
        var zaken = Export().Uitwisselmodel.Leveringen[0].Vroegsignaalzaken;

        Assert.DoesNotContain(zaken, z => z.Vroegsignalen.Any(r => r.Id == "s-oktober"));
        var closed = Assert.Single(zaken, z => z.Vroegsignalen.Any(r => r.Id == "s-zorg"));
        Assert.Equal(DdasValues.Overleden, closed.Resultaat);
        Assert.All(zaken.Where(z => z != closed), z => Assert.Null(z.Resultaat));
    }

    [Fact]
    public void Another_gemeente_s_cases_and_signals_are_left_out()
    {
        var json = Export().ToJson();

        Assert.DoesNotContain("s-elders", json, StringComparison.Ordinal);
    }

    [Fact]
    public void A_case_records_matching_date_matching_period_and_the_Amsterdam_date_of_its_first_dispatch()
    {
        var zaak = Export().Uitwisselmodel.Leveringen[0].Vroegsignaalzaken.Single(z => z.Vroegsignalen[0].Id == "s-huur");

        Assert.Equal(D(11, 4), zaak.Matchingsdatum);
        Assert.Equal(D(11, 3), zaak.StartdatumMatchingperiode);
        Assert.Equal(D(11, 5), zaak.EinddatumMatchingperiode);
        // Dispatched 4 November 23:30 UTC: already the 5th in Amsterdam. Revision 2 went out later and does not count.
        Assert.Equal(D(11, 5), zaak.DatumOpgepakt);
        Assert.Empty(zaak.Contactpogingen);
    }

    [Fact]
    public void A_case_whose_task_was_not_dispatched_has_no_datum_opgepakt()
    {
        var zaken = JsonNode.Parse(Export().ToJson())!["leveringen"]![0]!["vroegsignaalzaken"]!.AsArray();

        var lopend = zaken.Single(z => (string?)z!["vroegsignalen"]![0]!["ID"] == "s-lopend")!.AsObject();
        Assert.False(lopend.ContainsKey("datum_opgepakt"));
        Assert.False(lopend.ContainsKey("resultaat"));
        Assert.Empty(lopend["contactpogingen"]!.AsArray());
    }

    [Fact]
    public void A_case_closed_with_a_resultaat_outside_DDAS_is_reported_as_an_issue_and_delivered_without_resultaat()
    {
        var export = Export();

        var issue = Assert.Single(export.Issues);
        Assert.Equal("c-onbekend", issue.Id);
        Assert.Equal("resultaat_not_ddas", issue.Code);
        Assert.Null(export.Uitwisselmodel.Leveringen[0].Vroegsignaalzaken.Single(z => z.Vroegsignalen[0].Id == "s-onbekend").Resultaat);
    }

    [Fact]
    public void A_case_whose_signals_are_missing_from_the_source_is_left_out_with_issues_and_no_dangling_reference()
    {
        var source = Source();
        var weesCase = CaseOf("c-wees", At(11, 8, 9), CaseStatus.Triaged, Signal("s-weg", "corporatie-1", PartnerType.Huur, 500m, D(11, 7)));
        var huurCase = source.Cases[0] with { SignalIds = [.. source.Cases[0].SignalIds, "s-ook-weg"] };

        var export = DdasExport.Build(Request(), source with { Cases = [huurCase, .. source.Cases.Skip(1), weesCase] });

        Assert.Contains(new DdasExportIssue("c-huur", "signal_missing", "the case refers to signals that are not in the source; they are left out"), export.Issues);
        Assert.Contains(export.Issues, i => i is { Id: "c-wees", Code: "case_without_signals" });
        var levering = export.Uitwisselmodel.Leveringen[0];
        Assert.Equal(["s-huur", "s-energie"], levering.Vroegsignaalzaken.Single(z => z.Vroegsignalen[0].Id == "s-huur").Vroegsignalen.Select(r => r.Id).ToArray());
        Assert.DoesNotContain(levering.Vroegsignaalzaken, z => z.Vroegsignalen.Any(r => r.Id is "s-weg" or "s-ook-weg"));
    }

    [Fact]
    public void Client_details_appear_only_as_the_caller_supplies_them_in_DDAS_spelling()
    {
        var signals = SignalsById(Export(clientDetails: id => id == Huur.SignalId ? HuurClient : null));

        var client = signals["s-huur"]["client"]!.AsObject();
        Assert.Equal(
            ["Burgerservicenummer", "Voorletters", "Voorvoegsel", "Achternaam", "Geboortedatum", "Straatnaam", "Postcode", "Huisnummer", "Huisnummertoevoeging", "Plaatsnaam"],
            client.Select(p => p.Key).ToArray());
        Assert.Equal("999999990", (string?)client["Burgerservicenummer"]);
        Assert.Equal("1982-03-09", (string?)client["Geboortedatum"]);
        Assert.Equal("\"7\"", client["Huisnummer"]!.ToJsonString());
        Assert.Empty(signals["s-energie"]["client"]!.AsObject());
    }

    [Fact]
    public void Names_with_diacritics_are_written_as_text_not_escaped()
    {
        var client = HuurClient with { Voorvoegsel = null, Achternaam = "Öztürk-Testdata" };

        var json = Export(clientDetails: id => id == Huur.SignalId ? client : null).ToJson();

        Assert.Contains("\"Achternaam\": \"Öztürk-Testdata\"", json, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_client_details_every_signal_still_has_the_required_empty_client_and_no_personal_data()
    {
        var export = Export();
        var json = export.ToJson();

        Assert.All(SignalsById(export).Values, s => Assert.Empty(s["client"]!.AsObject()));
        Assert.DoesNotContain("Zandbergen", json, StringComparison.Ordinal);
        Assert.DoesNotContain("999999990", json, StringComparison.Ordinal);
    }

    [Fact]
    public void The_file_uses_the_DDAS_property_names_and_date_formats()
    {
        var root = JsonNode.Parse(Export().ToJson())!.AsObject();

        Assert.Equal(["startdatumLevering", "einddatumLevering", "aanleverdatumEnTijd", "codeGegevensleverancier", "leveringen"], root.Select(p => p.Key).ToArray());
        Assert.Equal("2026-11-01", (string?)root["startdatumLevering"]);
        Assert.Equal("2026-11-30", (string?)root["einddatumLevering"]);
        Assert.Equal("2026-12-05T09:30:00Z", (string?)root["aanleverdatumEnTijd"]);
        var levering = root["leveringen"]![0]!.AsObject();
        Assert.Equal(["teller", "gemeentecode", "aanleverende_organisatie", "vroegsignalen", "vroegsignaalzaken"], levering.Select(p => p.Key).ToArray());
        Assert.Equal(1, (int)levering["teller"]!);
        Assert.Equal("0363", (string?)levering["gemeentecode"]);
        Assert.Equal(["naam", "kvk-nummer", "contactpersoonen"], levering["aanleverende_organisatie"]!.AsObject().Select(p => p.Key).ToArray());
        var zaak = levering["vroegsignaalzaken"]!.AsArray().Select(z => z!.AsObject()).First(z => z.ContainsKey("datum_opgepakt"));
        Assert.Equal(
            ["matchingsdatum", "startdatum_matchtingperiode", "datum_opgepakt", "einddatum_matchingperiode", "vroegsignalen", "contactpogingen"],
            zaak.Select(p => p.Key).ToArray());
        var signaal = levering["vroegsignalen"]!.AsArray().Select(s => s!.AsObject()).Single(s => (string?)s["ID"] == "s-energie");
        Assert.Equal(["ID", "crisissignaal", "warmeOverdracht", "bedrag", "ontstaansdatum", "signaaldatum", "signaalpartner", "client"], signaal.Select(p => p.Key).ToArray());
        Assert.Equal("Energie", (string?)signaal["signaalpartner"]!["type"]);
        Assert.Equal("2026-11-05", (string?)signaal["signaaldatum"]);
    }

    [Fact]
    public void Signaalpartner_types_use_the_DDAS_spelling()
    {
        var signals = SignalsById(Export());

        Assert.Equal("CAK Zorgverzekeringen", (string?)signals["s-klein"]["signaalpartner"]!["type"]);
        Assert.True((bool)signals["s-zorg"]["warmeOverdracht"]!);
    }

    [Fact]
    public async Task An_organisation_without_contact_persons_leaves_them_out_rather_than_deliver_an_empty_list()
    {
        var export = Export(organisatie: new DdasOrganisatie("Gemeente Proefstad", null, []));
        var json = export.ToJson();

        Assert.Equal(["naam"], JsonNode.Parse(json)!["leveringen"]![0]!["aanleverende_organisatie"]!.AsObject().Select(p => p.Key).ToArray());
        Assert.Empty(await ValidateAsync(json));
    }

    [Fact]
    public void A_period_that_ends_before_it_starts_is_refused()
    {
        var request = Request() with { StartdatumLevering = November30, EinddatumLevering = November1 };

        Assert.Throws<ArgumentException>(() => DdasExport.Build(request, Source()));
    }

    [Theory]
    [InlineData("363")]
    [InlineData("GM0363")]
    public void A_gemeentecode_that_is_not_four_digits_is_refused(string gemeentecode)
    {
        Assert.Throws<ArgumentException>(() => DdasExport.Build(Request() with { Gemeentecode = gemeentecode }, Source()));
    }

    private static DdasExportResult Export(Func<string, ClientDetails?>? clientDetails = null, DdasOrganisatie? organisatie = null) =>
        DdasExport.Build(Request() with { AanleverendeOrganisatie = organisatie ?? Organisatie }, Source(), clientDetails);

    private static DdasExportRequest Request() =>
        new("0363", November1, November30, new DateTimeOffset(2026, 12, 5, 10, 30, 0, TimeSpan.FromHours(1)), "VROEG-TEST", Organisatie);

    /// <summary>
    /// November 2026 in 0363: a case picked up in two revisions (huur + energie), one closed because the resident
    /// died, one from October closed in October, one from October still waiting for dispatch, a repeat without a
    /// new task, a signal under the minimum amount, one not yet in a case, one closed with a non-DDAS resultaat,
    /// a December signal, and a case in Rotterdam.
    /// </summary>
    private static DdasExportSource Source()
    {
        var huurCase = CaseOf("c-huur", At(11, 4, 9), CaseStatus.TaskDispatched, Huur, Energie);
        var huurR1 = TaskFor("c-huur", 1, At(11, 4, 9), Huur);
        var huurR2 = TaskFor("c-huur", 2, At(11, 6, 9), Huur, Energie);
        var zorgCase = CaseOf("c-zorg", At(11, 11, 9), CaseStatus.Closed, Zorg) with { Resultaat = DdasValues.Overleden, ClosedAt = At(11, 20, 9) };
        var zorgTask = TaskFor("c-zorg", 1, At(11, 11, 9), Zorg);
        var oktoberCase = CaseOf("c-oktober", At(10, 9, 9), CaseStatus.Closed, Oktober) with { Resultaat = "(Budget)advies en/of quick fix", ClosedAt = At(10, 30, 9) };
        var oktoberTask = TaskFor("c-oktober", 1, At(10, 9, 9), Oktober);
        var lopendCase = CaseOf("c-lopend", At(10, 20, 9), CaseStatus.Triaged, Lopend);
        var lopendTask = TaskFor("c-lopend", 1, At(10, 20, 9), Lopend);
        var herhaalCase = CaseOf("c-herhaal", At(11, 3, 9), CaseStatus.TaskDispatched, Eerste, Herhaling) with { RepeatsWithoutTask = 1 };
        var herhaalTask = TaskFor("c-herhaal", 1, At(11, 3, 9), Eerste);
        var kleinCase = CaseOf("c-klein", At(11, 15, 9), CaseStatus.New, Klein) with { BelowMinimumAmount = 1 };
        var onbekendCase = CaseOf("c-onbekend", At(11, 7, 9), CaseStatus.Closed, Onbekend) with { Resultaat = "Hulpaanbod geaccepteerd", ClosedAt = At(11, 28, 9) };
        var onbekendTask = TaskFor("c-onbekend", 1, At(11, 7, 9), Onbekend);
        var eldersCase = CaseOf("c-elders", At(11, 11, 9), CaseStatus.TaskDispatched, Elders) with { Area = Rotterdam };
        var eldersTask = TaskFor("c-elders", 1, At(11, 11, 9), Elders);

        return new DdasExportSource(
            [huurCase, zorgCase, oktoberCase, lopendCase, herhaalCase, kleinCase, onbekendCase, eldersCase],
            [Huur, Energie, Zorg, Oktober, Lopend, NogZonderZaak, Eerste, Herhaling, Klein, December, Elders, Onbekend],
            [huurR1, huurR2, zorgTask, oktoberTask, lopendTask, herhaalTask, onbekendTask, eldersTask],
            [
                Outbox(huurR1, new DateTimeOffset(2026, 11, 4, 23, 30, 0, TimeSpan.Zero)),
                Outbox(huurR2, At(11, 6, 10)),
                Outbox(zorgTask, At(11, 11, 10)),
                Outbox(oktoberTask, At(10, 9, 10)),
                Outbox(lopendTask, null),
                Outbox(herhaalTask, At(11, 3, 10)),
                Outbox(onbekendTask, At(11, 7, 10)),
                Outbox(eldersTask, At(11, 11, 10)),
            ]);
    }

    private static StoredSignal Signal(
        string id, string creditor, PartnerType type, decimal bedrag, DateOnly signaaldatum, DateOnly? ontstaansdatum = null,
        bool crisis = false, bool warm = false, DateOnly? eindelevering = null, AreaCodes? area = null) =>
        Households.HouseholdData.Signal(id, creditor, type, bedrag, signaaldatum, ontstaansdatum, crisis, warm, eindelevering,
            storedAt: new DateTimeOffset(signaaldatum.ToDateTime(new TimeOnly(12, 0)), TimeSpan.Zero), area: area);

    private static HouseholdCase CaseOf(string caseId, DateTimeOffset openedAt, CaseStatus status, params StoredSignal[] signals) =>
        new(caseId, 1, status, Centrum, openedAt, signals.Min(s => s.Signaaldatum), signals.Max(s => s.Signaaldatum),
            signals.Select(s => s.SignalId).ToList(), 1, Priority.Normaal, 30, null, 0, 0, null, null, openedAt);

    private static OutreachTask TaskFor(string caseId, int revision, DateTimeOffset createdAt, params StoredSignal[] signals) =>
        new($"t-{caseId[2..]}-r{revision}", caseId, revision, signals[0].Area, "schuldhulpverlening", Priority.Normaal, 30, [],
            ContactChannel.Telefoon, DateOnly.FromDateTime(createdAt.UtcDateTime).AddDays(14), TriagePolicy.Version, createdAt, createdAt,
            signals.Select(s => s.SignalId).ToList());

    private static OutboxEntry Outbox(OutreachTask task, DateTimeOffset? dispatchedAt) =>
        new(task.TaskId, task.CaseId, task.Area.Gemeentecode, dispatchedAt is null ? OutboxStatus.Pending : OutboxStatus.Dispatched,
            task.CreatedAt, dispatchedAt, 1, null, null, task.CreatedAt, new ProtectedPayload("key-1", [1, 2, 3]));

    private static ContactAttempt Attempt(string caseId, string id, string soort, bool bereikt, DateOnly datum, string dagdeel) =>
        new(id, caseId, $"t-{caseId[2..]}-r1", soort, bereikt, datum, dagdeel, "team-test", new DateTimeOffset(datum.ToDateTime(new TimeOnly(10, 0)), TimeSpan.Zero));

    private static DateTimeOffset At(int month, int day, int hourUtc) => new(2026, month, day, hourUtc, 0, 0, TimeSpan.Zero);

    private static Dictionary<string, JsonObject> SignalsById(DdasExportResult export) =>
        JsonNode.Parse(export.ToJson())!["leveringen"]![0]!["vroegsignalen"]!.AsArray()
            .Select(s => s!.AsObject()).ToDictionary(s => (string)s["ID"]!, StringComparer.Ordinal);

    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "ddas", name);

    private static async Task<List<ValidationError>> ValidateAsync(string json)
    {
        var schema = await JsonSchema.FromFileAsync(Fixture("json_schema_Uitwisselmodel.json"));
        return Flatten(schema.Validate(json)).ToList();
    }

    // NJsonSchema nests the errors of array items and sub-schemas; the leaves say what is wrong and where.
    private static IEnumerable<ValidationError> Flatten(IEnumerable<ValidationError> errors) => errors.SelectMany(e => e switch
    {
        ChildSchemaValidationError child => Flatten(child.Errors.Values.SelectMany(v => v)),
        MultiTypeValidationError multi => Flatten(multi.Errors.Values.SelectMany(v => v)),
        _ => [e],
    });
}
