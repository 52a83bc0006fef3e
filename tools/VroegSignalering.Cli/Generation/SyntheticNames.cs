using System.Text;

namespace VroegSignalering.Cli.Generation;

/// <summary>A surname as the BRP splits it: voorvoegsel (prefix, lower case) and geslachtsnaam.</summary>
internal readonly record struct Surname(string? Voorvoegsel, string Achternaam)
{
    public override string ToString() => Voorvoegsel is null ? Achternaam : Voorvoegsel + " " + Achternaam;
}

/// <summary>
/// Name material written for this project. Surnames and initials are common in the Netherlands,
/// of Dutch and of migrant background, and are combined at random: no list holds a real person.
/// The spellings are chosen to exercise matching: prefixes ('t, d', van der), diacritics
/// (Öztürk, Çelik, Daniëls), the Ĳ ligature next to the two-letter IJ, and double names.
/// </summary>
internal static class SyntheticNames
{
    private static readonly Surname[] DutchSurnames = Parse(
        "Jansen", "de Jong", "de Vries", "van den Berg", "van Dijk", "Bakker", "Janssen", "Visser", "Smit",
        "Meijer", "de Boer", "Mulder", "de Groot", "Bos", "Vos", "Peters", "Hendriks", "van Leeuwen", "Dekker",
        "Brouwer", "de Wit", "Dijkstra", "Smits", "de Graaf", "van der Meer", "van der Linden", "Kok", "Jacobs",
        "de Haan", "Vermeulen", "van den Heuvel", "van der Veen", "van den Broek", "de Bruijn", "de Bruin",
        "van der Heijden", "Schouten", "van Beek", "Willems", "van Vliet", "van de Ven", "Hoekstra", "Maas",
        "Verhoeven", "Koster", "van Dam", "van der Wal", "Prins", "Blom", "Huisman", "Peeters", "de Jonge",
        "Kuipers", "van Veen", "Post", "Kuiper", "Veenstra", "Kramer", "van den Brink", "Scholten", "van Wijk",
        "Postma", "Martens", "Vink", "de Ruiter", "Timmermans", "Groen", "Gerritsen", "Jonker", "van Loon",
        "Boer", "van der Velde", "Willemsen", "Smeets", "de Lange", "de Vos", "Bosch", "van Dongen", "Schipper",
        "de Koning", "van der Laan", "Koning", "van der Velden", "Driessen", "van Doorn", "Hermans", "Evers",
        "van den Bosch", "van der Meulen", "Hofman", "Bosman", "Wolters", "Sanders", "van der Horst", "Mol",
        "Kuijpers", "Molenaar", "van de Pol", "de Leeuw", "Verbeek", "ter Horst", "ten Brink", "ter Haar",
        "'t Hart", "van 't Hof", "in 't Veld", "van 't Zand", "d' Hondt", "d' Ancona", "van der Zee",
        "op den Kamp", "van Os", "Ĳzerman", "IJzerman", "Ĳsselmuiden", "IJpelaar", "Daniëls", "Michiëls",
        "Citroën", "Noël", "Hoëlscher", "Lefèvre", "van Gogh", "Zwart", "Wijnands", "Hoogendoorn");

    private static readonly Surname[] MigrantBackgroundSurnames = Parse(
        "Öztürk", "Yılmaz", "Kaya", "Demir", "Şahin", "Çelik", "Yıldız", "Aydın", "Arslan", "Doğan", "Koç",
        "Özdemir", "Güler", "Kılıç", "El Amrani", "Bouzid", "El Idrissi", "Benali", "Aït Ouali", "Boukhari",
        "Amrani", "Haddou", "El Khatib", "Ahmadi", "Hosseini", "Nguyen", "Tran", "Singh", "Ramdin", "Ramsaran",
        "Sewdien", "Jagesar", "Baldewsingh", "Pinas", "Kromodikoro", "Martina", "Rosalia", "Sabajo", "N'Diaye",
        "Diallo", "Mensah", "Owusu", "Tesfay", "Haile", "Kowalski", "Nowak", "Wiśniewski", "Wójcik",
        "Dąbrowski", "Kovács", "Popescu", "Ionescu", "Petrović", "da Silva", "dos Santos", "Rodríguez",
        "García", "Müller", "Schäfer", "Łukasik");

