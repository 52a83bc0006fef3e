using VroegSignalering.Core.Intake;

namespace VroegSignalering.Core.Tests.Intake;

public class PostcodeTests
{
    [Theory]
    [InlineData("1234AB", "1234AB")]
    [InlineData("1234ab", "1234AB")]
    [InlineData("1234 AB", "1234AB")]
    [InlineData(" 1234-Ab ", "1234AB")]
    [InlineData("1234\u00A0AB", "1234AB")]
    [InlineData("1234\tab", "1234AB")]
    [InlineData("1000AA", "1000AA")]
    [InlineData("9999ZZ", "9999ZZ")]
    [InlineData("1234SB", "1234SB")]
    [InlineData("1234AS", "1234AS")]
    public void A_dutch_postcode_is_normalised_to_four_digits_and_two_capitals(string input, string expected)
    {
        Assert.True(Postcode.TryParse(input, out var postcode));
        Assert.Equal(expected, postcode.Value.Value);
        Assert.Equal(expected, postcode.Value.ToString());
        Assert.Equal(expected, Postcode.Parse(input).Value);
    }

    [Theory]
    [InlineData("0123AB")]
    [InlineData("0000AA")]
    [InlineData("1234SA")]
    [InlineData("1234sd")]
    [InlineData("1234 SS")]
    [InlineData("1234A")]
    [InlineData("123AB")]
    [InlineData("12345AB")]
    [InlineData("1234ABC")]
    [InlineData("AB1234")]
    [InlineData("1234A1")]
    [InlineData("12A4AB")]
    [InlineData("1234ÄB")]
    [InlineData("１２３４AB")]
    [InlineData("1234.AB")]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData(null)]
    public void Anything_else_is_not_a_postcode(string? input)
    {
        Assert.False(Postcode.TryParse(input, out var postcode));
        Assert.Null(postcode);
    }

    [Fact]
    public void Parse_throws_a_format_exception_for_an_invalid_postcode()
    {
        Assert.Throws<FormatException>(() => Postcode.Parse("0123AB"));
    }

    [Fact]
    public void Two_spellings_of_one_postcode_are_equal()
    {
        Assert.Equal(Postcode.Parse("1234 ab"), Postcode.Parse("1234AB"));
    }
}
