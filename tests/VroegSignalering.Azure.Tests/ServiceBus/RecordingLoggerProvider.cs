using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace VroegSignalering.Azure.Tests.ServiceBus;

// Keeps every log entry with its structured values, to assert on what was logged (and what not).
internal sealed class RecordingLoggerProvider : ILoggerProvider
{
    public ConcurrentQueue<LogEntry> Entries { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this);

    public void Dispose()
    {
    }

    public IEnumerable<LogEntry> WithEvent(string name) => Entries.Where(e => e.EventName == name);

    internal sealed record LogEntry(LogLevel Level, string? EventName, string Message, IReadOnlyDictionary<string, object?> Values);

    private sealed class Logger(RecordingLoggerProvider provider) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var values = state is IEnumerable<KeyValuePair<string, object?>> pairs
                ? pairs.ToDictionary(p => p.Key, p => p.Value)
                : new Dictionary<string, object?>();
            provider.Entries.Enqueue(new LogEntry(logLevel, eventId.Name, formatter(state, exception), values));
        }
    }
}
