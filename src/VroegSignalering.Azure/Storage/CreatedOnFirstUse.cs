using System.Collections.Concurrent;

namespace VroegSignalering.Azure.Storage;

/// <summary>
/// Clients created on first use, once per name and process, shared by concurrent callers. A creation that
/// failed (a storage hiccup at start-up) is not remembered: the next use tries again.
/// </summary>
internal sealed class CreatedOnFirstUse<T>(Func<string, Task<T>> create)
{
    private readonly ConcurrentDictionary<string, Lazy<Task<T>>> _items = new(StringComparer.Ordinal);

    public async Task<T> GetAsync(string name, CancellationToken cancellationToken)
    {
        var entry = _items.GetOrAdd(name, n => new Lazy<Task<T>>(() => create(n)));
        try
        {
            return await entry.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch when (entry.Value.IsFaulted || entry.Value.IsCanceled)
        {
            _items.TryRemove(new KeyValuePair<string, Lazy<Task<T>>>(name, entry));
            throw;
        }
    }
}
