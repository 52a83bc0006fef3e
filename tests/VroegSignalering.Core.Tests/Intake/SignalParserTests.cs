using System.Text;
using VroegSignalering.Core.Common;
using VroegSignalering.Core.Intake;
using F = VroegSignalering.Core.Intake.SignalFields;

namespace VroegSignalering.Core.Tests.Intake;

public class SignalParserTests
{
    private const string CsvHeaderSemicolon =
        "signaalReferentie;signaalpartnerType;bedrag;ontstaansdatum;signaaldatum;herinneringVerstuurdOp;persoonlijkContactGezocht;gewezenOpSchuldhulp;voorletters;voorvoegsel;achternaam;geboortedatum;straatnaam;postcode;huisnummer;huisnummertoevoeging;plaatsnaam;telefoonnummer;email";

    private static readonly byte[] Bom = [0xEF, 0xBB, 0xBF];

    private static readonly SignalValidator Validator = new(new IntakeLimits());

    private static ParsedRequest Parse(SignalFormat format, string body, int maxRows = 100) =>
        SignalParser.Parse(format, Encoding.UTF8.GetBytes(body), maxRows);

    private static ValidatedRow Validate(RawSignal row) => Validator.Validate(row, SignalRows.Today, SignalRows.RegisteredForAll);

    // CSV

    [Fact]
    public void Csv_with_semicolons_decimal_commas_dutch_dates_and_a_bom_is_read_and_validated()
    {
        var csv = CsvHeaderSemicolon + "\r\n"
            + "HUUR-1;Huur;1.234,56;01-08-2026;16-11-2026;01-09-2026;ja;ja;J.;van der;Berg;12-04-1985;Dorpsstraat;1234 ab;12;a;Amsterdam;06-12345678;j@example.nl\r\n"
            + "HUUR-2;Huur;845,5;1-8-2026;16-11-2026;1-9-2026;true;true;;;Öztürk;1990-01-31;;1234AB;14;;;;\r\n";
        var body = Bom.Concat(Encoding.UTF8.GetBytes(csv)).ToArray();

        var parsed = SignalParser.Parse(SignalFormat.Csv, body, 100);

        Assert.True(parsed.IsReadable);
        Assert.Equal(2, parsed.Rows.Count);
        Assert.Equal("HUUR-1", parsed.Rows[0].Get(F.Referentie));
        var first = Validate(parsed.Rows[0]);
        var second = Validate(parsed.Rows[1]);
        Assert.True(first.IsValid, SignalRows.Describe(first));
        Assert.True(second.IsValid, SignalRows.Describe(second));
        Assert.Equal(1234.56m, first.Signal!.Bedrag);
        Assert.Equal(new DateOnly(2026, 8, 1), first.Signal.Ontstaansdatum);
        Assert.Equal(new DateOnly(2026, 11, 16), first.Signal.Signaaldatum);
        Assert.Equal("van der", first.Signal.Client.Voorvoegsel);
        Assert.Equal("1234AB", first.Signal.Client.Postcode);
        Assert.Equal("A", first.Signal.Client.Huisnummertoevoeging);
        Assert.Equal(845.5m, second.Signal!.Bedrag);
        Assert.Equal("Öztürk", second.Signal.Client.Achternaam);
        Assert.Null(second.Signal.Client.Email);
    }

    [Fact]
    public void Csv_with_commas_and_decimal_points_is_read_and_validated()
    {
        var csv = CsvHeaderSemicolon.Replace(';', ',') + "\n"
            + "ENERGIE-7,Energie,1234.56,2026-08-01,2026-11-16,2026-09-01,true,true,J.,,Jansen,1985-04-12,Dorpsstraat,1234AB,12,,Amsterdam,0612345678,j@example.nl\n";

        var parsed = Parse(SignalFormat.Csv, csv);

        var row = Assert.Single(parsed.Rows);
        var result = Validate(row);
        Assert.True(result.IsValid, SignalRows.Describe(result));
        Assert.Equal(PartnerType.Energie, result.Signal!.PartnerType);
        Assert.Equal(1234.56m, result.Signal.Bedrag);
    }

