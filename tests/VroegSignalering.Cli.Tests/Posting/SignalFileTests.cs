using System.Text;
using System.Text.Json;
using VroegSignalering.Cli.Cli;
using VroegSignalering.Cli.Posting;

namespace VroegSignalering.Cli.Tests.Posting;

public sealed class SignalFileTests : IDisposable
{
    private static readonly byte[] Bom = [0xEF, 0xBB, 0xBF];
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void A_json_array_is_cut_into_arrays_of_at_most_the_batch_size_keeping_each_elements_bytes()
    {
        var path = Write("a.json", "[\n  {\"signaalReferentie\": \"A-1\", \"bedrag\": 12.50},\n  {\"signaalReferentie\": \"A-2\",\n   \"bedrag\": 1.005},\n  {\"signaalReferentie\": \"A-3\"}\n]\n");

        var batches = SignalFile.Load(path).Batches(2).ToList();

        Assert.Equal([2, 1], batches.Select(b => b.RowCount));
        var first = JsonDocument.Parse(batches[0].Body).RootElement;
        Assert.Equal(2, first.GetArrayLength());
        Assert.Contains("\"bedrag\": 12.50", Encoding.UTF8.GetString(batches[0].Body), StringComparison.Ordinal);
        Assert.Contains("1.005", Encoding.UTF8.GetString(batches[0].Body), StringComparison.Ordinal);
        Assert.Equal([2, 3], batches[0].Lines);
        Assert.Equal([5], batches[1].Lines);
        Assert.Equal(3, batches[1].FileRow(1));
    }

    [Fact]
    public void Ndjson_batches_skip_blank_lines_but_remember_each_rows_line()
    {
        var path = Write("a.ndjson", "{\"n\":1}\r\n\r\n{\"n\":2}\n{\"n\":3}");

        var batches = SignalFile.Load(path).Batches(2).ToList();

        Assert.Equal("{\"n\":1}\n{\"n\":2}\n", Encoding.UTF8.GetString(batches[0].Body));
        Assert.Equal([1, 3], batches[0].Lines);
        Assert.Equal("{\"n\":3}\n", Encoding.UTF8.GetString(batches[1].Body));
        Assert.Equal(SignalFileKind.Ndjson, SignalFile.Load(path).Kind);
    }

    [Fact]
    public void Every_csv_batch_starts_with_the_bom_and_the_header_and_a_quoted_line_break_stays_inside_its_row()
    {
        var csv = "signaalReferentie;achternaam\r\nC-1;Dijk\r\nC-2;\"Berg\r\nvan den\"\r\nC-3;Öztürk\r\n";
        var path = WriteBytes("a.csv", [.. Bom, .. Encoding.UTF8.GetBytes(csv)]);

        var file = SignalFile.Load(path);
        var batches = file.Batches(2).ToList();

        Assert.Equal(3, file.RowCount);
        Assert.Equal([.. Bom, .. Encoding.UTF8.GetBytes("signaalReferentie;achternaam\r\nC-1;Dijk\r\nC-2;\"Berg\r\nvan den\"\r\n")], batches[0].Body);
        Assert.Equal([.. Bom, .. Encoding.UTF8.GetBytes("signaalReferentie;achternaam\r\nC-3;Öztürk\r\n")], batches[1].Body);
        Assert.Equal([2, 3], batches[0].Lines);
        Assert.Equal([5], batches[1].Lines);
        Assert.Equal("text/csv", file.ContentType);
    }

    [Fact]
    public void A_csv_without_a_final_line_break_still_gets_whole_rows()
    {
        var path = Write("b.csv", "h\nx\ny");

        var body = Encoding.UTF8.GetString(SignalFile.Load(path).Batches(10).Single().Body);

        Assert.Equal("h\nx\ny\r\n", body);
    }

    [Fact]
    public void A_json_file_that_is_not_an_array_is_refused_with_the_file_named()
    {
        var path = Write("c.json", "{\"signaalReferentie\": \"A-1\"}");

        var error = Assert.Throws<CliException>(() => SignalFile.Load(path));

        Assert.Contains("c.json", error.Message, StringComparison.Ordinal);
        Assert.Contains("JSON array", error.Message, StringComparison.Ordinal);
    }

    private string Write(string name, string content) => WriteBytes(name, Encoding.UTF8.GetBytes(content));

    private string WriteBytes(string name, byte[] content)
    {
        var path = _temp.File(name);
        File.WriteAllBytes(path, content);
        return path;
    }
}