    /// <summary>Initials with rough Dutch frequencies; two-letter initials (Th., IJ., Chr.) occur in the BRP.</summary>
    private static readonly (string Initial, double Weight)[] Initials =
    [
        ("J", 12), ("M", 10), ("A", 10), ("H", 6), ("P", 6), ("W", 5), ("C", 5), ("E", 5), ("R", 5), ("S", 5),
        ("T", 4), ("G", 4), ("K", 4), ("L", 4), ("N", 4), ("B", 3), ("D", 3), ("F", 3), ("I", 2), ("Y", 2),
        ("O", 1), ("V", 1), ("Z", 1), ("Th", 1.5), ("IJ", 0.7), ("Chr", 0.5), ("Ph", 0.4), ("Ö", 0.6),
        ("Ş", 0.4), ("Ç", 0.3), ("É", 0.3),
    ];

    private static readonly Dictionary<char, string> Folding = new()
    {
        ['Ö'] = "O", ['ö'] = "o", ['Ü'] = "U", ['ü'] = "u", ['Ç'] = "C", ['ç'] = "c", ['Ş'] = "S", ['ş'] = "s",
        ['ı'] = "i", ['İ'] = "I", ['ğ'] = "g", ['ë'] = "e", ['é'] = "e", ['è'] = "e", ['É'] = "E", ['ï'] = "i",
        ['í'] = "i", ['ś'] = "s", ['ó'] = "o", ['ą'] = "a", ['ä'] = "a", ['á'] = "a", ['ć'] = "c", ['Ł'] = "L",
        ['ł'] = "l", ['Ĳ'] = "IJ", ['ĳ'] = "ij", ['ñ'] = "n",
    };

    public static Surname RandomSurname(Rng rng) =>
        rng.Chance(0.72) ? rng.Pick(DutchSurnames) : rng.Pick(MigrantBackgroundSurnames);

    /// <summary>
    /// A partner's name after marriage in the BRP style used on letters: the partner's surname, a
    /// hyphen, then one's own (Bakker-de Vries); the prefix of the first part stays the voorvoegsel.
    /// </summary>
    public static Surname DoubleName(Surname partner, Surname own) => new(partner.Voorvoegsel, partner.Achternaam + "-" + own);

    public static string RandomVoorletters(Rng rng)
    {
        var count = rng.PickWeighted([0.35, 0.45, 0.2]) + 1;
        var text = new StringBuilder(8);
        for (var i = 0; i < count; i++)
        {
            text.Append(rng.PickWeighted(Initials)).Append('.');
        }

        return text.ToString();
    }

    /// <summary>Replaces letters with diacritics by plain ASCII, as many creditor systems still do.</summary>
    public static string FoldDiacritics(string text)
    {
        StringBuilder? folded = null;
        for (var i = 0; i < text.Length; i++)
        {
            if (Folding.TryGetValue(text[i], out var plain))
            {
                folded ??= new StringBuilder(text, 0, i, text.Length + 2);
                folded.Append(plain);
            }
            else
            {
                folded?.Append(text[i]);
            }
        }

        return folded?.ToString() ?? text;
    }

    public static bool IsAscii(string text) => Ascii.IsValid(text);

    private static Surname[] Parse(params string[] names) => [.. names.Select(ParseOne)];

    private static Surname ParseOne(string name)
    {
        // The last word is the geslachtsnaam, except for names that are one unit with a space (El Amrani).
        if (name.StartsWith("El ", StringComparison.Ordinal) || name.StartsWith("Aït ", StringComparison.Ordinal) || !name.Contains(' ', StringComparison.Ordinal))
        {
            return new Surname(null, name);
        }

        var split = name.LastIndexOf(' ');
        return new Surname(name[..split], name[(split + 1)..]);
    }
}
