using System.Diagnostics;
using System.Globalization;
using System.Runtime;
using System.Security.Cryptography;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using VroegSignalering.Azure.Storage;
using VroegSignalering.Benchmarks.Data;
using VroegSignalering.Core.Common;
using VroegSignalering.Functions.Intake;
using VroegSignalering.LocalHost;

namespace VroegSignalering.Benchmarks.EndToEnd;

/// <summary>
/// e2e: how fast signals get from a creditor's POST into their household partitions, and how that compares
/// with the raw insert rate of the same storage. Against one storage account (an Azurite it starts, or
/// $AzureWebJobsStorage) it
/// (a) hosts the Functions app on its local host on Kestrel, posts a synthetic month with `vroeg post` as the local
///     creditors, and drives ProcessSignals until every accepted signal is stored (or quarantined): signals/s
///     from the first POST to the last signal stored;
/// (b) copies the stored signal entities into fresh tables as fast as Table Storage takes them (single inserts
///     in parallel, transactions per household partition): the storage ceiling for the same entities;
/// (c) prints both and their ratio. Progress goes to stderr, the report to stdout.
/// </summary>
internal static class EndToEndBenchmark
{
    // The Functions host backs off to maxPollingInterval (2 s in host.json) on an empty queue. The driver
    // polls briskly instead, so the figure measures the app's work rather than the poll back-off.
    private static readonly TimeSpan IdlePoll = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan ProgressEvery = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan GiveUpAfter = TimeSpan.FromMinutes(30);

