using System.Globalization;
using VroegSignalering.Core.Intake;

namespace VroegSignalering.Core.Tests.Intake;

public class DutchFormatsTests
{
    [Theory]
    [InlineData("1234.56", "1234.56")]
    [InlineData("1234,56", "1234.56")]
    [InlineData("1.234,56", "1234.56")]
    [InlineData("1,234.56", "1234.56")]
    [InlineData("12.345.678,90", "12345678.90")]
    [InlineData("12,345,678.90", "12345678.90")]
    [InlineData("€ 12,50", "12.50")]
    [InlineData("€12,50", "12.50")]
    [InlineData("12,50 EUR", "12.50")]
    [InlineData("eur 12,50", "12.50")]
    [InlineData("1 234,56", "1234.56")]
    [InlineData("1\u00A0234,56", "1234.56")]
    [InlineData(" 75 ", "75")]
    [InlineData("0,5", "0.5")]
    [InlineData("-12,50", "-12.50")]
    public void Amounts_in_dutch_and_international_spellings_are_read(string text, string expected)
    {
        Assert.True(DutchFormats.TryParseAmount(text, out var amount), text);
        Assert.Equal(decimal.Parse(expected, CultureInfo.InvariantCulture), amount);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData(null)]
    [InlineData("€")]
    [InlineData("twaalf")]
    [InlineData("12,50,00")]
    [InlineData("1e3")]
    [InlineData("12,50-")]
    [InlineData("0x10")]
    [InlineData("123456789012345678901")]
    public void Text_that_is_not_an_amount_is_refused(string? text)
    {
        Assert.False(DutchFormats.TryParseAmount(text, out _));
    }

    [Theory]
    [InlineData("2026-11-20", 2026, 11, 20)]
    [InlineData("20-11-2026", 2026, 11, 20)]
    [InlineData("1-2-2026", 2026, 2, 1)]
    [InlineData("01-02-2026", 2026, 2, 1)]
    [InlineData("20/11/2026", 2026, 11, 20)]
    [InlineData("1/2/2026", 2026, 2, 1)]
    [InlineData(" 2026-11-20 ", 2026, 11, 20)]
    [InlineData("2026-11-20T23:59:59Z", 2026, 11, 20)]
    [InlineData("2026-11-20 08:00", 2026, 11, 20)]
    [InlineData("29-02-2028", 2028, 2, 29)]
    public void Dates_in_iso_and_dutch_spellings_are_read(string text, int year, int month, int day)
    {
        Assert.True(DutchFormats.TryParseDate(text, out var date), text);
        Assert.Equal(new DateOnly(year, month, day), date);
    }

    [Theory]
    [InlineData("")]
    [InlineData(null)]
    [InlineData("31-02-2026")]
    [InlineData("29-02-2026")]
    [InlineData("2026-13-01")]
    [InlineData("2026/11/20")]
    [InlineData("20-11-26")]
    [InlineData("11-20-2026")]
    [InlineData("20 november 2026")]
    [InlineData("20261120")]
    public void Text_that_is_not_a_date_is_refused(string? text)
    {
        Assert.False(DutchFormats.TryParseDate(text, out _));
    }

    [Theory]
    [InlineData("true", true)]
    [InlineData("TRUE", true)]
    [InlineData("ja", true)]
    [InlineData("J", true)]
    [InlineData("1", true)]
    [InlineData("waar", true)]
    [InlineData("false", false)]
    [InlineData("Nee", false)]
    [InlineData("n", false)]
    [InlineData("0", false)]
    [InlineData("onwaar", false)]
    public void Booleans_in_dutch_and_english_are_read(string text, bool expected)
    {
        Assert.True(DutchFormats.TryParseBool(text, out var value));
        Assert.Equal(expected, value);
    }

    [Theory]
    [InlineData("misschien")]
    [InlineData("2")]
    [InlineData("")]
    [InlineData(null)]
    public void Other_text_is_not_a_boolean(string? text)
    {
        Assert.False(DutchFormats.TryParseBool(text, out _));
    }

    [Theory]
    [InlineData("0612345678", "0612345678")]
    [InlineData("06-12345678", "0612345678")]
    [InlineData("06 12 34 56 78", "0612345678")]
    [InlineData("06.12.34.56.78", "0612345678")]
    [InlineData("+31612345678", "0612345678")]
    [InlineData("+31 6 12345678", "0612345678")]
    [InlineData("+31 (0)6 12345678", "0612345678")]
    [InlineData("0031612345678", "0612345678")]
    [InlineData("0031 (0)6-1234 5678", "0612345678")]
    [InlineData("010-1234567", "0101234567")]
    [InlineData("(010) 123 45 67", "0101234567")]
    [InlineData("+31 20 123 4567", "0201234567")]
    [InlineData("+32 2 123 45 67", "+3221234567")]
    [InlineData("+49 30 1234567", "+49301234567")]
    public void Phone_numbers_are_normalised(string text, string expected)
    {
        Assert.True(DutchFormats.TryNormalisePhone(text, out var phone), text);
        Assert.Equal(expected, phone);
    }

    [Theory]
    [InlineData("12345")]
    [InlineData("061234567")]
    [InlineData("06123456789")]
    [InlineData("0012345678")]
    [InlineData("+31 6 1234")]
    [InlineData("+0612345678")]
    [InlineData("06-1234567a")]
    [InlineData("bel mij")]
    [InlineData("")]
    [InlineData(null)]
    [InlineData("+31 6 12 34 56 78 90 12 34 56")]
    public void Text_that_is_not_a_phone_number_is_refused(string? text)
    {
        Assert.False(DutchFormats.TryNormalisePhone(text, out var phone));
        Assert.Equal(string.Empty, phone);
    }
}