    [Fact]
    public void A_quoted_csv_field_may_contain_the_delimiter()
    {
        var csv = CsvHeaderSemicolon.Replace(';', ',') + "\n"
            + "ENERGIE-8,Energie,\"1.234,56\",2026-08-01,2026-11-16,2026-09-01,true,true,J.,,Jansen,1985-04-12,\"Kerkstraat, achterom\",1234AB,12,,Amsterdam,,\n";

        var parsed = Parse(SignalFormat.Csv, csv);

        var row = Assert.Single(parsed.Rows);
        Assert.Empty(row.ShapeErrors);
        Assert.Equal("1.234,56", row.Get(F.Bedrag));
        Assert.Equal("Kerkstraat, achterom", row.Get(F.Straatnaam));
        var result = Validate(row);
        Assert.True(result.IsValid, SignalRows.Describe(result));
        Assert.Equal(1234.56m, result.Signal!.Bedrag);
        Assert.Equal("Kerkstraat, achterom", result.Signal.Client.Straatnaam);
    }

    [Fact]
    public void A_quoted_semicolon_in_a_semicolon_csv_stays_inside_its_field()
    {
        var csv = "signaalReferentie;straatnaam;postcode\nR-1;\"Markt; achterom\";1234AB\n";

        var parsed = Parse(SignalFormat.Csv, csv);

        var row = Assert.Single(parsed.Rows);
        Assert.Empty(row.ShapeErrors);
        Assert.Equal("Markt; achterom", row.Get(F.Straatnaam));
        Assert.Equal("1234AB", row.Get(F.Postcode));
    }

    [Fact]
    public void Csv_headers_are_matched_without_regard_to_case()
    {
        var parsed = Parse(SignalFormat.Csv, "SignaalReferentie;POSTCODE;HuisNummer\nR-1;1234AB;12\n");

        Assert.True(parsed.IsReadable);
        var row = Assert.Single(parsed.Rows);
        Assert.Equal("R-1", row.Get(F.Referentie));
        Assert.Equal("1234AB", row.Get(F.Postcode));
        Assert.Equal("12", row.Get(F.Huisnummer));
    }

    [Fact]
    public void An_unknown_csv_column_refuses_the_request_with_field_unknown()
    {
        var csv = "signaalReferentie;postcode;nationaliteit\nR-1;1234AB;NL\n";

        var parsed = Parse(SignalFormat.Csv, csv);

        Assert.False(parsed.IsReadable);
        Assert.Empty(parsed.Rows);
        var error = Assert.Single(parsed.RequestErrors);
        Assert.Equal("nationaliteit", error.Field);
        Assert.Equal(ErrorCodes.Unknown, error.Code);
    }

    [Fact]
    public void A_csv_column_that_appears_twice_refuses_the_request()
    {
        var parsed = Parse(SignalFormat.Csv, "postcode;Postcode\n1234AB;1234AB\n");

        Assert.False(parsed.IsReadable);
        Assert.Contains(parsed.RequestErrors, e => e.Code == "request.duplicate_column");
    }

    [Fact]
    public void More_csv_rows_than_allowed_are_refused_as_too_many_rows()
    {
        var csv = "signaalReferentie;postcode\nR-1;1234AB\nR-2;1234AB\nR-3;1234AB\n";

        var parsed = Parse(SignalFormat.Csv, csv, maxRows: 2);

        Assert.True(parsed.TooManyRows);
        Assert.False(parsed.IsReadable);
    }

    [Fact]
    public void Exactly_the_allowed_number_of_csv_rows_is_accepted()
    {
        var csv = "signaalReferentie;postcode\nR-1;1234AB\nR-2;1234AB\n";

        var parsed = Parse(SignalFormat.Csv, csv, maxRows: 2);

        Assert.False(parsed.TooManyRows);
        Assert.Equal([1, 2], parsed.Rows.Select(r => r.Row));
    }