    public static async Task<int> RunAsync(string[] args)
    {
        E2eOptions options;
        try
        {
            options = E2eOptions.Parse(args);
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or OverflowException)
        {
            await Console.Error.WriteLineAsync("e2e: " + ex.Message);
            await Console.Error.WriteLineAsync(E2eOptions.Usage);
            return 2;
        }

        var report = Console.Out;
        var log = Console.Error;
        var work = Directory.CreateTempSubdirectory("vroeg-bench-e2e-");
        try
        {
            return await RunAsync(options, report, log, work.FullName);
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    private static async Task<int> RunAsync(E2eOptions options, TextWriter report, TextWriter log, string work)
    {
        using var timeout = new CancellationTokenSource(GiveUpAfter);
        var ct = timeout.Token;

        // The app validates dates against today in Amsterdam; the month ends today. The warm-up month lies
        // 45 days earlier, so its references (<TYPE>-<yyyy>-<MM>-n) never collide with the measured ones.
        var today = DutchCalendar.Today(TimeProvider.System);
        var monthDirectory = Path.Combine(work, "month");
        await log.WriteLineAsync(Line($"e2e: generating {options.Signals:N0} signals (seed {options.Seed}, today {today:yyyy-MM-dd})"));
        await SyntheticMonth.GenerateAsync(monthDirectory, options.Signals, options.Seed, today, "mixed", log);

        await log.WriteLineAsync("e2e: starting storage");
        using var azurite = LocalAzurite.StartOrReuse();
        var prefix = "bench" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
        var settings = FunctionsApp.Settings(azurite.ConnectionString, prefix);
        var storage = StorageClients.FromConnectionString(azurite.ConnectionString);
        var names = StorageNames.FromConfiguration(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());

        using var probe = new PipelineProbe();
        await using var app = FunctionsApp.Start(settings);
        await log.WriteLineAsync(Line($"e2e: app listening on {app.BaseAddress} ({app.EnvironmentName}); storage: {azurite.Description}"));

        // The local host's listener for ProcessSignals (functions.metadata, host.json), driven here by hand.
        var processSignals = app.Services.GetRequiredService<LocalFunctions>().Queue(nameof(ProcessSignals));

        // Warm-up: the same path through with months of their own (tables created, the address file loaded,
        // connections open), until tiered JIT has compiled the hot paths. One month of 1,000 signals was not enough:
        // the JIT's log (DOTNET_JitDisasmSummary) showed about 5,800 methods compiled during the measured run after it
        // (hot methods moving from tier 0 to instrumented code to tier 1, in the background), and perf showed the JIT's
        // background thread with more CPU samples than the app's thread-pool workers. A production app does that once
        // after it starts, so the measured run should not. A round is a month of its own (31 days apart, so no
        // reference collides), and the rounds stop once one compiles fewer than SteadyJitMethods methods. Every second
        // round posts 40 rows per request instead of 1,000: the intake's per-request code (Kestrel, authentication,
        // the receipt) runs once per request, and a month of 1,000 signals in requests of 1,000 rows calls it only about
        // seven times, fewer than the 30 calls after which tiered JIT recompiles a method.
        var warmUpRounds = 0;
        for (var round = 1; round <= options.WarmUpRounds; round++)
        {
            var directory = Path.Combine(work, $"warm-up-{round}");
            await SyntheticMonth.GenerateAsync(directory, options.WarmUpSignals, options.Seed + round, today.AddDays(-45 - (31 * (round - 1))), "mixed", log);
            var jitBefore = JitInfo.GetCompiledMethodCount();
            await log.WriteLineAsync(Line($"e2e: warm-up round {round} of at most {options.WarmUpRounds}"));
            await RunPhaseAsync($"warm-up {round}", directory, app.BaseAddress, processSignals, options.Pollers, probe, log, ct, rowsPerRequest: round % 2 == 0 ? 40 : 1000);
            probe.Reset();
            await JitSettledAsync(ct);
            var compiled = JitInfo.GetCompiledMethodCount() - jitBefore;
            warmUpRounds = round;
            await log.WriteLineAsync(Line($"e2e: warm-up round {round}: the JIT compiled {compiled:N0} methods"));
            if (compiled < SteadyJitMethods)
            {
                break;
            }
        }

        // (a) intake → Tables
        await log.WriteLineAsync(Line($"e2e: (a) posting {options.Signals:N0} signals as the local creditors and processing them ({options.Pollers} poller(s))"));
        var jitMethods = JitInfo.GetCompiledMethodCount();
        var jitTime = JitInfo.GetCompilationTime();
        var phase = await RunPhaseAsync("measured", monthDirectory, app.BaseAddress, processSignals, options.Pollers, probe, log, ct) with
        {
            WarmUpRounds = warmUpRounds,
            JitMethods = JitInfo.GetCompiledMethodCount() - jitMethods,
            JitTime = JitInfo.GetCompilationTime() - jitTime,
        };
        var tablePort = storage.Tables.Uri.Port;
        var queuePort = storage.Queues.Uri.Port;
        var tableRequests = probe.RequestsTo(tablePort);
        var queueRequests = probe.RequestsTo(queuePort);

        // Check against storage, not only the app's counters, and keep the stored rows for (b).
        await log.WriteLineAsync("e2e: reading the stored signals back");
        var storedRows = new List<TableEntity>();
        foreach (var name in names.AllHouseholdTables)
        {
            var households = storage.Tables.GetTableClient(name);
            try
            {
                await foreach (var e in households.QueryAsync<TableEntity>(x => x.RowKey.CompareTo("s|") >= 0 && x.RowKey.CompareTo("s}") < 0, cancellationToken: ct))
                {
                    storedRows.Add(e);
                }
            }
            catch (global::Azure.RequestFailedException ex) when (ex.Status == 404)
            {
                // A shard no household landed in.
            }
        }

        var quarantinedRows = await CountAsync(storage.Tables.GetTableClient(names.Quarantine), ct);
        var warmUpStored = storedRows.Count - phase.Stored;
        var partitions = storedRows.Select(e => e.PartitionKey).Distinct(StringComparer.Ordinal).Count();
        await log.WriteLineAsync(Line($"e2e: storage holds {storedRows.Count:N0} signal rows ({warmUpStored:N0} from the warm-up) in {partitions:N0} household partitions, {quarantinedRows:N0} quarantined rows"));

        // (b) storage ceiling, for the signal rows of the measured month only.
        var measuredReceipts = phase.ReceiptIds;
        var measuredRows = storedRows.Where(e => measuredReceipts.Contains(e.GetString("ReceiptId"))).ToList();
        await log.WriteLineAsync(Line($"e2e: (b) storage ceiling with the {measuredRows.Count:N0} stored signal entities (about {AverageSize(measuredRows):N0} bytes of properties each)"));
        var ceiling = await StorageCeiling.MeasureAsync(storage.Tables, prefix, measuredRows, options.CeilingConcurrency, options.CeilingRepeats, log, ct);

        // (c) report
        var consistent = measuredRows.Count == phase.Stored && phase.Stored + phase.Quarantined == phase.Accepted && phase.Duplicates == 0;
        Print(report, options, azurite.Description, phase, measuredRows, ceiling, tableRequests, queueRequests, consistent);
        return consistent ? 0 : 1;
    }

    private sealed record PhaseResult(
        long Accepted, long Rejected, long Duplicates, long Stored, long Quarantined,
        TimeSpan FirstPostToLastStored, TimeSpan FirstPostToLastResponse, IReadOnlySet<string> ReceiptIds)
    {
        public int WarmUpRounds { get; init; }

        public long JitMethods { get; init; }

        public TimeSpan JitTime { get; init; }
    }

    /// <summary>A round of warm-up compiles fewer methods than this once the hot paths are at their final tier.</summary>
    private const int SteadyJitMethods = 250;

    /// <summary>Waits (at most 20 s) until the JIT's background compilation of the round's hot methods has stopped.</summary>
    private static async Task JitSettledAsync(CancellationToken ct)
    {
        var deadline = Stopwatch.GetTimestamp() + (20 * Stopwatch.Frequency);
        var last = JitInfo.GetCompiledMethodCount();
        while (Stopwatch.GetTimestamp() < deadline)
        {
            await Task.Delay(TimeSpan.FromSeconds(1), ct);
            var now = JitInfo.GetCompiledMethodCount();
            if (now - last <= 2)
            {
                return;
            }

            last = now;
        }
    }

    /// <summary>Posts one generated month with `vroeg post` while ProcessSignals runs, until every accepted signal is settled.</summary>
    private static async Task<PhaseResult> RunPhaseAsync(
        string name, string directory, Uri app, QueueTriggerListener processSignals, int pollers, PipelineProbe probe, TextWriter log, CancellationToken ct, int rowsPerRequest = 1000)
    {
        var postingDone = 0;
        bool Finished() => Volatile.Read(ref postingDone) == 1 && probe.AllAcceptedSettled;
        var started = Stopwatch.GetTimestamp();
        var driving = Enumerable.Range(0, pollers).Select(_ => PollUntilAsync(processSignals, Finished, ct)).ToList();
        var progress = ReportProgress(name, probe, started, log, ct);

        string[] post = ["post", "--dir", directory, "--url", app.ToString().TrimEnd('/'), "--parallel", "4", "--creditors", Repository.CreditorsFile, "--batch", rowsPerRequest.ToString(CultureInfo.InvariantCulture)];
        var exitCode = await SyntheticMonth.WithConsoleOutAsync(log, () => VroegSignalering.Cli.Program.Main(post));
        var postedAt = Stopwatch.GetTimestamp();
        Volatile.Write(ref postingDone, 1);
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"vroeg post exited with {exitCode}; see above");
        }

        await Task.WhenAll(driving);
        var firstPost = probe.FirstPostAt;
        var result = new PhaseResult(
            probe.Accepted, probe.Rejected, probe.Duplicates, probe.Stored, probe.Quarantined,
            Stopwatch.GetElapsedTime(firstPost, probe.LastProgressAt), Stopwatch.GetElapsedTime(firstPost, postedAt),
            ReadReceiptIds(directory));
        await progress.StopAsync();
        await log.WriteLineAsync(Line(
            $"e2e: {name}: {result.Accepted:N0} accepted, {result.Rejected:N0} rejected, {result.Stored:N0} stored, {result.Quarantined:N0} quarantined in {result.FirstPostToLastStored.TotalSeconds:0.00} s"));
        return result;
    }

