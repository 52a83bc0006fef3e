namespace VroegSignalering.Functions.Tests.Pipeline;

/// <summary>The test helpers never read a table that does not exist as an empty one.</summary>
public sealed class PipelineAppHelperTests : IDisposable
{
    private readonly PipelineApp _app = new();

    [Fact]
    public async Task Reading_a_table_that_does_not_exist_fails_naming_the_table()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => _app.EntitiesAsync(_app.Names.SignalReferences));

        Assert.Contains($"'{_app.Names.SignalReferences}' does not exist", error.Message, StringComparison.Ordinal);
        Assert.False(await _app.TableExistsAsync(_app.Names.SignalReferences));
    }

    [Fact]
    public async Task Reading_households_before_any_was_stored_fails()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => _app.RowsAsync("o|"));

        Assert.Contains("no household was ever stored", error.Message, StringComparison.Ordinal);
    }

    public void Dispose() => _app.Dispose();
}
