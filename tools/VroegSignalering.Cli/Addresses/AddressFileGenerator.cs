using System.Globalization;
using System.Text;
using VroegSignalering.Cli.Generation;

namespace VroegSignalering.Cli.Addresses;

/// <summary>
/// Builds a synthetic file in the CBS postcode-huisnummer format: real municipality codes, made-up
/// wijken, buurten, postcodes and house numbers. The committed data/addresses file is the output
/// of <c>vroeg addresses generate</c> with <see cref="DefaultSeed"/>.
/// </summary>
internal static class AddressFileGenerator
{
    public const int DefaultSeed = 20260801;
    public const int DefaultRows = 40_000;
    public const int DefaultYear = 2026;
    public const int MaxHuisnummer = 200;

    public static IReadOnlyList<AddressRow> Generate(int seed, int targetRows)
    {
        var rng = Rng.For(seed, "addresses");
        var rows = new List<AddressRow>(targetRows + 1000);
        var usedPc6 = new HashSet<int>();

        foreach (var gemeente in Gemeenten.Synthetic)
        {
            var gemeenteRows = (int)Math.Round(targetRows * gemeente.Weight);
            var pc4s = Enumerable.Range(gemeente.FirstPc4, gemeente.LastPc4 - gemeente.FirstPc4 + 1).ToArray();
            var wijkWeights = Enumerable.Range(0, gemeente.Wijken).Select(_ => rng.Between(0.6, 1.4)).ToArray();
            var weightTotal = wijkWeights.Sum();

            for (var w = 0; w < gemeente.Wijken; w++)
            {
                // CBS numbers wijken and buurten from 00 within their parent, so codes can end in 00.
                var wijkCode = (gemeente.Code * 100) + w;
                var wijkPc4s = pc4s[(w * pc4s.Length / gemeente.Wijken)..((w + 1) * pc4s.Length / gemeente.Wijken)];
                var wijkRows = gemeenteRows * wijkWeights[w] / weightTotal;
                var buurten = rng.Between(3, 6);

                for (var b = 0; b < buurten; b++)
                {
                    var buurtCode = (wijkCode * 100) + b;
                    var buurtRows = (int)Math.Round(wijkRows / buurten);
                    var added = 0;
                    while (added < buurtRows)
                    {
                        var pc6Key = NewPc6(rng, wijkPc4s, usedPc6);
                        foreach (var huisnummer in HouseNumbers(rng).Take(buurtRows - added))
                        {
                            rows.Add(new AddressRow(pc6Key, huisnummer, buurtCode, wijkCode, gemeente.Code));
                            added++;
                        }
                    }
                }
            }
        }

        rows.Sort((a, b) => a.Pc6Key != b.Pc6Key ? a.Pc6Key.CompareTo(b.Pc6Key) : a.Huisnummer.CompareTo(b.Huisnummer));
        return rows;
    }

    public static void Write(string path, IEnumerable<AddressRow> rows, int year)
    {
        var text = new StringBuilder(capacity: 1 << 20);
        text.Append(AddressFile.Header(year)).Append('\n');
        foreach (var row in rows)
        {
            // CBS writes the codes as plain integers: BU03630101 becomes 3630101, GM0014 becomes 14.
            text.Append(row.Postcode).Append(';')
                .Append(row.Huisnummer.ToString(CultureInfo.InvariantCulture)).Append(';')
                .Append(row.Buurt.ToString(CultureInfo.InvariantCulture)).Append(';')
                .Append(row.Wijk.ToString(CultureInfo.InvariantCulture)).Append(';')
                .Append(row.Gemeente.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }

        File.WriteAllText(path, text.ToString(), new UTF8Encoding(false));
    }

    private static int NewPc6(Rng rng, int[] pc4s, HashSet<int> used)
    {
        while (true)
        {
            var first = (char)('A' + rng.Next(26));
            var second = (char)('A' + rng.Next(26));
            if (Postcodes.IsExcluded(first, second))
            {
                continue;
            }

            var pc4 = rng.Pick(pc4s);
            var key = (pc4 * 676) + ((first - 'A') * 26) + (second - 'A');
            if (used.Add(key))
            {
                return key;
            }
        }
    }

    /// <summary>
    /// A PC6 is usually one side of a street stretch: a run of consecutive numbers, or only the odd
    /// or only the even ones.
    /// </summary>
    private static IEnumerable<int> HouseNumbers(Rng rng)
    {
        var step = rng.Chance(0.4) ? 1 : 2;
        var count = rng.Between(6, 45);
        var span = (count - 1) * step;
        var start = rng.Between(1, Math.Max(1, MaxHuisnummer - span));
        if (step == 2)
        {
            start = rng.Chance(0.5) ? start | 1 : (start + 1) & ~1;
        }

        for (var i = 0; i < count && start + (i * step) <= MaxHuisnummer; i++)
        {
            yield return start + (i * step);
        }
    }
}