    [Fact]
    public void A_csv_row_with_the_wrong_number_of_fields_is_reported_as_malformed()
    {
        var parsed = Parse(SignalFormat.Csv, "signaalReferentie;postcode;huisnummer\nR-1;1234AB\n");

        var row = Assert.Single(parsed.Rows);
        var error = Assert.Single(row.ShapeErrors);
        Assert.Equal(ErrorCodes.RowMalformed, error.Code);
        Assert.Equal("row", error.Field);
    }

    [Fact]
    public void A_trailing_line_break_adds_no_csv_row()
    {
        var parsed = Parse(SignalFormat.Csv, "signaalReferentie;postcode\r\nR-1;1234AB\r\n");

        var row = Assert.Single(parsed.Rows);
        Assert.Empty(row.ShapeErrors);
    }

    [Fact]
    public void Empty_csv_fields_are_missing_values_not_empty_strings()
    {
        var parsed = Parse(SignalFormat.Csv, "signaalReferentie;email;postcode\nR-1;;1234AB\n");

        var row = Assert.Single(parsed.Rows);
        Assert.False(row.Has(F.Email));
        Assert.Null(row.Get(F.Email));
    }

    // JSON

    private const string ValidJson = """
        {
          "signaalReferentie": "ZORG-2026-1",
          "signaalpartnerType": "CAK Zorgverzekeringen",
          "bedrag": 312.40,
          "ontstaansdatum": "2026-08-01",
          "signaaldatum": "16-11-2026",
          "crisissignaal": false,
          "warmeOverdracht": true,
          "voorwaarden": { "herinneringVerstuurdOp": "2026-09-01", "persoonlijkContactGezocht": true, "gewezenOpSchuldhulp": true },
          "client": {
            "burgerservicenummer": null,
            "voorletters": "A.", "voorvoegsel": "de", "achternaam": "Vries", "geboortedatum": "1979-03-02",
            "postcode": "1234AB", "huisnummer": 7, "huisnummertoevoeging": "bis", "telefoonnummer": "+31 6 1234 5678"
          }
        }
        """;

    [Fact]
    public void A_json_object_is_one_row_with_nested_client_and_voorwaarden()
    {
        var parsed = Parse(SignalFormat.Json, ValidJson);

        Assert.True(parsed.IsReadable);
        var row = Assert.Single(parsed.Rows);
        Assert.Equal(1, row.Row);
        Assert.Equal("1234AB", row.Get(F.Postcode));
        Assert.Equal("2026-09-01", row.Get(F.Herinnering));
        Assert.Equal("7", row.Get(F.Huisnummer));
        Assert.Equal("true", row.Get(F.WarmeOverdracht));
        Assert.False(row.Has(F.Bsn));

        var result = Validate(row);
        Assert.True(result.IsValid, SignalRows.Describe(result));
        Assert.Equal(PartnerType.CakZorgverzekeringen, result.Signal!.PartnerType);
        Assert.Equal(312.40m, result.Signal.Bedrag);
        Assert.True(result.Signal.WarmeOverdracht);
        Assert.Equal(7, result.Signal.Client.Huisnummer);
        Assert.Equal("BIS", result.Signal.Client.Huisnummertoevoeging);
        Assert.Equal("0612345678", result.Signal.Client.Telefoonnummer);
        Assert.True(result.Signal.Voorwaarden.PersoonlijkContactGezocht);
    }

    [Fact]
    public void A_json_array_gives_one_row_per_object_numbered_from_one()
    {
        var parsed = Parse(SignalFormat.Json, $"[{ValidJson},{ValidJson.Replace("ZORG-2026-1", "ZORG-2026-2", StringComparison.Ordinal)}]");

        Assert.True(parsed.IsReadable);
        Assert.Equal([1, 2], parsed.Rows.Select(r => r.Row));
        Assert.Equal(["ZORG-2026-1", "ZORG-2026-2"], parsed.Rows.Select(r => r.Get(F.Referentie)));
        Assert.All(parsed.Rows, r => Assert.True(Validate(r).IsValid));
    }

