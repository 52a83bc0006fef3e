namespace VroegSignalering.Core.Routing;

/// <summary>
/// A registry whose source can change while the app runs (the CBS file replaced on disk). A quarantine redrive asks
/// it to reload first, so "update the address file, then redrive" works without restarting the app.
/// </summary>
public interface IReloadableAddressRegistry
{
    /// <summary>Reloads when the source changed since it was read; true when it did.</summary>
    ValueTask<bool> ReloadIfChangedAsync(CancellationToken cancellationToken);
}
