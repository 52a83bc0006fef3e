using System.Globalization;
using System.Text.Json.Nodes;

namespace VroegSignalering.Testing;

/// <summary>
/// Synthetic signals for tests: never real people. Addresses come from TestData/cbs-sample.csv
/// (1011AB/1011AC → 0363, 3011AA/3011AB → 0599, 3511XA/3511XB → 0344, house numbers 1-40).
/// </summary>
public static class TestSignals
{
    public const string UnroutablePostcode = "9999ZZ";

    public static DateOnly Today => DateOnly.FromDateTime(DateTime.UtcNow);

    public static JsonObject Signal(
        string reference,
        string partnerType = "Huur",
        decimal bedrag = 850.00m,
        string postcode = "1011AB",
        int huisnummer = 7,
        string? toevoeging = null,
        bool crisis = false,
        DateOnly? eindelevering = null,
        string achternaam = "Zandbergen-Testdata",
        string voorletters = "Q.X.",
        string? voorvoegsel = "van der",
        string? bsn = null,
        string? telefoon = "0699887766",
        string? email = "q.x.zandbergen@example.nl",
        DateOnly? geboortedatum = null,
        int signaalDaysAgo = 2,
        int ontstaanDaysAgo = 60)
    {
        var today = Today;
        return new JsonObject
        {
            ["signaalReferentie"] = reference,
            ["signaalpartnerType"] = partnerType,
            ["bedrag"] = bedrag,
            ["ontstaansdatum"] = Iso(today.AddDays(-ontstaanDaysAgo)),
            ["signaaldatum"] = Iso(today.AddDays(-signaalDaysAgo)),
            ["crisissignaal"] = crisis,
            ["warmeOverdracht"] = false,
            ["eindeleveringsdatum"] = eindelevering is { } e ? Iso(e) : null,
            ["voorwaarden"] = new JsonObject
            {
                ["herinneringVerstuurdOp"] = Iso(today.AddDays(-Math.Max(signaalDaysAgo, (ontstaanDaysAgo + signaalDaysAgo) / 2))),
                ["persoonlijkContactGezocht"] = true,
                ["gewezenOpSchuldhulp"] = true,
            },
            ["client"] = new JsonObject
            {
                ["burgerservicenummer"] = bsn,
                ["voorletters"] = voorletters,
                ["voorvoegsel"] = voorvoegsel,
                ["achternaam"] = achternaam,
                ["geboortedatum"] = Iso(geboortedatum ?? today.AddYears(-44).AddDays(-17)),
                ["straatnaam"] = "Proefstraat",
                ["postcode"] = postcode,
                ["huisnummer"] = huisnummer,
                ["huisnummertoevoeging"] = toevoeging,
                ["plaatsnaam"] = "Teststad",
                ["telefoonnummer"] = telefoon,
                ["email"] = email,
            },
        };
    }

    public static string Array(params JsonObject[] signals) => new JsonArray(signals.Select(s => (JsonNode)s).ToArray()).ToJsonString();

    public static string NdJson(params JsonObject[] signals) => string.Join('\n', signals.Select(s => s.ToJsonString())) + "\n";

    /// <summary>Dutch-spreadsheet CSV: semicolon, decimal comma, Dutch dates, UTF-8 with BOM.</summary>
    public static byte[] Csv(params JsonObject[] signals)
    {
        string[] columns =
        [
            "signaalReferentie", "signaalpartnerType", "bedrag", "ontstaansdatum", "signaaldatum", "crisissignaal", "warmeOverdracht", "eindeleveringsdatum",
            "herinneringVerstuurdOp", "persoonlijkContactGezocht", "gewezenOpSchuldhulp", "burgerservicenummer", "voorletters", "voorvoegsel", "achternaam",
            "geboortedatum", "straatnaam", "postcode", "huisnummer", "huisnummertoevoeging", "plaatsnaam", "telefoonnummer", "email",
        ];
        var lines = new List<string> { string.Join(';', columns) };
        foreach (var s in signals)
        {
            var flat = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
            foreach (var (k, v) in s)
            {
                if (v is JsonObject nested)
                {
                    foreach (var (nk, nv) in nested)
                    {
                        flat[nk] = nv;
                    }
                }
                else
                {
                    flat[k] = v;
                }
            }

            lines.Add(string.Join(';', columns.Select(c => Cell(c, flat.GetValueOrDefault(c)))));
        }

        return [0xEF, 0xBB, 0xBF, .. System.Text.Encoding.UTF8.GetBytes(string.Join("\r\n", lines) + "\r\n")];
    }

    /// <summary>Every personal value the builder writes by default, to search for in stored data and logs.</summary>
    public static IReadOnlyList<string> DefaultPersonalValues => ["Zandbergen-Testdata", "0699887766", "q.x.zandbergen@example.nl", "Proefstraat"];

    private static string Cell(string column, JsonNode? value)
    {
        if (value is null)
        {
            return string.Empty;
        }

        var text = value.ToString();
        if (column == "bedrag")
        {
            text = decimal.Parse(text, CultureInfo.InvariantCulture).ToString("0.00", CultureInfo.InvariantCulture).Replace('.', ',');
        }
        else if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d))
        {
            text = d.ToString("dd-MM-yyyy", CultureInfo.InvariantCulture);
        }

        return text.Contains(';', StringComparison.Ordinal) || text.Contains('"', StringComparison.Ordinal) ? $"\"{text.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : text;
    }

    private static string Iso(DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