    /// <summary>
    /// One driver loop, as the host's queue trigger polls (host.json batchSize and newBatchThreshold): receive a batch and
    /// invoke ProcessSignals per message in-process, and receive the next batch as soon as no more than newBatchThreshold
    /// messages still run, rather than when the whole batch is done.
    /// </summary>
    private static async Task PollUntilAsync(QueueTriggerListener listener, Func<bool> finished, CancellationToken ct)
    {
        var running = new List<Task>();
        var threshold = Math.Max(0, listener.Settings.NewBatchThreshold);
        while (true)
        {
            running.RemoveAll(t => t.IsCompleted);
            if (running.Count > threshold)
            {
                await Task.WhenAny(running);
                continue;
            }

            var started = await listener.StartBatchAsync(ct);
            running.AddRange(started);
            if (started.Count == 0)
            {
                if (running.Count == 0 && finished())
                {
                    return;
                }

                await Task.WhenAny(running.Append(Task.Delay(IdlePoll, ct)));
            }
        }
    }

    private sealed class ProgressLoop(Task loop, CancellationTokenSource stop)
    {
        public async Task StopAsync()
        {
            await stop.CancelAsync();
            await loop;
            stop.Dispose();
        }
    }

    private static ProgressLoop ReportProgress(string name, PipelineProbe probe, long started, TextWriter log, CancellationToken ct)
    {
        var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var loop = Task.Run(async () =>
        {
            try
            {
                while (true)
                {
                    await Task.Delay(ProgressEvery, stop.Token);
                    await log.WriteLineAsync(Line(
                        $"e2e: {name}: {Stopwatch.GetElapsedTime(started).TotalSeconds:0} s: {probe.Accepted:N0} accepted, {probe.Stored:N0} stored, {probe.Quarantined:N0} quarantined"));
                }
            }
            catch (OperationCanceledException)
            {
                // stopped
            }
        }, CancellationToken.None);
        return new ProgressLoop(loop, stop);
    }