    [Theory]
    [InlineData("nationaliteit", """{"signaalReferentie":"R-1","nationaliteit":"NL"}""")]
    [InlineData("client.geslacht", """{"signaalReferentie":"R-1","client":{"geslacht":"V"}}""")]
    [InlineData("voorwaarden.toestemming", """{"signaalReferentie":"R-1","voorwaarden":{"toestemming":true}}""")]
    [InlineData("adres", """{"signaalReferentie":"R-1","adres":{"postcode":"1234AB"}}""")]
    public void An_unknown_json_field_is_refused_with_its_path(string path, string json)
    {
        var parsed = Parse(SignalFormat.Json, json);

        var row = Assert.Single(parsed.Rows);
        Assert.Contains(row.ShapeErrors, e => e.Field == path && e.Code == ErrorCodes.Unknown);
        var result = Validate(row);
        Assert.False(result.IsValid);
        Assert.Contains(result.Errors, e => e.Field == path && e.Code == ErrorCodes.Unknown);
    }

    [Fact]
    public void An_otherwise_valid_json_signal_with_an_unknown_field_is_not_accepted()
    {
        var json = ValidJson.Replace("\"client\": {", "\"client\": { \"nationaliteit\": \"NL\",", StringComparison.Ordinal);

        var result = Validate(Assert.Single(Parse(SignalFormat.Json, json).Rows));

        Assert.False(result.IsValid);
        var error = Assert.Single(result.Errors);
        Assert.Equal("client.nationaliteit", error.Field);
        Assert.Equal(ErrorCodes.Unknown, error.Code);
    }

    [Fact]
    public void Wrong_json_types_are_reported_per_field()
    {
        var json = """{"signaalReferentie":"R-1","bedrag":[12,50],"client":{"huisnummer":{"nummer":12},"postcode":"1234AB"},"voorwaarden":"ja"}""";

        var row = Assert.Single(Parse(SignalFormat.Json, json).Rows);

        Assert.Contains(row.ShapeErrors, e => e.Field == F.Bedrag && e.Code == ErrorCodes.Type);
        Assert.Contains(row.ShapeErrors, e => e.Field == F.Huisnummer && e.Code == ErrorCodes.Type);
        Assert.Contains(row.ShapeErrors, e => e.Field == "voorwaarden" && e.Code == ErrorCodes.Type);
        Assert.Equal("1234AB", row.Get(F.Postcode));
    }

    [Fact]
    public void A_json_array_item_that_is_not_an_object_is_reported_as_a_malformed_row()
    {
        var parsed = Parse(SignalFormat.Json, $"[{ValidJson}, 42]");

        Assert.Equal(2, parsed.Rows.Count);
        Assert.Empty(parsed.Rows[0].ShapeErrors);
        var error = Assert.Single(parsed.Rows[1].ShapeErrors);
        Assert.Equal(2, error.Row);
        Assert.Equal(ErrorCodes.RowMalformed, error.Code);
    }

    [Theory]
    [InlineData("{\"signaalReferentie\": ")]
    [InlineData("\"just a string\"")]
    [InlineData("12")]
    public void A_body_that_is_not_a_json_object_or_array_is_unreadable(string body)
    {
        var parsed = Parse(SignalFormat.Json, body);

        Assert.False(parsed.IsReadable);
        Assert.Empty(parsed.Rows);
        Assert.Equal("request.invalid_json", Assert.Single(parsed.RequestErrors).Code);
    }

    [Fact]
    public void A_json_array_longer_than_allowed_is_refused_as_too_many_rows()
    {
        var parsed = Parse(SignalFormat.Json, "[{},{},{}]", maxRows: 2);

        Assert.True(parsed.TooManyRows);
    }

    // NDJSON

