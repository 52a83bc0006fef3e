using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace VroegSignalering.Cli.Generation;

internal enum SignalFileFormat
{
    Json,
    Ndjson,
    Csv,
}

/// <summary>How one creditor's file is written: format and, for CSV, the date notation.</summary>
internal sealed record CreditorFileSpec(string CreditorId, SignalFileFormat Format, string DateFormat)
{
    public const string IsoDate = "yyyy-MM-dd";
    public const string DutchDate = "dd-MM-yyyy";

    public string FileName => CreditorId + Extension(Format);

    public static string Extension(SignalFileFormat format) => format switch
    {
        SignalFileFormat.Json => ".json",
        SignalFileFormat.Ndjson => ".ndjson",
        _ => ".csv",
    };
}

/// <summary>Writes signals in the public JSON shape (array or NDJSON) or as a Dutch spreadsheet CSV.</summary>
internal static class SignalWriters
{
    /// <summary>The CSV header: the JSON field names with the client. and voorwaarden. levels flattened.</summary>
    public static readonly IReadOnlyList<string> CsvColumns =
    [
        "signaalReferentie", "signaalpartnerType", "bedrag", "ontstaansdatum", "signaaldatum", "crisissignaal",
        "warmeOverdracht", "eindeleveringsdatum", "herinneringVerstuurdOp", "persoonlijkContactGezocht",
        "gewezenOpSchuldhulp", "burgerservicenummer", "voorletters", "voorvoegsel", "achternaam", "geboortedatum",
        "straatnaam", "postcode", "huisnummer", "huisnummertoevoeging", "plaatsnaam", "telefoonnummer", "email",
    ];

