using System.Text;
using VroegSignalering.Core.Intake;

namespace VroegSignalering.Core.Tests.Intake;

/// <summary>
/// A JSON number's point is always a decimal point; in text a single separator before exactly three
/// digits could be either, so it is refused rather than read 1000 times too small or too large.
/// </summary>
public class AmountNotationTests
{
    [Fact]
    public void A_json_number_with_three_digits_after_the_point_is_a_decimal_amount()
    {
        var parsed = SignalParser.Parse(SignalFormat.Json, Encoding.UTF8.GetBytes("""{"bedrag": 1.250}"""), 10);
        var row = parsed.Rows[0];
        foreach (var (field, value) in SignalRows.ValidFields.Where(kv => kv.Key != SignalFields.Bedrag))
        {
            row.Set(field, value);
        }

        var result = SignalRows.Validate(row);

        Assert.True(result.IsValid, string.Join("; ", result.Errors.Select(e => e.Code)));
        Assert.Equal(1.25m, result.Signal!.Bedrag);
    }

    [Theory]
    [InlineData("1.250")]
    [InlineData("12,500")]
    [InlineData("€ 3.999")]
    public void Text_with_one_separator_before_three_digits_is_ambiguous(string text)
    {
        Assert.True(DutchFormats.IsAmbiguousThousands(text));
        Assert.Equal("bedrag.ambiguous", SignalRows.Validate((SignalFields.Bedrag, text)).Errors.Single().Code);
    }

    [Theory]
    [InlineData("1.250,00", 1250.00)]
    [InlineData("1,250.00", 1250.00)]
    [InlineData("1250", 1250)]
    [InlineData("12,5", 12.5)]
    public void Unambiguous_spellings_are_read_as_written(string text, double expected)
    {
        Assert.False(DutchFormats.IsAmbiguousThousands(text));
        Assert.Equal((decimal)expected, SignalRows.Validate((SignalFields.Bedrag, text)).Signal!.Bedrag);
    }
}