    /// <summary>The receipts `vroeg post` recorded for the month (receipts.json), to tell its rows from the warm-up's.</summary>
    private static HashSet<string> ReadReceiptIds(string directory)
    {
        using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllBytes(Path.Combine(directory, "receipts.json")));
        var ids = new HashSet<string>(StringComparer.Ordinal);
        Collect(doc.RootElement);
        return ids;

        void Collect(System.Text.Json.JsonElement element)
        {
            switch (element.ValueKind)
            {
                case System.Text.Json.JsonValueKind.Object:
                    foreach (var p in element.EnumerateObject())
                    {
                        if (p.NameEquals("receiptId") && p.Value.ValueKind == System.Text.Json.JsonValueKind.String)
                        {
                            ids.Add(p.Value.GetString()!);
                        }
                        else
                        {
                            Collect(p.Value);
                        }
                    }

                    break;
                case System.Text.Json.JsonValueKind.Array:
                    foreach (var item in element.EnumerateArray())
                    {
                        Collect(item);
                    }

                    break;
            }
        }
    }

    private static async Task<int> CountAsync(TableClient table, CancellationToken ct)
    {
        var n = 0;
        try
        {
            await foreach (var _ in table.QueryAsync<TableEntity>(select: ["PartitionKey"], cancellationToken: ct))
            {
                n++;
            }
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // no table: nothing was quarantined
        }

        return n;
    }

    /// <summary>Approximate payload per entity: property names and values as the service stores them.</summary>
    private static double AverageSize(IReadOnlyList<TableEntity> entities) => entities.Count == 0 ? 0 : entities.Average(e => e.Sum(p =>
        (p.Key.Length * 2) + p.Value switch
        {
            string s => s.Length * 2,
            byte[] b => b.Length,
            DateTimeOffset => 8,
            int => 4,
            long or double => 8,
            bool => 1,
            _ => 8,
        }));

    private static void Print(
        TextWriter report, E2eOptions options, string storage, PhaseResult phase, IReadOnlyList<TableEntity> measuredRows,
        IReadOnlyList<CeilingRun> ceiling, long tableRequests, long queueRequests, bool consistent)
    {
        var e2eRate = phase.Accepted / phase.FirstPostToLastStored.TotalSeconds;
        var best = ceiling.Where(c => c.Realistic).MaxBy(c => c.PerSecond)!;
        var table = new List<string[]>
        {
            new[] { "measure", "entities", "requests", "seconds", "per second", "range of repeats" },
            new[]
            {
                "(a) intake → Tables: first POST → last signal stored", N(phase.Accepted), string.Empty, S(phase.FirstPostToLastStored), N(e2eRate) + " signals/s",
                "one run",
            },
            new[]
            {
                "    of which posting: first POST → last response", N(phase.Accepted), string.Empty, S(phase.FirstPostToLastResponse),
                N(phase.Accepted / phase.FirstPostToLastResponse.TotalSeconds) + " signals/s", "one run",
            },
        };
        foreach (var run in ceiling)
        {
            table.Add(
            [
                Line($"(b) {run.Name} ×{run.Concurrency}{(run.Realistic ? string.Empty : " (not reachable per household)")}"),
                N(run.Entities), N(run.Requests), S(run.Elapsed), N(run.PerSecond) + " entities/s",
                Line($"{N(run.SlowestPerSecond)}–{N(run.FastestPerSecond)} ({run.Repeats.Count}×, median shown)"),
            ]);
        }

        report.WriteLine();
        report.WriteLine(Line($"VroegSignalering e2e: {options.Signals:N0} synthetic signals (seed {options.Seed}), {options.Pollers} ProcessSignals poller(s), {Environment.ProcessorCount} cores"));
        report.WriteLine("storage: " + storage);
        report.WriteLine();
        var widths = Enumerable.Range(0, table[0].Length).Select(c => table.Max(r => r[c].Length)).ToArray();
        foreach (var (row, i) in table.Select((r, i) => (r, i)))
        {
            report.WriteLine("| " + string.Join(" | ", row.Select((cell, c) => c == 0 ? cell.PadRight(widths[c]) : cell.PadLeft(widths[c]))) + " |");
            if (i == 0)
            {
                report.WriteLine("|" + string.Join("|", widths.Select((w, c) => c == 0 ? new string('-', w + 2) : new string('-', w + 1) + ":")) + "|");
            }
        }

        report.WriteLine();
        report.WriteLine(Line($"(c) storage ceiling (best realistic way: {best.Name} ×{best.Concurrency}): {best.PerSecond:N0} entities/s"));
        report.WriteLine(Line($"    ratio e2e / ceiling: {e2eRate / best.PerSecond:0.000} — the app stores signals at {e2eRate / best.PerSecond:P1} of the raw insert rate ({best.PerSecond / e2eRate:0.0}× overhead)"));
        report.WriteLine(Line(
            $"    rows: {phase.Accepted + phase.Rejected:N0} posted, {phase.Accepted:N0} accepted, {phase.Rejected:N0} rejected at intake, {phase.Stored:N0} stored, {phase.Quarantined:N0} quarantined, {phase.Duplicates:N0} duplicates"));
        report.WriteLine(Line(
            $"    JIT: {phase.WarmUpRounds} warm-up round(s) of {options.WarmUpSignals:N0} signals; during (a) the JIT compiled {phase.JitMethods:N0} methods ({phase.JitTime.TotalMilliseconds:N0} ms of compilation)"));
        report.WriteLine(Line(
            $"    storage requests during (a): {tableRequests:N0} to Tables ({tableRequests / (double)phase.Accepted:0.0} per signal), {queueRequests:N0} to Queues ({queueRequests / (double)phase.Accepted:0.00} per signal)"));
        report.WriteLine(Line(
            $"    check: {measuredRows.Count:N0} signal rows in the households table {(consistent ? "= stored; stored + quarantined = accepted" : "DO NOT MATCH the app's counts")}"));
    }

    private static string N(double value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string S(TimeSpan elapsed) => elapsed.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture);

    private static string Line(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
