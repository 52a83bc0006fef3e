using System.Globalization;
using System.Text;
using Sylvan.Data.Csv;
using VroegSignalering.Cli.Generation;

namespace VroegSignalering.Cli.Tests.Generation;

/// <summary>The CSV files are what a Dutch spreadsheet exports, and a CSV library reads them back to the same values.</summary>
[Collection(GeneratedMonthCollection.Name)]
public sealed class CsvDialectTests(GeneratedMonthFixture month)
{
    private static readonly NumberFormatInfo DecimalComma = new() { NumberDecimalSeparator = ",", NegativeSign = "-" };

    private IEnumerable<CreditorFileSpec> CsvFiles => month.Outcome.Files.Where(f => f.Format == SignalFileFormat.Csv);

    [Fact]
    public void Csv_files_start_with_a_utf8_bom_and_use_semicolons_and_crlf()
    {
        Assert.NotEmpty(CsvFiles);
        foreach (var spec in CsvFiles)
        {
            var bytes = File.ReadAllBytes(Path.Combine(month.Directory, spec.FileName));
            Assert.Equal(new byte[] { 0xEF, 0xBB, 0xBF }, bytes[..3]);
            var text = Encoding.UTF8.GetString(bytes, 3, bytes.Length - 3);
            var header = text[..text.IndexOf("\r\n", StringComparison.Ordinal)];
            Assert.Equal(string.Join(';', SignalWriters.CsvColumns), header);
            Assert.DoesNotContain(text.Replace("\r\n", string.Empty, StringComparison.Ordinal), c => c == '\n');
        }
    }

    [Fact]
    public void The_header_is_the_json_field_names_without_client_or_voorwaarden_prefixes()
    {
        Assert.DoesNotContain(SignalWriters.CsvColumns, c => c.Contains('.', StringComparison.Ordinal));
        Assert.Contains("achternaam", SignalWriters.CsvColumns);
        Assert.Contains("herinneringVerstuurdOp", SignalWriters.CsvColumns);
        Assert.Equal(23, SignalWriters.CsvColumns.Count);
    }

    [Fact]
    public void Csv_rows_parse_back_to_the_generated_values_with_decimal_comma_and_the_files_date_notation()
    {
        var byReference = month.AllSignals.ToDictionary(s => (s.CreditorId, s.SignaalReferentie));
        foreach (var spec in CsvFiles)
        {
            using var reader = new StreamReader(Path.Combine(month.Directory, spec.FileName), Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
            using var csv = CsvDataReader.Create(reader, new CsvDataReaderOptions { Delimiter = ';', HasHeaders = true });
            Assert.Equal("signaalReferentie", csv.GetName(0));
            var rows = 0;
            while (csv.Read())
            {
                rows++;
                var s = byReference[(spec.CreditorId, Field(csv, "signaalReferentie")!)];
                Assert.Equal(s.SignaalpartnerType, Field(csv, "signaalpartnerType"));
                Assert.Equal(s.Bedrag, decimal.Parse(Field(csv, "bedrag")!, NumberStyles.Number, DecimalComma));
                Assert.Matches(@"^-?\d+,\d{2,3}$", Field(csv, "bedrag"));
                Assert.Equal(s.Ontstaansdatum, Date(csv, "ontstaansdatum", spec.DateFormat));
                Assert.Equal(s.Signaaldatum, Date(csv, "signaaldatum", spec.DateFormat));
                Assert.Equal(s.Geboortedatum, Date(csv, "geboortedatum", spec.DateFormat));
                Assert.Equal(s.Eindeleveringsdatum, Field(csv, "eindeleveringsdatum") is null ? null : Date(csv, "eindeleveringsdatum", spec.DateFormat));
                Assert.Equal(s.Voorwaarden?.HerinneringVerstuurdOp, Field(csv, "herinneringVerstuurdOp") is null ? null : Date(csv, "herinneringVerstuurdOp", spec.DateFormat));
                Assert.Equal(s.Crisissignaal, bool.Parse(Field(csv, "crisissignaal")!));
                Assert.Equal(s.Burgerservicenummer, Field(csv, "burgerservicenummer"));
                Assert.Equal(s.Voorletters, Field(csv, "voorletters"));
                Assert.Equal(s.Voorvoegsel, Field(csv, "voorvoegsel"));
                Assert.Equal(string.IsNullOrEmpty(s.Achternaam) ? null : s.Achternaam, Field(csv, "achternaam"));
                Assert.Equal(s.Straatnaam, Field(csv, "straatnaam"));
                Assert.Equal(s.Postcode, Field(csv, "postcode"));
                Assert.Equal(s.Huisnummer, int.Parse(Field(csv, "huisnummer")!, CultureInfo.InvariantCulture));
                Assert.Equal(s.Huisnummertoevoeging, Field(csv, "huisnummertoevoeging"));
                Assert.Equal(s.Plaatsnaam, Field(csv, "plaatsnaam"));
                Assert.Equal(s.Telefoonnummer, Field(csv, "telefoonnummer"));
                Assert.Equal(s.Email, Field(csv, "email"));
            }

            Assert.Equal(month.AllSignals.Count(s => s.CreditorId == spec.CreditorId), rows);
        }
    }

    [Fact]
    public void A_value_holding_a_semicolon_or_quote_is_quoted_and_survives_the_round_trip()
    {
        var signal = new GeneratedSignal
        {
            CreditorId = "c",
            PartnerType = "Huur",
            Household = 0,
            SignaalReferentie = "HUUR-1",
            SignaalpartnerType = "Huur",
            Bedrag = 1234.5m,
            Voorletters = "J.",
            Achternaam = "Dijk; \"de\"",
            Straatnaam = "Lindelaan",
            Postcode = "1234AB",
            Huisnummer = 1,
            Plaatsnaam = "Utrecht",
        };
        using var stream = new MemoryStream();
        SignalWriters.WriteCsv(stream, [signal], CreditorFileSpec.DutchDate);

        stream.Position = 0;
        using var csv = CsvDataReader.Create(new StreamReader(stream), new CsvDataReaderOptions { Delimiter = ';' });
        Assert.True(csv.Read());
        Assert.Equal("Dijk; \"de\"", Field(csv, "achternaam"));
        Assert.Equal("1234,50", Field(csv, "bedrag"));
    }

    private static string? Field(CsvDataReader csv, string name)
    {
        var value = csv.GetString(csv.GetOrdinal(name));
        return value.Length == 0 ? null : value;
    }

    private static DateOnly Date(CsvDataReader csv, string name, string format) =>
        DateOnly.ParseExact(Field(csv, name)!, format, CultureInfo.InvariantCulture);
}