    // Names with diacritics stay readable in the files; the relaxed encoder still escapes what JSON requires.
    private static readonly JsonWriterOptions JsonOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static void Write(string path, IReadOnlyList<GeneratedSignal> signals, CreditorFileSpec spec)
    {
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 1 << 16);
        switch (spec.Format)
        {
            case SignalFileFormat.Json:
                WriteJsonArray(stream, signals);
                break;
            case SignalFileFormat.Ndjson:
                WriteNdjson(stream, signals);
                break;
            default:
                WriteCsv(stream, signals, spec.DateFormat);
                break;
        }
    }

    /// <summary>A JSON array with one signal per line: valid JSON that still diffs line by line.</summary>
    public static void WriteJsonArray(Stream stream, IReadOnlyList<GeneratedSignal> signals)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        stream.Write("["u8);
        for (var i = 0; i < signals.Count; i++)
        {
            stream.Write(i == 0 ? "\n"u8 : ",\n"u8);
            stream.Write(Serialize(signals[i], buffer));
        }

        stream.Write("\n]\n"u8);
    }

    public static void WriteNdjson(Stream stream, IReadOnlyList<GeneratedSignal> signals)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        foreach (var signal in signals)
        {
            stream.Write(Serialize(signal, buffer));
            stream.Write("\n"u8);
        }
    }

    public static ReadOnlySpan<byte> Serialize(GeneratedSignal s, ArrayBufferWriter<byte> buffer)
    {
        buffer.ResetWrittenCount();
        using (var w = new Utf8JsonWriter(buffer, JsonOptions))
        {
            w.WriteStartObject();
            w.WriteString("signaalReferentie", s.SignaalReferentie);
            w.WriteString("signaalpartnerType", s.SignaalpartnerType);
            w.WritePropertyName("bedrag");
            w.WriteRawValue(FormatBedrag(s.Bedrag, '.'), skipInputValidation: true);
            w.WriteString("ontstaansdatum", FormatDate(s.Ontstaansdatum, CreditorFileSpec.IsoDate));
            w.WriteString("signaaldatum", FormatDate(s.Signaaldatum, CreditorFileSpec.IsoDate));
            w.WriteBoolean("crisissignaal", s.Crisissignaal);
            w.WriteBoolean("warmeOverdracht", s.WarmeOverdracht);
            WriteNullableString(w, "eindeleveringsdatum", s.Eindeleveringsdatum is { } eol ? FormatDate(eol, CreditorFileSpec.IsoDate) : null);
            if (s.Voorwaarden is { } v)
            {
                w.WriteStartObject("voorwaarden");
                w.WriteString("herinneringVerstuurdOp", FormatDate(v.HerinneringVerstuurdOp, CreditorFileSpec.IsoDate));
                w.WriteBoolean("persoonlijkContactGezocht", v.PersoonlijkContactGezocht);
                w.WriteBoolean("gewezenOpSchuldhulp", v.GewezenOpSchuldhulp);
                w.WriteEndObject();
            }

            w.WriteStartObject("client");
            WriteNullableString(w, "burgerservicenummer", s.Burgerservicenummer);
            w.WriteString("voorletters", s.Voorletters);
            WriteNullableString(w, "voorvoegsel", s.Voorvoegsel);
            WriteNullableString(w, "achternaam", s.Achternaam);
            w.WriteString("geboortedatum", FormatDate(s.Geboortedatum, CreditorFileSpec.IsoDate));
            w.WriteString("straatnaam", s.Straatnaam);
            w.WriteString("postcode", s.Postcode);
            w.WriteNumber("huisnummer", s.Huisnummer);
            WriteNullableString(w, "huisnummertoevoeging", s.Huisnummertoevoeging);
            w.WriteString("plaatsnaam", s.Plaatsnaam);
            WriteNullableString(w, "telefoonnummer", s.Telefoonnummer);
            WriteNullableString(w, "email", s.Email);
            w.WriteEndObject();
            w.WriteEndObject();
        }

        return buffer.WrittenSpan;
    }

    /// <summary>
    /// CSV as a Dutch spreadsheet exports it: UTF-8 with BOM, ';' between fields, decimal comma,
    /// CRLF line ends, fields quoted only when they must be; empty for null.
    /// </summary>
    public static void WriteCsv(Stream stream, IReadOnlyList<GeneratedSignal> signals, string dateFormat)
    {
        using var writer = new StreamWriter(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: true), bufferSize: 1 << 16, leaveOpen: true);
        writer.NewLine = "\r\n";
        writer.WriteLine(string.Join(';', CsvColumns));
        var fields = new string?[CsvColumns.Count];
        foreach (var s in signals)
        {
            fields[0] = s.SignaalReferentie;
            fields[1] = s.SignaalpartnerType;
            fields[2] = FormatBedrag(s.Bedrag, ',');
            fields[3] = FormatDate(s.Ontstaansdatum, dateFormat);
            fields[4] = FormatDate(s.Signaaldatum, dateFormat);
            fields[5] = FormatBoolean(s.Crisissignaal);
            fields[6] = FormatBoolean(s.WarmeOverdracht);
            fields[7] = s.Eindeleveringsdatum is { } eol ? FormatDate(eol, dateFormat) : null;
            fields[8] = s.Voorwaarden is { } v ? FormatDate(v.HerinneringVerstuurdOp, dateFormat) : null;
            fields[9] = s.Voorwaarden is { } v2 ? FormatBoolean(v2.PersoonlijkContactGezocht) : null;
            fields[10] = s.Voorwaarden is { } v3 ? FormatBoolean(v3.GewezenOpSchuldhulp) : null;
            fields[11] = s.Burgerservicenummer;
            fields[12] = s.Voorletters;
            fields[13] = s.Voorvoegsel;
            fields[14] = s.Achternaam;
            fields[15] = FormatDate(s.Geboortedatum, dateFormat);
            fields[16] = s.Straatnaam;
            fields[17] = s.Postcode;
            fields[18] = s.Huisnummer.ToString(CultureInfo.InvariantCulture);
            fields[19] = s.Huisnummertoevoeging;
            fields[20] = s.Plaatsnaam;
            fields[21] = s.Telefoonnummer;
            fields[22] = s.Email;

            for (var i = 0; i < fields.Length; i++)
            {
                if (i > 0)
                {
                    writer.Write(';');
                }

                WriteCsvField(writer, fields[i]);
            }

            writer.WriteLine();
        }
    }

    /// <summary>Two decimals, or three for the intended-invalid rows that carry a third.</summary>
    public static string FormatBedrag(decimal bedrag, char separator)
    {
        var format = decimal.Round(bedrag, 2) == bedrag ? "0.00" : "0.000";
        var text = bedrag.ToString(format, CultureInfo.InvariantCulture);
        return separator == '.' ? text : text.Replace('.', separator);
    }

    public static string FormatDate(DateOnly date, string format) => date.ToString(format, CultureInfo.InvariantCulture);

    private static string FormatBoolean(bool value) => value ? "true" : "false";

    private static void WriteNullableString(Utf8JsonWriter w, string name, string? value)
    {
        if (value is null)
        {
            w.WriteNull(name);
        }
        else
        {
            w.WriteString(name, value);
        }
    }

    private static void WriteCsvField(TextWriter writer, string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return;
        }

        if (value.AsSpan().IndexOfAny(";\"\r\n") < 0)
        {
            writer.Write(value);
            return;
        }

        writer.Write('"');
        writer.Write(value.Replace("\"", "\"\"", StringComparison.Ordinal));
        writer.Write('"');
    }
}
