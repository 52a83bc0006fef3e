using System.Text.RegularExpressions;
using VroegSignalering.Cli.Addresses;
using VroegSignalering.Testing;

namespace VroegSignalering.Cli.Tests.Addresses;

/// <summary>The committed synthetic address file keeps to the CBS format and can be regenerated.</summary>
public sealed partial class AddressFileTests
{
    private static readonly string FilePath = RepositoryRoot.File("data", "addresses", "pc6hnr20260801_gwb.csv");
    private static readonly string[] Lines = File.ReadAllLines(FilePath);

    [Fact]
    public void The_header_is_the_cbs_header_for_2026()
    {
        Assert.Equal("PC6;Huisnummer;Buurt2026;Wijk2026;Gemeente2026", Lines[0]);
    }

    [Fact]
    public void Every_row_has_a_valid_postcode_a_house_number_and_three_integer_codes_without_prefix_or_leading_zeros()
    {
        foreach (var line in Lines.Skip(1))
        {
            Assert.Matches(RowPattern(), line);
        }
    }

    [Fact]
    public void Has_about_forty_thousand_rows_across_the_six_municipalities_with_their_real_cbs_codes()
    {
        var file = AddressFile.Load(FilePath);
        Assert.InRange(file.Rows.Count, 38_000, 42_000);
        Assert.Equal([14, 153, 344, 363, 599, 772], file.Rows.Select(r => r.Gemeente).Distinct().Order());
    }

    [Fact]
    public void Every_municipality_has_several_wijken_and_every_wijk_several_buurten()
    {
        var file = AddressFile.Load(FilePath);
        foreach (var gemeente in file.Rows.GroupBy(r => r.Gemeente))
        {
            Assert.True(gemeente.Select(r => r.Wijk).Distinct().Count() >= 4, $"gemeente {gemeente.Key} has too few wijken");
            foreach (var wijk in gemeente.GroupBy(r => r.Wijk))
            {
                Assert.True(wijk.Select(r => r.Buurt).Distinct().Count() >= 3, $"wijk {wijk.Key} has too few buurten");
            }
        }
    }

    [Fact]
    public void Buurt_codes_lie_in_their_wijk_and_wijk_codes_in_their_gemeente()
    {
        foreach (var row in AddressFile.Load(FilePath).Rows)
        {
            // BU03630101 -> 3630101: dropping the last two digits gives the wijk (36301), then the gemeente (363).
            Assert.Equal(row.Wijk, row.Buurt / 100);
            Assert.Equal(row.Gemeente, row.Wijk / 100);
        }
    }

    [Fact]
    public void No_postcode_and_house_number_occurs_twice_and_rows_are_sorted()
    {
        var rows = AddressFile.Load(FilePath).Rows;
        var keys = rows.Select(r => Postcodes.AddressKey(r.Pc6Key, r.Huisnummer)).ToList();
        Assert.Equal(keys.Count, keys.Distinct().Count());
        Assert.Equal(keys.Order(), keys);
    }

    [Fact]
    public void The_check_command_finds_no_problem_in_the_committed_file()
    {
        Assert.Empty(AddressFileCheck.Problems(AddressFile.Load(FilePath)));
    }

    [Fact]
    public void The_check_reports_a_buurt_outside_its_wijk_and_a_duplicate_address()
    {
        var key = Postcodes.ToKey("1011AB");
        var file = AddressFile.FromRows(
            [new AddressRow(key, 1, 3630101, 36301, 363), new AddressRow(key, 1, 3630101, 36301, 363), new AddressRow(key, 2, 3630201, 36301, 363)],
            2026);

        var problems = AddressFileCheck.Problems(file).ToList();

        Assert.Contains(problems, p => p.Contains("duplicate", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("buurt 3630201 is not in wijk 36301", StringComparison.Ordinal));
    }

    [Fact]
    public void The_committed_file_is_exactly_what_the_generator_writes_with_the_documented_seed()
    {
        using var temp = new TempDirectory();
        var path = temp.File("addresses.csv");
        AddressFileGenerator.Write(path, AddressFileGenerator.Generate(AddressFileGenerator.DefaultSeed, AddressFileGenerator.DefaultRows), 2026);

        Assert.Equal(File.ReadAllBytes(FilePath), File.ReadAllBytes(path));
    }

    [Fact]
    public void The_gemeenten_file_names_each_municipality_by_its_four_digit_code()
    {
        var lines = File.ReadAllLines(RepositoryRoot.File("data", "addresses", "gemeenten.csv"));
        Assert.Equal("code;naam", lines[0]);
        Assert.Contains("0363;Amsterdam", lines);
        Assert.Contains("0014;Groningen", lines);
        Assert.Equal(6, Gemeenten.Read(RepositoryRoot.File("data", "addresses", "gemeenten.csv")).Count);
    }

    [Fact]
    public void The_reader_accepts_a_bom_crlf_and_quoted_fields_as_other_years_of_the_cbs_file_have_them()
    {
        using var temp = new TempDirectory();
        var path = temp.File("pc6hnr20240801_gwb.csv");
        File.WriteAllText(path, "\uFEFFPC6;Huisnummer;Buurt2024;Wijk2024;Gemeente2024\r\n\"1011AB\";\"1\";\"3630000\";\"36300\";\"363\"\r\n", new System.Text.UTF8Encoding(true));

        var file = AddressFile.Load(path);

        Assert.Equal(2024, file.Year);
        Assert.True(file.Contains("1011AB", 1));
        Assert.False(file.Contains("1011AB", 2));
    }

    [Theory]
    [InlineData("PC6;Huisnummer;Buurt2026;Wijk2026\n1011AB;1;3630000;36300\n", "header")]
    [InlineData("PC6;Huisnummer;Buurt2026;Wijk2026;Gemeente2026\n1011 AB;1;3630000;36300;363\n", "not a valid postcode")]
    [InlineData("PC6;Huisnummer;Buurt2026;Wijk2026;Gemeente2026\n1011AB;1;BU03630000;36300;363\n", "Buurt")]
    public void The_reader_names_the_line_and_the_problem_of_a_malformed_file(string content, string expected)
    {
        using var temp = new TempDirectory();
        var path = temp.File("bad.csv");
        File.WriteAllText(path, content);

        var error = Assert.Throws<FormatException>(() => AddressFile.Load(path));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1234AB", true)]
    [InlineData("9999ZZ", true)]
    [InlineData("0123AB", false)]
    [InlineData("1234SA", false)]
    [InlineData("1234SD", false)]
    [InlineData("1234SS", false)]
    [InlineData("1234ab", false)]
    [InlineData("1234 AB", false)]
    [InlineData("123AB", false)]
    public void Postcodes_are_four_digits_not_starting_with_zero_and_two_capitals_other_than_sa_sd_ss(string postcode, bool valid)
    {
        Assert.Equal(valid, Postcodes.IsValid(postcode));
    }

    [Fact]
    public void A_postcode_survives_the_round_trip_through_its_integer_key()
    {
        Assert.Equal("1011AB", Postcodes.FromKey(Postcodes.ToKey("1011AB")));
        Assert.Equal("9999ZZ", Postcodes.FromKey(Postcodes.ToKey("9999ZZ")));
        Assert.Equal(1011, Postcodes.ToKey("1011AB") / 676);
    }

    [GeneratedRegex(@"^[1-9][0-9]{3}[A-Z]{2};[1-9][0-9]*;[1-9][0-9]{4,7};[1-9][0-9]{2,5};[1-9][0-9]{0,3}$")]
    private static partial Regex RowPattern();
}
