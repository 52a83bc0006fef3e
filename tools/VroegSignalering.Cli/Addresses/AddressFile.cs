using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace VroegSignalering.Cli.Addresses;

/// <summary>One row of the CBS postcode-huisnummer file.</summary>
internal readonly record struct AddressRow(int Pc6Key, int Huisnummer, int Buurt, int Wijk, int Gemeente)
{
    public string Postcode => Postcodes.FromKey(Pc6Key);
}

/// <summary>
/// The CBS file "Buurt, wijk en gemeente voor postcode-huisnummer" (pc6hnrYYYY0801_gwb.csv), held
/// as parallel arrays plus a sorted key array: the national file has about 8 million rows, too many
/// for a dictionary of strings.
/// </summary>
internal sealed partial class AddressFile
{
    private readonly AddressRow[] _rows;
    private readonly long[] _sortedKeys;

    private AddressFile(AddressRow[] rows, int year)
    {
        _rows = rows;
        Year = year;
        _sortedKeys = new long[rows.Length];
        for (var i = 0; i < rows.Length; i++)
        {
            _sortedKeys[i] = Postcodes.AddressKey(rows[i].Pc6Key, rows[i].Huisnummer);
        }

        Array.Sort(_sortedKeys);
    }

    public int Year { get; }

    public IReadOnlyList<AddressRow> Rows => _rows;

    public static string Header(int year) => string.Create(CultureInfo.InvariantCulture, $"PC6;Huisnummer;Buurt{year};Wijk{year};Gemeente{year}");

    public static string FileName(int year) => string.Create(CultureInfo.InvariantCulture, $"pc6hnr{year}0801_gwb.csv");

    public bool Contains(string postcode, int huisnummer) =>
        Postcodes.IsValid(postcode) && Contains(Postcodes.ToKey(postcode), huisnummer);

    public bool Contains(int pc6Key, int huisnummer) =>
        Array.BinarySearch(_sortedKeys, Postcodes.AddressKey(pc6Key, huisnummer)) >= 0;

    public static AddressFile Load(string path)
    {
        using var reader = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        var header = reader.ReadLine() ?? throw new FormatException($"{path}: the file is empty");
        var match = HeaderPattern().Match(header.Replace("\"", string.Empty, StringComparison.Ordinal));
        if (!match.Success)
        {
            throw new FormatException($"{path}: expected the header 'PC6;Huisnummer;BuurtYYYY;WijkYYYY;GemeenteYYYY', got '{header}'");
        }

        var year = int.Parse(match.Groups["year"].Value, CultureInfo.InvariantCulture);
        var rows = new List<AddressRow>(capacity: 1 << 16);
        var lineNumber = 1;
        Span<Range> fields = stackalloc Range[6];
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (line.Length == 0)
            {
                continue;
            }

            var span = line.AsSpan();
            if (span.Split(fields, ';') != 5)
            {
                throw Malformed(path, lineNumber, "expected 5 ';'-separated fields");
            }

            var pc6 = Unquote(span[fields[0]]);
            if (!Postcodes.IsValid(pc6))
            {
                throw Malformed(path, lineNumber, $"'{pc6}' is not a valid postcode");
            }

            rows.Add(new AddressRow(
                Postcodes.ToKey(pc6),
                ParseCode(span[fields[1]], path, lineNumber, "Huisnummer"),
                ParseCode(span[fields[2]], path, lineNumber, "Buurt"),
                ParseCode(span[fields[3]], path, lineNumber, "Wijk"),
                ParseCode(span[fields[4]], path, lineNumber, "Gemeente")));
        }

        return new AddressFile([.. rows], year);
    }

    public static AddressFile FromRows(IEnumerable<AddressRow> rows, int year) => new([.. rows], year);

    private static ReadOnlySpan<char> Unquote(ReadOnlySpan<char> field) => field.Trim().Trim('"');

    private static int ParseCode(ReadOnlySpan<char> field, string path, int lineNumber, string column)
    {
        if (!int.TryParse(Unquote(field), NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value <= 0)
        {
            throw Malformed(path, lineNumber, $"{column} '{field}' is not a positive integer");
        }

        return value;
    }

    private static FormatException Malformed(string path, int lineNumber, string message) =>
        new(string.Create(CultureInfo.InvariantCulture, $"{path}:{lineNumber}: {message}"));

    [GeneratedRegex(@"^\uFEFF?PC6;Huisnummer;Buurt(?<year>\d{4});Wijk\k<year>;Gemeente\k<year>$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex HeaderPattern();
}
