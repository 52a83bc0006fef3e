using System.Globalization;

namespace VroegSignalering.Cli.Addresses;

/// <summary>Consistency rules of the CBS file beyond its syntax, which <see cref="AddressFile.Load"/> checks.</summary>
internal static class AddressFileCheck
{
    public static IEnumerable<string> Problems(AddressFile file)
    {
        var seen = new HashSet<long>();
        foreach (var row in file.Rows)
        {
            // BU + gemeente(4) + wijk(2) + buurt(2) and WK + gemeente(4) + wijk(2): each code starts with its parent's.
            if (row.Buurt / 100 != row.Wijk)
            {
                yield return Describe(row, $"buurt {row.Buurt} is not in wijk {row.Wijk}");
            }

            if (row.Wijk / 100 != row.Gemeente)
            {
                yield return Describe(row, $"wijk {row.Wijk} is not in gemeente {row.Gemeente}");
            }

            if (row.Gemeente > 9999 || row.Wijk > 999_999 || row.Buurt > 99_999_999)
            {
                yield return Describe(row, "a code has more digits than CBS uses (4, 6, 8)");
            }

            if (!seen.Add(Postcodes.AddressKey(row.Pc6Key, row.Huisnummer)))
            {
                yield return Describe(row, "duplicate postcode + house number");
            }
        }
    }

    private static string Describe(AddressRow row, string problem) =>
        string.Create(CultureInfo.InvariantCulture, $"{row.Postcode} {row.Huisnummer}: {problem}");
}
