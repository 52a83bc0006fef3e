using System.Globalization;
using System.Text.RegularExpressions;
using VroegSignalering.Core.Common;

namespace VroegSignalering.Core.Intake;

/// <summary>The outcome of validating one row: a signal, or the reasons it was rejected.</summary>
public sealed record ValidatedRow(int Row, IncomingSignal? Signal, IReadOnlyList<RowError> Errors)
{
    public bool IsValid => Signal is not null && Errors.Count == 0;
}

/// <summary>
/// Validates and normalises one row against the public contract. Every problem is reported (not just the
/// first) with its field path and a stable code; nothing about the row is guessed.
/// </summary>
public sealed partial class SignalValidator(IntakeLimits limits)
{
    public const int MaxReferenceLength = 64;
    public const int MaxInitialsLength = 20;
    public const int MaxPrefixLength = 20;
    public const int MaxSurnameLength = 120;
    public const int MaxStreetLength = 100;
    public const int MaxPlaceLength = 80;
    public const int MaxAdditionLength = 6;
    public const int MaxEmailLength = 254;
    public const int MaxHouseNumber = 99999;

    public ValidatedRow Validate(RawSignal raw, DateOnly today, IReadOnlySet<PartnerType> registeredTypes)
    {
        var reference = raw.Get(SignalFields.Referentie)?.Trim();
        var errors = new List<RowError>();
        void Fail(string field, string code, string message) => errors.Add(new RowError(raw.Row, reference, field, code, message));

        foreach (var e in raw.ShapeErrors)
        {
            errors.Add(e with { SignaalReferentie = reference });
        }

        // signaalReferentie
        if (string.IsNullOrEmpty(reference))
        {
            Fail(SignalFields.Referentie, ErrorCodes.Required, "signaalReferentie is required: the creditor's own unique reference for this signal");
        }
        else if (reference.Length > MaxReferenceLength)
        {
            Fail(SignalFields.Referentie, ErrorCodes.TooLong, $"signaalReferentie is longer than {MaxReferenceLength} characters");
        }
        else if (!ReferencePattern().IsMatch(reference))
        {
            Fail(SignalFields.Referentie, "signaalReferentie.invalid", "signaalReferentie may contain only letters, digits and . _ - : /");
        }

        // signaalpartnerType
        PartnerType? partnerType = null;
        var typeText = raw.Get(SignalFields.PartnerType);
        if (string.IsNullOrWhiteSpace(typeText))
        {
            Fail(SignalFields.PartnerType, ErrorCodes.Required, "signaalpartnerType is required");
        }
        else if (!PartnerTypes.TryParse(typeText, out var pt))
        {
            Fail(SignalFields.PartnerType, "signaalpartnerType.unknown", $"signaalpartnerType must be one of: {string.Join(", ", PartnerTypes.All)}");
        }
        else if (!registeredTypes.Contains(pt))
        {
            Fail(SignalFields.PartnerType, "signaalpartnerType.not_registered", $"this creditor is not registered to signal for '{pt.ToDdas()}'");
        }
        else
        {
            partnerType = pt;
        }

        var bedrag = ValidateAmount(raw, Fail);

        // Dates
        var signaaldatum = RequiredDate(raw, SignalFields.Signaaldatum, Fail);
        var ontstaansdatum = RequiredDate(raw, SignalFields.Ontstaansdatum, Fail);
        if (signaaldatum is { } sd)
        {
            if (sd > today)
            {
                Fail(SignalFields.Signaaldatum, "signaaldatum.in_future", $"signaaldatum {Iso(sd)} is after today ({Iso(today)})");
            }
            else if (sd < today.AddDays(-limits.MaxSignalAgeDays))
            {
                Fail(SignalFields.Signaaldatum, "signaaldatum.too_old", $"signaaldatum {Iso(sd)} is more than {limits.MaxSignalAgeDays} days ago");
            }
        }

        if (ontstaansdatum is { } od)
        {
            if (signaaldatum is { } sd2 && od > sd2)
            {
                Fail(SignalFields.Ontstaansdatum, "ontstaansdatum.after_signaaldatum", $"ontstaansdatum {Iso(od)} is after signaaldatum {Iso(sd2)}");
            }
            else if (od < today.AddYears(-limits.MaxArrearsAgeYears))
            {
                Fail(SignalFields.Ontstaansdatum, "ontstaansdatum.too_old", $"ontstaansdatum {Iso(od)} is more than {limits.MaxArrearsAgeYears} years ago");
            }
        }

        var crisis = OptionalBool(raw, SignalFields.Crisissignaal, Fail) ?? false;
        var warm = OptionalBool(raw, SignalFields.WarmeOverdracht, Fail) ?? false;

        DateOnly? eindelevering = null;
        if (raw.Has(SignalFields.Eindeleveringsdatum))
        {
            eindelevering = OptionalDate(raw, SignalFields.Eindeleveringsdatum, Fail);
            if (partnerType is { } t && !t.IsUtility())
            {
                Fail(SignalFields.Eindeleveringsdatum, "eindeleveringsdatum.not_allowed", $"eindeleveringsdatum applies only to Energie and Water signals, not to {t.ToDdas()}");
            }
            else if (eindelevering is { } ed && signaaldatum is { } sd3)
            {
                if (ed < sd3)
                {
                    Fail(SignalFields.Eindeleveringsdatum, "eindeleveringsdatum.before_signaaldatum", $"eindeleveringsdatum {Iso(ed)} is before signaaldatum {Iso(sd3)}");
                }
                else if (ed > sd3.AddDays(365))
                {
                    Fail(SignalFields.Eindeleveringsdatum, "eindeleveringsdatum.too_far", "eindeleveringsdatum is more than a year after signaaldatum");
                }
            }
        }

        // Bgs preconditions (Besluit gemeentelijke schuldhulpverlening art. 2)
        var herinnering = RequiredDate(raw, SignalFields.Herinnering, Fail);
        if (herinnering is { } h && ontstaansdatum is { } o2 && signaaldatum is { } s2 && (h < o2 || h > s2))
        {
            Fail(SignalFields.Herinnering, "herinnering.out_of_range", "herinneringVerstuurdOp must lie between ontstaansdatum and signaaldatum");
        }

        var contact = RequiredBool(raw, SignalFields.PersoonlijkContact, Fail);
        if (contact == false)
        {
            Fail(SignalFields.PersoonlijkContact, "voorwaarden.not_met", "a creditor may signal only after seeking personal contact (Bgs art. 2)");
        }

        var pointed = RequiredBool(raw, SignalFields.GewezenOpSchuldhulp, Fail);
        if (pointed == false)
        {
            Fail(SignalFields.GewezenOpSchuldhulp, "voorwaarden.not_met", "a creditor may signal only after pointing the customer to debt help (Bgs art. 2)");
        }

        var client = ValidateClient(raw, today, Fail);

        if (errors.Count > 0 || partnerType is null || bedrag is null || signaaldatum is null || ontstaansdatum is null
            || herinnering is null || contact is null || pointed is null || client is null || reference is null)
        {
            return new ValidatedRow(raw.Row, null, errors);
        }

        var signal = new IncomingSignal(
            reference, partnerType.Value, bedrag.Value, ontstaansdatum.Value, signaaldatum.Value, crisis, warm, eindelevering,
            new Voorwaarden(herinnering.Value, contact.Value, pointed.Value), client);
        return new ValidatedRow(raw.Row, signal, []);
    }

