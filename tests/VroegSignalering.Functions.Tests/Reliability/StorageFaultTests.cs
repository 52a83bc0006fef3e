using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using VroegSignalering.Azure.Storage;
using VroegSignalering.Functions.Tests.Outreach;
using VroegSignalering.Functions.Tests.Pipeline;
using VroegSignalering.Testing;
using Xunit.Abstractions;

namespace VroegSignalering.Functions.Tests.Reliability;

/// <summary>
/// Storage faults (503 ServerBusy, connection resets, timeouts after the write landed) injected per SDK try
/// into the app's table and queue clients during a whole pipeline run; the SDK's retries stay as the app
/// configures them, so the faults that outlast them reach the app. Then the faults stop and the pipeline must
/// drain to exactly what a run of the same input without faults yields: nothing lost, nothing doubled.
/// </summary>
public sealed class StorageFaultTests(ITestOutputHelper output)
{
    private const int Seed = 1313;
    private static readonly TimeSpan SweepAfter = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan ClaimLease = TimeSpan.FromMinutes(1);
    private static readonly string[] Gemeenten = ["0363", "0599", "0344"];

    [Fact]
    public async Task Under_storage_faults_every_accepted_signal_is_stored_once_every_revision_sent_once_and_it_drains_to_the_fault_free_counts()
    {
        var clean = await RunAsync(null);

        // Every storage request is faulted, the local topic's sends included: its duplicate detection is one
        // transaction with the message, so a send whose reply was lost is dropped when it is resent.
        var faults = new StorageFaults(Seed, rate: 0.1, outlastRate: 0.3);
        var faulted = await RunAsync(faults);

        foreach (var kind in Enum.GetValues<StorageFault>())
        {
            Assert.True(faults.Injected(kind) > 0, $"no {kind} was injected: the run proves nothing about it");
            Assert.True(faults.ReachedCaller(kind) > 0, $"no {kind} outlasted the SDK's retries: the app never saw one");
        }

        Assert.Equal(clean.Counts, faulted.Counts);
    }

    private async Task<Run> RunAsync(StorageFaults? faults)
    {
        // Storage stamps queue messages with its own clock; the app's clock runs ahead of it, so no backlog looks young.
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow + TimeSpan.FromHours(2));
        using var app = new PipelineApp(
            new Dictionary<string, string?>
            {
                ["Dispatch:SweepAfter"] = SweepAfter.ToString(),
                ["Dispatch:ClaimLease"] = ClaimLease.ToString(),
            },
            services: s =>
            {
                s.AddSingleton<TimeProvider>(time);
                if (faults is not null)
                {
                    // The app's own clients (its tables, its queue sends): the host's queue listener keeps its own.
                    s.RemoveAll<StorageClients>();
                    s.AddSingleton(faults.Clients(Azurite.ConnectionString));
                }
            });

        var run = new Run();
        var watch = Stopwatch.StartNew();
        await PostAllAsync(app, run);

        // Intake first, under faults, until every accepted chunk is processed (failed messages come back), so
        // triage sees the same signals as the run without faults and a count that differs is a real double.
        await ProcessUnderFaultsAsync(app, run);

        // Then triage, dispatch and sweep under faults, each a few times over, failures included, as the host runs them.
        for (var round = 0; round < 4; round++)
        {
            await StepAsync(app, time, run);
        }

        if (faults is not null)
        {
            faults.Enabled = false;
        }

        run.FaultyPhase = watch.Elapsed;
        watch.Restart();
        await DrainAsync(app, time, run);
        run.Drain = watch.Elapsed;
        output.WriteLine($"{(faults is null ? "clean" : "faulted")}: {run}");
        if (faults is not null)
        {
            output.WriteLine($"faults: {faults.Summary()}");
        }