    private static string Line(string reference) => ValidJson.Replace("ZORG-2026-1", reference, StringComparison.Ordinal).ReplaceLineEndings(" ");

    [Fact]
    public void Ndjson_skips_blank_lines_and_numbers_rows_by_line()
    {
        var body = Line("N-1") + "\n\n   \n" + Line("N-2") + "\r\n";

        var parsed = Parse(SignalFormat.NdJson, body);

        Assert.True(parsed.IsReadable);
        Assert.Equal(2, parsed.Rows.Count);
        Assert.Equal(["N-1", "N-2"], parsed.Rows.Select(r => r.Get(F.Referentie)));
        Assert.Equal([1, 4], parsed.Rows.Select(r => r.Row));
        Assert.All(parsed.Rows, r => Assert.True(Validate(r).IsValid));
    }

    [Fact]
    public void A_bad_ndjson_line_is_reported_with_its_line_number_and_the_others_are_read()
    {
        var body = Line("N-1") + "\n" + "{\"signaalReferentie\": \"N-2\"," + "\n\n" + Line("N-3") + "\n";

        var parsed = Parse(SignalFormat.NdJson, body);

        Assert.True(parsed.IsReadable);
        Assert.Equal(3, parsed.Rows.Count);
        var bad = parsed.Rows[1];
        Assert.Equal(2, bad.Row);
        var error = Assert.Single(bad.ShapeErrors);
        Assert.Equal(2, error.Row);
        Assert.Equal(ErrorCodes.RowMalformed, error.Code);
        Assert.Contains("line 2", error.Message, StringComparison.Ordinal);
        Assert.True(Validate(parsed.Rows[0]).IsValid);
        Assert.True(Validate(parsed.Rows[2]).IsValid);
        Assert.Equal(4, parsed.Rows[2].Row);
    }

    [Fact]
    public void An_ndjson_line_holding_an_array_is_a_malformed_row()
    {
        var parsed = Parse(SignalFormat.NdJson, "[1,2]\n");

        var row = Assert.Single(parsed.Rows);
        Assert.Equal(ErrorCodes.RowMalformed, Assert.Single(row.ShapeErrors).Code);
    }

    [Fact]
    public void More_ndjson_lines_than_allowed_are_refused_as_too_many_rows()
    {
        var body = string.Join("\n", Line("N-1"), Line("N-2"), Line("N-3"));

        Assert.True(Parse(SignalFormat.NdJson, body, maxRows: 2).TooManyRows);
        Assert.False(Parse(SignalFormat.NdJson, body, maxRows: 3).TooManyRows);
    }

    [Fact]
    public void Ndjson_with_a_bom_is_read()
    {
        var body = Bom.Concat(Encoding.UTF8.GetBytes(Line("N-1") + "\n")).ToArray();

        var parsed = SignalParser.Parse(SignalFormat.NdJson, body, 10);

        var row = Assert.Single(parsed.Rows);
        Assert.Empty(row.ShapeErrors);
        Assert.Equal("N-1", row.Get(F.Referentie));
    }

    // Content types

    [Theory]
    [InlineData("application/json", SignalFormat.Json)]
    [InlineData("application/json; charset=utf-8", SignalFormat.Json)]
    [InlineData("application/x-ndjson", SignalFormat.NdJson)]
    [InlineData("application/ndjson", SignalFormat.NdJson)]
    [InlineData("text/csv", SignalFormat.Csv)]
    [InlineData("Text/CSV; charset=utf-8", SignalFormat.Csv)]
    public void The_content_type_selects_the_format(string contentType, SignalFormat expected)
    {
        Assert.True(SignalParser.TryGetFormat(contentType, out var format));
        Assert.Equal(expected, format);
    }

    [Theory]
    [InlineData("application/xml")]
    [InlineData("text/plain")]
    [InlineData("")]
    [InlineData(null)]
    public void Other_content_types_are_not_accepted(string? contentType)
    {
        Assert.False(SignalParser.TryGetFormat(contentType, out _));
    }
}