    private decimal? ValidateAmount(RawSignal raw, Action<string, string, string> fail)
    {
        var text = raw.Get(SignalFields.Bedrag);
        if (string.IsNullOrWhiteSpace(text))
        {
            fail(SignalFields.Bedrag, ErrorCodes.Required, "bedrag is required: the arrears in euros");
            return null;
        }

        decimal amount;
        if (raw.IsJsonNumber(SignalFields.Bedrag))
        {
            if (!decimal.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out amount))
            {
                fail(SignalFields.Bedrag, "bedrag.invalid", "bedrag is not a number (use 1234.56 or 1234,56)");
                return null;
            }
        }
        else if (DutchFormats.IsAmbiguousThousands(text))
        {
            fail(SignalFields.Bedrag, "bedrag.ambiguous", $"bedrag '{text.Trim()}' could be a thousands separator or three decimals; write it with two decimals (1250,00 or 1250.00)");
            return null;
        }
        else if (!DutchFormats.TryParseAmount(text, out amount))
        {
            fail(SignalFields.Bedrag, "bedrag.invalid", "bedrag is not a number (use 1234.56 or 1234,56)");
            return null;
        }

        if (amount <= 0)
        {
            fail(SignalFields.Bedrag, "bedrag.not_positive", "bedrag must be more than 0");
            return null;
        }

        if (amount > limits.MaxAmount)
        {
            fail(SignalFields.Bedrag, "bedrag.too_large", $"bedrag exceeds the upper bound of {limits.MaxAmount.ToString("N0", CultureInfo.InvariantCulture)} euros");
            return null;
        }

        if (decimal.Round(amount, 2) != amount)
        {
            fail(SignalFields.Bedrag, "bedrag.precision", "bedrag has more than two decimals");
            return null;
        }

