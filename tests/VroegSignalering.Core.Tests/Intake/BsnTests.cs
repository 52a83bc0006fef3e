using VroegSignalering.Core.Intake;

namespace VroegSignalering.Core.Tests.Intake;

public class BsnTests
{
    [Fact]
    public void Computed_synthetic_numbers_pass_the_eleven_proof()
    {
        // 9×d1 + 8×d2 + … + 2×d8 − d9 ≡ 0 (mod 11): check the helper against the definition, then Core against both.
        for (var start = 10_000_000; start < 10_000_000 + (500 * 97); start += 97)
        {
            var bsn = SyntheticBsn.ValidFrom(start);
            var sum = 0;
            for (var i = 0; i < 8; i++)
            {
                sum += (bsn[i] - '0') * (9 - i);
            }

            Assert.Equal(0, (sum - (bsn[8] - '0')) % 11);
            Assert.True(Bsn.PassesElfproef(bsn), bsn);
            Assert.True(Bsn.TryNormalise(bsn, out var normalised), bsn);
            Assert.Equal(bsn, normalised);
            Assert.False(Bsn.PassesElfproef(SyntheticBsn.Corrupt(bsn)), SyntheticBsn.Corrupt(bsn));
        }
    }

    [Fact]
    public void The_textbook_example_passes_and_its_neighbour_fails()
    {
        // 1×9 + 2×8 + 3×7 + 4×6 + 5×5 + 6×4 + 7×3 + 8×2 − 2 = 154 = 14 × 11
        Assert.True(Bsn.PassesElfproef("123456782"));
        Assert.False(Bsn.PassesElfproef("123456789"));
    }

    [Theory]
    [InlineData("{0}")]
    [InlineData(" {0} ")]
    [InlineData("{1}.{2}.{3}")]
    [InlineData("{1} {2} {3}")]
    [InlineData("{1}-{2}-{3}")]
    public void Spaces_dots_and_dashes_are_stripped(string format)
    {
        var bsn = SyntheticBsn.ValidFrom(31_415_926);
        var text = string.Format(System.Globalization.CultureInfo.InvariantCulture, format, bsn, bsn[..3], bsn[3..6], bsn[6..]);

        Assert.True(Bsn.TryNormalise(text, out var normalised));
        Assert.Equal(bsn, normalised);
    }

    [Fact]
    public void Eight_digits_are_read_as_a_bsn_with_a_leading_zero()
    {
        var bsn = SyntheticBsn.ValidFrom(1_234_567);
        Assert.Equal('0', bsn[0]);

        Assert.True(Bsn.TryNormalise(bsn[1..], out var normalised));
        Assert.Equal(bsn, normalised);
    }

    [Theory]
    [InlineData("000000000")]
    [InlineData("00000000")]
    [InlineData("1234567")]
    [InlineData("1234567820")]
    [InlineData("12345678a")]
    [InlineData("123/456/782")]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData(null)]
    [InlineData("123 456 782 000 000")]
    public void Text_that_is_not_nine_digits_passing_the_proof_is_refused(string? input)
    {
        Assert.False(Bsn.TryNormalise(input, out var bsn));
        Assert.Equal(string.Empty, bsn);
    }

    [Fact]
    public void A_number_whose_check_digit_is_off_by_one_is_refused()
    {
        var bsn = SyntheticBsn.ValidFrom(27_182_818);

        Assert.False(Bsn.TryNormalise(SyntheticBsn.Corrupt(bsn), out _));
    }

    [Theory]
    [InlineData("12345678")]
    [InlineData("1234567890")]
    public void The_eleven_proof_needs_exactly_nine_digits(string digits)
    {
        Assert.False(Bsn.PassesElfproef(digits));
    }
}
