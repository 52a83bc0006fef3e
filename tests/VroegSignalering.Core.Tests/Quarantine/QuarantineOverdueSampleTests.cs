using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using VroegSignalering.Core.Common;
using VroegSignalering.Core.Households;
using VroegSignalering.Core.Quarantine;

namespace VroegSignalering.Core.Tests.Quarantine;

public sealed class QuarantineOverdueSampleTests
{
    [Fact]
    public async Task The_sample_counts_as_overdue_what_was_quarantined_before_the_configured_number_of_days()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 30, 8, 0, 0, TimeSpan.Zero));
        var probe = new Probe();
        using var telemetry = new VroegTelemetry(new Meters());
        var options = new OptionsMonitor(new QuarantineOptions { AlertAfterDays = 5 });
        var sampler = new PipelineSampler(probe, new NoOutbox(), telemetry, options, time, NullLogger<PipelineSampler>.Instance);

        var sample = await sampler.SampleAsync(CancellationToken.None);

        Assert.Equal(time.GetUtcNow().AddDays(-5), probe.AskedBefore);
        Assert.Equal(7, sample.QuarantineOverdue);
    }

    [Fact]
    public void The_default_is_three_days()
    {
        Assert.Equal(TimeSpan.FromDays(3), new QuarantineOptions().AlertAfter);
    }

    private sealed class Meters : IMeterFactory
    {
        public Meter Create(MeterOptions options) => new(options);

        public void Dispose()
        {
        }
    }

    private sealed class Probe : IPipelineProbe
    {
        public DateTimeOffset? AskedBefore { get; private set; }

        public Task<IReadOnlyList<QueueReading>> ReadQueuesAsync(CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<QueueReading>>([]);

        public Task<QuarantineReading> ReadQuarantineAsync(DateTimeOffset overdueBefore, CancellationToken cancellationToken)
        {
            AskedBefore = overdueBefore;
            return Task.FromResult(new QuarantineReading(9, overdueBefore.AddDays(-1), 7));
        }
    }

    private sealed class OptionsMonitor(QuarantineOptions value) : IOptionsMonitor<QuarantineOptions>
    {
        public QuarantineOptions CurrentValue => value;

        public QuarantineOptions Get(string? name) => value;

        public IDisposable? OnChange(Action<QuarantineOptions, string?> listener) => null;
    }

    private sealed class NoOutbox : IOutboxIndex
    {
        public Task AddAsync(OutboxPointer pointer, OutboxIndexState state, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task AddManyAsync(IReadOnlyList<OutboxPointer> pointers, OutboxIndexState state, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task RemoveAsync(OutboxPointer pointer, OutboxIndexState state, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task RemoveManyAsync(IReadOnlyList<OutboxPointer> pointers, OutboxIndexState state, CancellationToken cancellationToken) => throw new NotSupportedException();

        public async IAsyncEnumerable<OutboxPointer> ListAsync(OutboxIndexState state, DateTimeOffset createdBefore, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await Task.CompletedTask;
            yield break;
        }
    }
}