        return amount;
    }

    private ClientDetails? ValidateClient(RawSignal raw, DateOnly today, Action<string, string, string> fail)
    {
        var ok = true;
        void Fail(string field, string code, string message)
        {
            ok = false;
            fail(field, code, message);
        }

        string? bsn = null;
        if (raw.Has(SignalFields.Bsn))
        {
            if (!Bsn.TryNormalise(raw.Get(SignalFields.Bsn), out var b))
            {
                Fail(SignalFields.Bsn, "bsn.invalid", "burgerservicenummer must be 9 digits that pass the 11-proof");
            }
            else
            {
                bsn = b;
            }
        }

        var initials = OptionalText(raw, SignalFields.Voorletters, MaxInitialsLength, InitialsPattern(), "letters, dots, spaces and hyphens", Fail);
        var prefix = OptionalText(raw, SignalFields.Voorvoegsel, MaxPrefixLength, NamePattern(), "letters, spaces and apostrophes", Fail);
        var surname = OptionalText(raw, SignalFields.Achternaam, MaxSurnameLength, NamePattern(), "letters, spaces, hyphens and apostrophes", Fail);
        if (surname is null && !raw.Has(SignalFields.Achternaam))
        {
            Fail(SignalFields.Achternaam, ErrorCodes.Required, "client.achternaam is required");
        }

        var birth = RequiredDate(raw, SignalFields.Geboortedatum, fail);
        if (birth is null)
        {
            ok = false;
        }
        else if (birth > today.AddYears(-limits.MinAgeYears) || birth < today.AddYears(-limits.MaxAgeYears))
        {
            Fail(SignalFields.Geboortedatum, "geboortedatum.out_of_range", $"geboortedatum must give an age between {limits.MinAgeYears} and {limits.MaxAgeYears} years");
        }

        var street = OptionalText(raw, SignalFields.Straatnaam, MaxStreetLength, StreetPattern(), "letters, digits, spaces and . ' - / ( )", Fail);
        var place = OptionalText(raw, SignalFields.Plaatsnaam, MaxPlaceLength, StreetPattern(), "letters, digits, spaces and . ' - / ( )", Fail);

        string? postcode = null;
        var postcodeText = raw.Get(SignalFields.Postcode);
        if (string.IsNullOrWhiteSpace(postcodeText))
        {
            Fail(SignalFields.Postcode, ErrorCodes.Required, "client.postcode is required");
        }
        else if (!Postcode.TryParse(postcodeText, out var pc))
        {
            Fail(SignalFields.Postcode, "postcode.invalid", "client.postcode is not a Dutch postcode (four digits, the first not 0, and two letters: 1234AB)");
        }
        else
        {
            postcode = pc.Value.Value;
        }

        var (number, addition) = ValidateHouseNumber(raw, Fail);

        string? phone = null;
        if (raw.Has(SignalFields.Telefoon))
        {
            if (!DutchFormats.TryNormalisePhone(raw.Get(SignalFields.Telefoon), out var p))
            {
                Fail(SignalFields.Telefoon, "telefoonnummer.invalid", "client.telefoonnummer is not a phone number (0612345678, 010-1234567 or +31612345678)");
            }
            else
            {
                phone = p;
            }
        }

        string? email = null;
        if (raw.Has(SignalFields.Email))
        {
            var e = raw.Get(SignalFields.Email)!.Trim();
            if (e.Length > MaxEmailLength || !EmailPattern().IsMatch(e))
            {
                Fail(SignalFields.Email, "email.invalid", "client.email is not an e-mail address");
            }
            else
            {
                email = e.ToLowerInvariant();
            }
        }

        return ok && surname is not null && birth is not null && postcode is not null && number is not null
            ? new ClientDetails(bsn, initials, prefix, surname, birth.Value, street, postcode, number.Value, addition, place, phone, email)
            : null;
    }

    // House numbers arrive as 12, "12", "12A", "12-A", "12 bis"; the addition may also come separately.
    private static (int? Number, string? Addition) ValidateHouseNumber(RawSignal raw, Action<string, string, string> fail)
    {
        var text = raw.Get(SignalFields.Huisnummer)?.Trim();
        var additionText = raw.Get(SignalFields.Toevoeging);
        if (string.IsNullOrEmpty(text))
        {
            fail(SignalFields.Huisnummer, ErrorCodes.Required, "client.huisnummer is required");
            return (null, null);
        }

        var m = HouseNumberPattern().Match(text);
        if (!m.Success || !int.TryParse(m.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number is < 1 or > MaxHouseNumber)
        {
            fail(SignalFields.Huisnummer, "huisnummer.invalid", $"client.huisnummer must be a whole number from 1 to {MaxHouseNumber}");
            return (null, null);
        }

        var embedded = m.Groups[2].Value;
        if (embedded.Length > 0 && !string.IsNullOrWhiteSpace(additionText))
        {
            fail(SignalFields.Huisnummer, "huisnummer.invalid", "client.huisnummer holds an addition and client.huisnummertoevoeging is also given");
            return (null, null);
        }

        var addition = NormaliseAddition(embedded.Length > 0 ? embedded : additionText);
        if (addition is { } a && (a.Length > MaxAdditionLength || !a.All(char.IsAsciiLetterOrDigit)))
        {
            // Report the field the creditor actually wrote the addition in.
            if (embedded.Length > 0)
            {
                fail(SignalFields.Huisnummer, "huisnummer.invalid", $"the addition in client.huisnummer must be at most {MaxAdditionLength} letters or digits");
            }
            else
            {
                fail(SignalFields.Toevoeging, "huisnummertoevoeging.invalid", $"client.huisnummertoevoeging must be at most {MaxAdditionLength} letters or digits");
            }

            return (null, null);
        }

        return (number, addition);
    }

    /// <summary>"-a", " A ", "a-1" → "A", "A1": upper case, separators removed.</summary>
    public static string? NormaliseAddition(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var cleaned = new string(text.Where(c => c is not (' ' or '-' or '/' or '.' or '\u00A0')).ToArray()).ToUpperInvariant();
        return cleaned.Length == 0 ? null : cleaned;
    }

    private static string? OptionalText(RawSignal raw, string field, int maxLength, Regex allowed, string allowedText, Action<string, string, string> fail)
    {
        var text = raw.Get(field);
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var trimmed = CollapseSpaces(text.Trim().Normalize(System.Text.NormalizationForm.FormC));
        if (trimmed.Length > maxLength)
        {
            fail(field, ErrorCodes.TooLong, $"{field} is longer than {maxLength} characters");
            return null;
        }

        if (!allowed.IsMatch(trimmed))
        {
            fail(field, ErrorCodes.InvalidCharacters, $"{field} may contain only {allowedText}");
            return null;
        }

        return trimmed;
    }

    private static DateOnly? RequiredDate(RawSignal raw, string field, Action<string, string, string> fail)
    {
        if (!raw.Has(field))
        {
            fail(field, ErrorCodes.Required, $"{field} is required");
            return null;
        }

        return OptionalDate(raw, field, fail);
    }

    private static DateOnly? OptionalDate(RawSignal raw, string field, Action<string, string, string> fail)
    {
        var text = raw.Get(field);
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        if (DutchFormats.TryParseDate(text, out var date))
        {
            return date;
        }

        fail(field, "datum.invalid", $"{field} is not a date (use 2026-11-20 or 20-11-2026)");
        return null;
    }

    private static bool? RequiredBool(RawSignal raw, string field, Action<string, string, string> fail)
    {
        if (!raw.Has(field))
        {
            fail(field, ErrorCodes.Required, $"{field} is required");
            return null;
        }

        return OptionalBool(raw, field, fail);
    }

    private static bool? OptionalBool(RawSignal raw, string field, Action<string, string, string> fail)
    {
        var text = raw.Get(field);
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        if (DutchFormats.TryParseBool(text, out var value))
        {
            return value;
        }

        fail(field, "boolean.invalid", $"{field} must be true or false");
        return null;
    }

    private static string CollapseSpaces(string text) => MultipleSpaces().Replace(text, " ");

    private static string Iso(DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^[A-Za-z0-9._:/\-]+$")]
    private static partial Regex ReferencePattern();

    // Names: letters of any script with their diacritics, spaces, hyphens, apostrophes (d'Hondt, 't Hart), dots (St.).
    // A leading apostrophe is normal before a letter: 't Hart, ’t Hooft, the prefix 't.
    [GeneratedRegex(@"^(?:['’`][\p{L}]|[\p{L}\p{M}])[\p{L}\p{M} '’`\-.]*$")]
    private static partial Regex NamePattern();

    [GeneratedRegex(@"^[\p{L}\p{M}][\p{L}\p{M} .\-]*$")]
    private static partial Regex InitialsPattern();

    // 's-Hertogenbosch, 's-Gravenhage, 't Zand.
    [GeneratedRegex(@"^(?:['’][\p{L}]|[\p{L}\p{M}0-9])[\p{L}\p{M}0-9 .'’\-/()&,]*$")]
    private static partial Regex StreetPattern();

    [GeneratedRegex(@"^(\d{1,6})\s*[-/ ]?\s*([A-Za-z0-9]{0,12})$")]
    private static partial Regex HouseNumberPattern();

    [GeneratedRegex(@"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$")]
    private static partial Regex EmailPattern();

    [GeneratedRegex(@"\s{2,}")]
    private static partial Regex MultipleSpaces();
}

/// <summary>Stable error codes shared by several fields.</summary>
public static class ErrorCodes
{
    public const string Required = "field.required";
    public const string TooLong = "field.too_long";
    public const string InvalidCharacters = "field.invalid_characters";
    public const string Unknown = "field.unknown";
    public const string Type = "field.type";
    public const string RowMalformed = "row.malformed";
    public const string Conflict = "signal.conflict";
    public const string DuplicateInRequest = "signal.duplicate_in_request";
}