        run.Counts = await AssertExactlyOnceAsync(app);
        output.WriteLine($"counts: {run.Counts}");
        return run;
    }

    // Creditors re-post a request that got no 202, as a creditor does on a 503 with Retry-After: the only
    // answer intake may give when storage fails for longer than its retries (docs/api.md).
    private static async Task PostAllAsync(PipelineApp app, Run run)
    {
        foreach (var (key, body) in Requests())
        {
            for (var attempt = 1; ; attempt++)
            {
                using var response = await app.PostAsync(key, body);
                run.Answers[(int)response.StatusCode] = run.Answers.GetValueOrDefault((int)response.StatusCode) + 1;
                if (response.StatusCode == HttpStatusCode.Accepted)
                {
                    break;
                }

                Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable && response.Headers.RetryAfter?.Delta is not null,
                    $"intake answered {(int)response.StatusCode} (retry after: {response.Headers.RetryAfter}) under storage faults: {await response.Content.ReadAsStringAsync()}");
                Assert.True(attempt < 20, "intake never accepted a request after 20 posts");
            }
        }
    }

    // Three creditors, households in three gemeenten (some with signals from two creditors), two crisis signals
    // and two unroutable addresses (quarantined); seeded, so both runs post the same.
    private static IEnumerable<(string Key, string Body)> Requests()
    {
        var random = new Random(Seed);
        string[] postcodes = ["1011AB", "1011AC", "3011AA", "3011AB", "3511XA", "3511XB"];
        (string Key, string Type)[] creditors = [(TestEnvironment.HuurKey, "Huur"), (TestEnvironment.EnergieKey, "Energie"), (TestEnvironment.ZorgKey, "Zorg")];
        var signals = new List<(string Key, JsonObject Signal)>();
        for (var i = 0; i < 36; i++)
        {
            var (key, type) = creditors[i % 3];
            var household = random.Next(24);
            var postcode = i is 7 or 23 ? TestSignals.UnroutablePostcode : postcodes[household % postcodes.Length];
            var crisis = i is 5 or 30;

            // A crisis is triaged while it is processed, so it gets a household of its own: the order chunks are processed in cannot change its case.
            signals.Add((key, TestSignals.Signal($"FLT-{type}-{i}", type, 300m + random.Next(1500), postcode, huisnummer: crisis ? 21 + (i % 10) : 1 + (household % 20), crisis: crisis)));
        }

        return signals.GroupBy(s => s.Key).SelectMany(g => g.Chunk(4).Select(c => (g.Key, TestSignals.Array([.. c.Select(s => s.Signal)]))));
    }

    private static async Task StepAsync(PipelineApp app, FakeTimeProvider time, Run run)
    {
        await Stage(run, app.ProcessAllAsync);
        await Stage(run, app.TriageAsync);
        await Stage(run, app.DispatchAllAsync);
        time.Advance(SweepAfter + ClaimLease + TimeSpan.FromSeconds(1));
        await Stage(run, app.SweepAsync);
    }

    // A timer tick that throws is logged by the host and retried on the next tick; a queue message that fails comes back.
    private static async Task Stage(Run run, Func<Task> stage)
    {
        try
        {
            await stage();
        }
        catch (Exception ex) when (ex is not Xunit.Sdk.XunitException)
        {
            run.StageFailures++;
            run.FailureKinds[ex.GetType().Name + ": " + ex.Message.Split('\n')[0]] = run.FailureKinds.GetValueOrDefault(ex.GetType().Name + ": " + ex.Message.Split('\n')[0]) + 1;
        }
    }

    private static async Task Stage(Run run, Func<Task<int>> stage) => await Stage(run, async () => { await stage(); });

    private static async Task ProcessUnderFaultsAsync(PipelineApp app, Run run)
    {
        var deadline = Stopwatch.StartNew();
        while (await QueueLengthAsync(app, app.Names.SignalsIntakeQueue) > 0)
        {
            await Stage(run, app.ProcessAllAsync);
            Assert.True(deadline.Elapsed < TimeSpan.FromMinutes(2), "the intake queue did not empty within 2 minutes under faults");
            await Task.Delay(TimeSpan.FromMilliseconds(500));
        }
    }

    private static async Task DrainAsync(PipelineApp app, FakeTimeProvider time, Run run)
    {
        // Failed messages come back after host.json's visibilityTimeout on Azurite's (real) clock: the wait is real, and bounded.
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            await StepAsync(app, time, run);
            var left = await WorkLeftAsync(app);
            if (left is null)
            {
                return;
            }

            Assert.True(deadline.Elapsed < TimeSpan.FromMinutes(2), $"the pipeline did not drain within 2 minutes after the faults stopped: {left}; {run}");
            await Task.Delay(TimeSpan.FromMilliseconds(500));
        }
    }

    private static async Task<string?> WorkLeftAsync(PipelineApp app)
    {
        var intake = await QueueLengthAsync(app, app.Names.SignalsIntakeQueue);
        var dispatch = await QueueLengthAsync(app, app.Names.DispatchQueue);
        var changes = (await app.EntitiesAsync(app.Names.Changes)).Count;
        var pending = (await app.RowsAsync("o|")).Count(o => o.GetString("Status") != "Dispatched");
        return intake + dispatch + changes + pending == 0 ? null
            : $"intake queue {intake}, dispatch queue {dispatch}, households to triage {changes}, outbox rows not dispatched {pending}";
    }

    private static async Task<int> QueueLengthAsync(PipelineApp app, string queue) =>
        (await app.Storage.Queues.GetQueueClient(queue).GetPropertiesAsync()).Value.ApproximateMessagesCount;

    private static async Task<Counts> AssertExactlyOnceAsync(PipelineApp app)
    {
        var poisoned = await QueueLengthIfExistsAsync(app, app.Names.SignalsIntakeQueue + "-poison") + await QueueLengthIfExistsAsync(app, app.Names.DispatchQueue + "-poison");
        Assert.True(poisoned == 0, $"{poisoned} messages were poisoned under faults (they failed maxDequeueCount times): not lost, but waiting for an operator");

        var signals = await app.RowsAsync("s|");
        var quarantined = await app.EntitiesAsync(app.Names.Quarantine);
        var stored = signals.Select(s => $"{s.GetString("CreditorId")}/{s.GetString("Referentie")}").ToList();
        Assert.Equal(stored.Count, stored.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(quarantined.Count, quarantined.Select(q => q.RowKey).Distinct(StringComparer.Ordinal).Count());
        var posted = Requests().SelectMany(r => JsonNode.Parse(r.Body)!.AsArray()).Select(n => n!["signaalReferentie"]!.GetValue<string>()).ToList();
        var missing = posted.Except(signals.Select(s => s.GetString("Referentie")!), StringComparer.Ordinal).ToList();
        Assert.True(posted.Count == stored.Count + quarantined.Count, $"{posted.Count} accepted, {stored.Count} stored and {quarantined.Count} quarantined; not stored: {string.Join(", ", missing)}");

        var tasks = await app.RowsAsync("t|");
        var revisions = tasks.GroupBy(t => $"{t.GetString("CaseId")}#{t.GetInt32("Revision")}").ToList();
        Assert.All(revisions, r => Assert.Single(r));

        var deliveries = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var gemeente in tasks.Select(t => t.GetString("Gemeente")).Distinct(StringComparer.Ordinal))
        {
            foreach (var (id, n) in await RawDeliveries.CountAsync(app, gemeente))
            {
                deliveries[id] = n;
            }
        }

        Assert.Equal(tasks.Select(t => t.RowKey[2..]).Order(StringComparer.Ordinal), deliveries.Keys.Order(StringComparer.Ordinal));
        Assert.All(deliveries, d => Assert.True(d.Value == 1, $"task {d.Key} was delivered {d.Value} times"));

        return new Counts(
            stored.Count,
            quarantined.Count,
            (await app.RowsAsync("c|")).Count,
            tasks.Count,
            deliveries.Values.Sum(),
            tasks.GroupBy(t => t.GetString("Gemeente")).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key}:{g.Count()}").Aggregate((a, b) => a + "," + b));
    }

    private static async Task<int> QueueLengthIfExistsAsync(PipelineApp app, string queue)
    {
        var client = app.Storage.Queues.GetQueueClient(queue);
        return await client.ExistsAsync() ? (await client.GetPropertiesAsync()).Value.ApproximateMessagesCount : 0;
    }

    private sealed record Counts(int Signals, int Quarantined, int Cases, int Tasks, int Deliveries, string TasksPerGemeente);

    private sealed class Run
    {
        public Dictionary<int, int> Answers { get; } = [];

        public int StageFailures { get; set; }

        public Dictionary<string, int> FailureKinds { get; } = new(StringComparer.Ordinal);

        public TimeSpan FaultyPhase { get; set; }

        public TimeSpan Drain { get; set; }

        public Counts? Counts { get; set; }

        public override string ToString() =>
            $"answers {string.Join(", ", Answers.OrderBy(a => a.Key).Select(a => $"{a.Key}×{a.Value}"))}; stage failures {StageFailures}; " +
            $"faulty phase {FaultyPhase.TotalSeconds:0.0}s; drain {Drain.TotalSeconds:0.0}s; {Counts}" +
            string.Concat(FailureKinds.Select(f => $"\n  stage failure ×{f.Value}: {f.Key}"));
    }
}
