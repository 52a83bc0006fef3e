using System.Text;
using VroegSignalering.Core.Common;

namespace VroegSignalering.Core.Tests.Common;

public class StableIdsTests
{
    [Fact]
    public void The_same_parts_always_give_the_same_id()
    {
        Assert.Equal(StableIds.From("s-", "creditor-1", "REF-1"), StableIds.From("s-", "creditor-1", "REF-1"));
    }

    [Fact]
    public void An_id_is_the_prefix_and_26_lower_case_base32_characters()
    {
        var id = StableIds.From("s-", "creditor-1", "REF-1");

        Assert.StartsWith("s-", id, StringComparison.Ordinal);
        Assert.Equal(2 + 26, id.Length);
        Assert.All(id[2..], c => Assert.Contains(c, "abcdefghijklmnopqrstuvwxyz234567"));
    }

    [Fact]
    public void Different_parts_give_different_ids()
    {
        Assert.NotEqual(StableIds.From("s-", "creditor-1", "REF-1"), StableIds.From("s-", "creditor-1", "REF-2"));
        Assert.NotEqual(StableIds.From("s-", "creditor-1", "REF-1"), StableIds.From("s-", "creditor-2", "REF-1"));
    }

    [Fact]
    public void Moving_text_between_parts_gives_a_different_id()
    {
        Assert.NotEqual(StableIds.From("s-", "ab", "c"), StableIds.From("s-", "a", "bc"));
        Assert.NotEqual(StableIds.From("s-", "abc"), StableIds.From("s-", "ab", "c"));
    }

    [Fact]
    public void The_order_of_the_parts_matters()
    {
        Assert.NotEqual(StableIds.From("s-", "a", "b"), StableIds.From("s-", "b", "a"));
    }

    [Fact]
    public void The_prefix_is_not_part_of_the_hash()
    {
        Assert.Equal(StableIds.From("s-", "x")[2..], StableIds.From("r-", "x")[2..]);
    }

    [Fact]
    public void The_id_is_the_base32_of_sha256_over_the_parts_joined_by_the_unit_separator()
    {
        var expected = "s-" + StableIds.Base32(StableIds.Sha256("creditor-1\u001FREF-1"), 26);

        Assert.Equal(expected, StableIds.From("s-", "creditor-1", "REF-1"));
    }

    [Theory]
    [InlineData("f", 2, "my")]
    [InlineData("fo", 4, "mzxq")]
    [InlineData("foo", 5, "mzxw6")]
    [InlineData("foob", 7, "mzxw6yq")]
    [InlineData("fooba", 8, "mzxw6ytb")]
    [InlineData("foobar", 10, "mzxw6ytboi")]
    public void Base32_matches_the_rfc_4648_test_vectors_in_lower_case(string text, int length, string expected)
    {
        Assert.Equal(expected, StableIds.Base32(Encoding.ASCII.GetBytes(text), length));
    }

    [Fact]
    public void Sha256_hex_matches_the_fips_test_vector()
    {
        Assert.Equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", StableIds.Sha256Hex("abc"u8));
    }

    [Fact]
    public void Sha256_hashes_the_utf8_bytes_of_the_text()
    {
        Assert.Equal(StableIds.Sha256Hex(Encoding.UTF8.GetBytes("Öztürk")), Convert.ToHexStringLower(StableIds.Sha256("Öztürk")));
    }
}
