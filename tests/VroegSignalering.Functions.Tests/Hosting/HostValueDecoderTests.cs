using System.Text;
using System.Text.Json;
using VroegSignalering.Functions.Hosting;

namespace VroegSignalering.Functions.Tests.Hosting;

public class HostValueDecoderTests
{
    [Theory]
    [InlineData("abc", "abc")]
    [InlineData("\"abc\"", "abc")]
    [InlineData("\"\\\"abc\\\"\"", "abc")]
    [InlineData("\"\"", "")]
    [InlineData("a \"quoted\" word", "a \"quoted\" word")]
    public void Unquote_removes_up_to_two_layers_of_json_quoting(string input, string expected)
    {
        Assert.Equal(expected, HostValueDecoder.Unquote(input));
    }

    [Theory]
    [InlineData("1", 1)]
    [InlineData("\"7\"", 7)]
    [InlineData("42", 42)]
    public void Numbers_arrive_as_numbers_or_as_strings(string raw, int expected)
    {
        var element = JsonDocument.Parse(raw.StartsWith('"') ? raw : JsonSerializer.Serialize(raw)).RootElement;
        Assert.Equal(expected, HostValueDecoder.DecodeInt(element));
        Assert.Equal(expected, HostValueDecoder.DecodeInt(JsonDocument.Parse(expected.ToString(System.Globalization.CultureInfo.InvariantCulture)).RootElement));
    }

    [Fact]
    public void A_base64_string_that_is_not_utf8_json_is_not_mistaken_for_a_payload()
    {
        // "AAAA" is valid base64 but decodes to zero bytes of binary: not JSON.
        var element = JsonDocument.Parse("\"AAAA\"").RootElement;
        Assert.Throws<HostPayloadException>(() => HostValueDecoder.DecodeJsonPayload(element));
    }

    [Fact]
    public void Base64_of_a_quoted_json_string_is_decoded_through_both_layers()
    {
        var inner = JsonSerializer.Serialize("""{"a":1}""");
        var encoded = Convert.ToBase64String(Encoding.UTF8.GetBytes(inner));
        var element = JsonDocument.Parse(JsonSerializer.Serialize(encoded)).RootElement;

        Assert.Equal("""{"a":1}""", HostValueDecoder.DecodeJsonPayload(element));
    }

    [Fact]
    public void Timestamps_are_read_as_utc_from_quoted_strings()
    {
        var element = JsonDocument.Parse("\"\\\"2026-11-22T11:00:00+01:00\\\"\"").RootElement;
        Assert.Equal(new DateTimeOffset(2026, 11, 22, 10, 0, 0, TimeSpan.Zero), HostValueDecoder.DecodeTimestamp(element));
    }
}
