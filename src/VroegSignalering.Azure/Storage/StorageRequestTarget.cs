namespace VroegSignalering.Azure.Storage;

/// <summary>
/// The table that the requests of the current flow write, for the requests that name their table only in their
/// body (an entity-group batch, a table creation), which <see cref="StorageRequestCounter"/> never reads: an adapter
/// that submits a batch to a known table enters it here, and such a request is counted under that table's family
/// instead of <see cref="StorageRequestClassifier.InBody"/>. Requests whose path names their table ignore it.
/// </summary>
public static class StorageRequestTarget
{
    private static readonly AsyncLocal<string?> CurrentTable = new();

    /// <summary>The family of the table entered, or null.</summary>
    public static string? Current => CurrentTable.Value is { } table ? StorageRequestClassifier.TableFamily(table) : null;

    /// <summary>Names <paramref name="table"/> (its full name; prefix and shard are dropped) until the scope is disposed.</summary>
    public static Scope Enter(string table)
    {
        var previous = CurrentTable.Value;
        CurrentTable.Value = table;
        return new Scope(previous);
    }

    public readonly struct Scope(string? previous) : IDisposable
    {
        public void Dispose() => CurrentTable.Value = previous;
    }
}
