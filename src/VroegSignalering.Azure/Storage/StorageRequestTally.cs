using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using VroegSignalering.Core.Common;
using VroegSignalering.Core.Reporting;

namespace VroegSignalering.Azure.Storage;

/// <summary>One kind of storage request: the stage that made it, the service, the operation and its target.</summary>
public readonly record struct StorageRequestKey(string Stage, string Service, string Operation, string Target);

/// <summary>
/// Storage requests of this process since it started counting, by <see cref="StorageRequestKey"/>, for the
/// operator endpoint and the run report. Every storage request passes <see cref="Increment"/>, so it takes no
/// lock: one interlocked add on a box that exists after the first request of its kind.
/// </summary>
public sealed class StorageRequestTally(TimeProvider time)
{
    private readonly ConcurrentDictionary<StorageRequestKey, StrongBox<long>> _counts = new();

    /// <summary>The tally every storage client of this process counts into unless told otherwise (tests give their own).</summary>
    public static StorageRequestTally Process { get; } = new(TimeProvider.System);

    /// <summary>When this tally began counting (for <see cref="Process"/>: when the process first built its storage clients).</summary>
    public DateTimeOffset StartedAt { get; } = time.GetUtcNow();

    public void Increment(StorageRequestKey key)
    {
        var box = _counts.GetOrAdd(key, static _ => new StrongBox<long>());
        Interlocked.Increment(ref box.Value);
    }

    /// <summary>The counts so far, in pipeline order of stage (unknown stages last), then service, operation and target.</summary>
    public IReadOnlyList<StorageRequestCount> Snapshot() => _counts
        .Select(kv => new StorageRequestCount(kv.Key.Stage, kv.Key.Service, kv.Key.Operation, kv.Key.Target, Interlocked.Read(ref kv.Value.Value)))
        .OrderBy(c => StageOrder(c.Stage))
        .ThenBy(c => c.Stage, StringComparer.Ordinal)
        .ThenBy(c => c.Service, StringComparer.Ordinal)
        .ThenBy(c => c.Operation, StringComparer.Ordinal)
        .ThenBy(c => c.Target, StringComparer.Ordinal)
        .ToList();

    private static int StageOrder(string stage) => WorkStage.All.IndexOf(stage) is var i and >= 0 ? i : WorkStage.All.Count;
}

internal static class ListExtensions
{
    public static int IndexOf(this IReadOnlyList<string> list, string value)
    {
        for (var i = 0; i < list.Count; i++)
        {
            if (string.Equals(list[i], value, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }
}
