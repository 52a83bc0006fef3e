using System.Globalization;
using System.Text;

namespace VroegSignalering.Cli.Addresses;

/// <summary>A municipality: its CBS code (the number in GM0363) and its name.</summary>
internal sealed record Gemeente(int Code, string Naam)
{
    public string FormattedCode => Code.ToString("D4", CultureInfo.InvariantCulture);
}

/// <summary>What the synthetic address file needs to know about each municipality it covers.</summary>
internal sealed record SyntheticGemeente(int Code, string Naam, string AreaCode, int FirstPc4, int LastPc4, double Weight, int Wijken)
{
    public Gemeente Gemeente => new(Code, Naam);
}

internal static class Gemeenten
{
    /// <summary>
    /// The six municipalities of the synthetic file, with their real CBS codes and telephone area
    /// codes. The PC4 ranges are the cities' real postcode areas so the data looks familiar; the
    /// letter pairs and house numbers inside them are random.
    /// </summary>
    public static readonly IReadOnlyList<SyntheticGemeente> Synthetic =
    [
        new(363, "Amsterdam", "020", 1011, 1109, 0.28, 8),
        new(599, "Rotterdam", "010", 3011, 3089, 0.22, 7),
        new(344, "Utrecht", "030", 3511, 3585, 0.15, 6),
        new(14, "Groningen", "050", 9711, 9747, 0.12, 5),
        new(772, "Eindhoven", "040", 5611, 5658, 0.12, 5),
        new(153, "Enschede", "053", 7511, 7548, 0.11, 5),
    ];

    public const string FileName = "gemeenten.csv";

    public static void Write(string path, IEnumerable<Gemeente> gemeenten)
    {
        var text = new StringBuilder("code;naam\n");
        foreach (var g in gemeenten.OrderBy(g => g.Code))
        {
            text.Append(g.FormattedCode).Append(';').Append(g.Naam).Append('\n');
        }

        File.WriteAllText(path, text.ToString(), new UTF8Encoding(false));
    }

    /// <summary>Reads <c>code;naam</c>; the code may be 363, 0363 or GM0363.</summary>
    public static IReadOnlyDictionary<int, Gemeente> Read(string path)
    {
        var result = new Dictionary<int, Gemeente>();
        var lineNumber = 0;
        foreach (var rawLine in File.ReadLines(path))
        {
            lineNumber++;
            var line = rawLine.TrimStart('\uFEFF').Trim();
            if (line.Length == 0 || (lineNumber == 1 && line.StartsWith("code", StringComparison.OrdinalIgnoreCase)))
            {
                continue;
            }

            var parts = line.Split(';');
            var codeText = parts[0].Trim().Trim('"');
            if (codeText.StartsWith("GM", StringComparison.OrdinalIgnoreCase))
            {
                codeText = codeText[2..];
            }

            if (parts.Length < 2 || !int.TryParse(codeText, NumberStyles.None, CultureInfo.InvariantCulture, out var code))
            {
                throw new FormatException($"{path}:{lineNumber}: expected 'code;naam', got '{line}'");
            }

            result[code] = new Gemeente(code, parts[1].Trim().Trim('"'));
        }

        return result;
    }
}
