using System.Globalization;
using System.Text;

namespace VroegSignalering.Azure.Addresses;

/// <summary>
/// The CBS postcode-huisnummer file in a compact form: a sorted array of 64-bit keys (postcode and
/// house number packed) with the buurt code per key. About 8 million rows nationally take ~100 MB this
/// way instead of several GB as strings. Wijk and gemeente derive from the buurt code (GGGGWWBB).
/// </summary>
public sealed class CbsAddressIndex
{
    /// <summary>Marks a key the file gives two different buurten for.</summary>
    public const int Ambiguous = -1;

    private readonly long[] _keys;
    private readonly int[] _buurten;

    private CbsAddressIndex(long[] keys, int[] buurten)
    {
        _keys = keys;
        _buurten = buurten;
    }

    public int Count => _keys.Length;

    /// <summary>The gemeenten (4-digit codes) the file holds addresses in.</summary>
    public IReadOnlySet<string> Gemeenten => _gemeenten ??= _buurten.Where(b => b != Ambiguous)
        .Select(b => (b / 10000).ToString("D4", CultureInfo.InvariantCulture)).ToHashSet(StringComparer.Ordinal);

    private HashSet<string>? _gemeenten;

    /// <summary>The buurt code (up to 8 digits as an integer), <see cref="Ambiguous"/>, or null when absent.</summary>
    public int? Find(string postcode, int huisnummer)
    {
        if (!TryKey(postcode, huisnummer, out var key))
        {
            return null;
        }

        var i = Array.BinarySearch(_keys, key);
        return i >= 0 ? _buurten[i] : null;
    }

    /// <summary>
    /// Reads the file: <c>;</c>-separated with a header naming PC6, Huisnummer and Buurt&lt;YYYY&gt;
    /// (Wijk and Gemeente columns are checked against the buurt code when present).
    /// </summary>
    public static CbsAddressIndex Load(Stream stream)
    {
        using var reader = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16);
        var header = reader.ReadLine() ?? throw new InvalidDataException("the CBS address file is empty");
        var columns = header.Split(';').Select(c => c.Trim().Trim('"')).ToList();
        int Column(string prefix) => columns.FindIndex(c => c.StartsWith(prefix, StringComparison.OrdinalIgnoreCase));
        var (pc, hnr, buurt, wijk, gemeente) = (Column("PC6"), Column("Huisnummer"), Column("Buurt"), Column("Wijk"), Column("Gemeente"));
        if (pc < 0 || hnr < 0 || buurt < 0)
        {
            throw new InvalidDataException("the CBS address file needs the columns PC6;Huisnummer;Buurt<YYYY> (and optionally Wijk<YYYY>;Gemeente<YYYY>)");
        }

        var keys = new List<long>(1 << 16);
        var values = new List<int>(1 << 16);
        var lineNumber = 1;
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            lineNumber++;
            if (line.Length == 0)
            {
                continue;
            }

            var parts = line.Split(';');
            if (parts.Length <= Math.Max(pc, Math.Max(hnr, buurt)))
            {
                throw new InvalidDataException($"line {lineNumber} of the CBS address file has too few columns");
            }

            if (!int.TryParse(parts[hnr].Trim('"'), NumberStyles.None, CultureInfo.InvariantCulture, out var number)
                || !int.TryParse(parts[buurt].Trim('"').Replace("BU", string.Empty, StringComparison.Ordinal), NumberStyles.None, CultureInfo.InvariantCulture, out var buurtCode)
                || !TryKey(parts[pc].Trim('"'), number, out var key))
            {
                throw new InvalidDataException($"line {lineNumber} of the CBS address file is not PC6;Huisnummer;Buurt as expected");
            }

            if (wijk >= 0 && int.TryParse(parts[wijk].Trim('"'), NumberStyles.None, CultureInfo.InvariantCulture, out var wijkCode) && wijkCode != buurtCode / 100)
            {
                throw new InvalidDataException($"line {lineNumber}: wijk {wijkCode} does not contain buurt {buurtCode}");
            }

            if (gemeente >= 0 && int.TryParse(parts[gemeente].Trim('"'), NumberStyles.None, CultureInfo.InvariantCulture, out var gm) && gm != buurtCode / 10000)
            {
                throw new InvalidDataException($"line {lineNumber}: gemeente {gm} does not contain buurt {buurtCode}");
            }

            keys.Add(key);
            values.Add(buurtCode);
        }

        var keyArray = keys.ToArray();
        var valueArray = values.ToArray();
        Array.Sort(keyArray, valueArray);

        // Collapse duplicates: the same buurt twice is one row; two different buurten is ambiguous.
        var n = 0;
        for (var i = 0; i < keyArray.Length; i++)
        {
            if (n > 0 && keyArray[n - 1] == keyArray[i])
            {
                if (valueArray[n - 1] != valueArray[i])
                {
                    valueArray[n - 1] = Ambiguous;
                }

                continue;
            }

            keyArray[n] = keyArray[i];
            valueArray[n] = valueArray[i];
            n++;
        }

        return new CbsAddressIndex(keyArray[..n], valueArray[..n]);
    }

    // 4 digits, 2 letters, house number up to 99999: ((pc4 * 26 + l1) * 26 + l2) * 100000 + number.
    private static bool TryKey(string postcode, int huisnummer, out long key)
    {
        key = 0;
        var pc = postcode.Replace(" ", string.Empty, StringComparison.Ordinal).ToUpperInvariant();
        if (pc.Length != 6 || huisnummer is < 1 or > 99999
            || !int.TryParse(pc.AsSpan(0, 4), NumberStyles.None, CultureInfo.InvariantCulture, out var digits)
            || !char.IsAsciiLetterUpper(pc[4]) || !char.IsAsciiLetterUpper(pc[5]))
        {
            return false;
        }

        key = ((((long)digits * 26) + (pc[4] - 'A')) * 26 + (pc[5] - 'A')) * 100000 + huisnummer;
        return true;
    }
}
