namespace VroegSignalering.Cli.Generation;

/// <summary>
/// Street names for synthetic addresses. The address file has no streets, so a street is derived
/// from the postcode: every signal for the same PC6 names the same street, as in reality.
/// </summary>
internal static class Streets
{
    private static readonly string[] Names =
    [
        "Dorpsstraat", "Kerkstraat", "Schoolstraat", "Molenweg", "Stationsweg", "Lindelaan", "Beukenlaan",
        "Eikenlaan", "Kastanjelaan", "Berkenlaan", "Wilgenlaan", "Julianastraat", "Wilhelminastraat",
        "Beatrixstraat", "Prinses Irenestraat", "Prins Bernhardlaan", "Emmastraat", "Nassaulaan", "Oranjestraat",
        "Marktstraat", "Nieuwstraat", "Hoofdstraat", "Kanaalweg", "Parkweg", "Industrieweg", "Zuiderkade",
        "Noorderhaven", "Oostersingel", "Westerstraat", "Tuinstraat", "Rozenstraat", "Tulpstraat", "Lelieweg",
        "Sportlaan", "Vondelstraat", "Bilderdijkstraat", "Da Costastraat", "Van Speijkstraat", "Jan Steenstraat",
        "Frans Halsstraat", "Rembrandtlaan", "Vermeerstraat", "Jacob van Lennepkade", "Pieter Calandlaan",
        "Burgemeester de Monchyplein", "Van der Helststraat", "Van 't Hoffstraat", "Tweede Oosterparkstraat",
        "Eerste Helmersstraat", "'s-Gravendijkwal", "'s-Gravenweg", "Sint-Jorisstraat", "Sint Annastraat",
        "IJsselstraat", "Ĳsseldijk", "Amstelkade", "Maasboulevard", "Rijnlaan", "Vechtstraat", "Lekstraat",
        "Dommelstraat", "Hunzestraat", "Reitdiepskade", "Oude Ebbingestraat", "Hengelosestraat", "Oldenzaalsestraat",
        "Boschdijk", "Woenselse Markt", "Kanaalstraat", "Amsterdamsestraatweg", "Biltstraat", "Twijnstraat",
        "Croeselaan", "Ondiep-Zuidzijde", "Zwaanshals", "Noordsingel", "Bergweg", "Beijerlandselaan",
        "Groene Hilledijk", "Slinge", "Pendrechtstraat", "Mijnsherenlaan", "Hofplein", "Spaarndammerstraat",
        "Zaanstraat", "Javastraat", "Molukkenstraat", "Balistraat", "Sumatrastraat", "Surinameplein",
        "Curaçaostraat", "Arubastraat", "Bonaireplein", "Hoogstraat", "Laagstraat", "Achterom", "Voorstraat",
        "Brinkstraat", "Esstraat", "Kampweg", "Heuvelweg", "Dijkstraat", "Polderweg", "Slotlaan", "Koestraat",
        "Paardenmarkt", "Vismarkt", "Korenmarkt", "Looiersgracht", "Brouwersgracht", "Lijnbaansgracht",
        "Bloemgracht", "Egelantiersstraat", "Anjeliersstraat", "Goudsbloemstraat", "Dahliastraat",
        "Narcissenstraat", "Hyacintenlaan", "Seringenstraat", "Vlierstraat", "Meidoornweg", "Hazelaarstraat",
        "Esdoornlaan", "Populierenweg", "Platanenlaan", "Acacialaan", "Cederstraat", "Dennenweg", "Sparrenlaan",
    ];

    public static string ForPostcode(string postcode)
    {
        // FNV-1a: the same postcode always gives the same street, on every machine and .NET version.
        var hash = 2166136261u;
        foreach (var c in postcode)
        {
            hash = unchecked((hash ^ c) * 16777619u);
        }

        return Names[hash % (uint)Names.Length];
    }
}
