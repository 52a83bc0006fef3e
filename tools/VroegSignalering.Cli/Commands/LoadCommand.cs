using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using VroegSignalering.Azure.Reporting;
using VroegSignalering.Azure.Tables;
using VroegSignalering.Cli.Addresses;
using VroegSignalering.Cli.Cli;
using VroegSignalering.Cli.Creditors;
using VroegSignalering.Cli.Load;
using VroegSignalering.Cli.Operations;
using VroegSignalering.Core.Intake;

namespace VroegSignalering.Cli.Commands;

/// <summary>
/// <c>vroeg load</c>: several creditors post at the rate limit for a bounded time, mixing valid, invalid,
/// duplicate and oversized requests; then every row is accounted for, in the answers and in storage.
/// </summary>
internal static class LoadCommand
{
    public const int MaxDurationSeconds = 900;

    public static Command Create(CliEnvironment env)
    {
        var pipeline = new PipelineOptions();
        var url = new Option<string>("--url") { Description = "Base address of the API.", DefaultValueFactory = _ => "http://127.0.0.1:7071", HelpName = "url" };
        var duration = CommandHelpers.IntOption("--duration", $"Seconds of load (at most {MaxDurationSeconds}).", 180, min: 1, max: MaxDurationSeconds);
        var creditorCount = CommandHelpers.IntOption("--creditors", "How many of the creditors in --creditors-file post at the same time (the first N).", 4, min: 1, max: 100);
        var rate = CommandHelpers.OptionalLongOption("--rate", "Requests per minute per creditor (default: the app's Intake:RequestsPerMinute, its rate limit).", "n", min: 1, max: 60_000);
        var seed = CommandHelpers.IntOption("--seed", "Seed of the mix and the signals: the same seed gives the same requests.", 1, min: 0);
        var json = CommandHelpers.PathOption("--json", "Where to write the report as JSON.", "out/load/load-report.json");
        var appPid = CommandHelpers.OptionalLongOption("--app-pid", "Process id of the app, to report its peak memory (VmHWM in /proc/<pid>/status).", "pid", min: 1, max: int.MaxValue);
        var timeout = CommandHelpers.IntOption("--timeout", "Seconds to wait for one answer (no answer counts as a failure).", 60, min: 1, max: 3600);
        var drainTimeout = CommandHelpers.IntOption("--drain-timeout", "Seconds to wait for the intake queue to drain before reading storage.", 600, min: 1, max: 86_400);
        var skipStorage = new Option<bool>("--skip-storage") { Description = "Account for rows by the answers only; do not wait for the pipeline nor read storage." };
        var creditorsFile = CommandHelpers.PathOption("--creditors-file", "Creditors and their local API keys.", "config/local/creditors.json");
        var addresses = CommandHelpers.PathOption("--addresses", "CBS postcode-huisnummer file the signals are generated from.", "data/addresses/" + AddressFile.FileName(AddressFileGenerator.DefaultYear));
        var gemeenten = CommandHelpers.PathOption("--gemeenten", "Municipality names (code;naam). Default: gemeenten.csv beside --addresses.");

        var command = new Command("load", "Load the intake API on loopback as several creditors at their rate limit (valid, invalid, duplicate and oversized requests) and account for every row; exits 1 on any 5xx or any row unaccounted for.")
        {
            url, duration, creditorCount, rate, seed, json, appPid, timeout, drainTimeout, skipStorage, creditorsFile, addresses, gemeenten,
        };
        pipeline.AddTo(command);
        url.Validators.Add(result =>
        {
            var value = result.GetValueOrDefault<string>();
            if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            {
                result.AddError($"Option '--url' expects an absolute http(s) address, got '{value}'.");
            }
        });

        command.SetGuardedAction(env, async (parseResult, ct) =>
        {
            await using var services = pipeline.Build(parseResult);

            // The limits come from the app's own settings (the same configuration the app reads), so the load
            // aims at the limit the app enforces, and the oversized requests are one over it.
            var limits = services.GetRequiredService<IOptions<IntakeLimits>>().Value;
            var registry = CreditorRegistry.Load(parseResult.ResolvePath(creditorsFile, env)!);
            var count = parseResult.GetValue(creditorCount);
            if (count > registry.All.Count)
            {
                throw new UsageException(string.Create(CultureInfo.InvariantCulture, $"--creditors {count}: the creditors file lists only {registry.All.Count}"));
            }

            var addressFile = parseResult.ResolvePath(addresses, env)!;
            var gemeentenFile = parseResult.ResolvePath(gemeenten, env) ?? Path.Combine(Path.GetDirectoryName(addressFile) ?? ".", Gemeenten.FileName);
            if (!File.Exists(addressFile) || !File.Exists(gemeentenFile))
            {
                throw new CliException($"address file '{addressFile}' or gemeenten file '{gemeentenFile}' not found (use --addresses, --gemeenten)");
            }

            var settings = new LoadSettings(
                count,
                (int)(parseResult.GetValue(rate) ?? limits.RequestsPerMinute),
                TimeSpan.FromSeconds(parseResult.GetValue(duration)),
                parseResult.GetValue(seed),
                VroegSignalering.Core.Common.DutchCalendar.Today(env.Time),
                limits.MaxBodyBytes,
                limits.MaxRowsPerRequest);
            var progress = new ProgressReporter(env);
            progress.Report("load: generating the signals and the mix", force: true);
            var plans = LoadPlanner.Plan(settings, registry.All, AddressFile.Load(addressFile), Gemeenten.Read(gemeentenFile));

            var baseUrl = new Uri(parseResult.GetValue(url)!.TrimEnd('/') + "/");
            var started = env.Time.GetTimestamp();
            var results = await RunAsync(plans, settings, baseUrl, TimeSpan.FromSeconds(parseResult.GetValue(timeout)), progress, env, ct);

            StorageFigures? storage = null;
            if (!parseResult.GetValue(skipStorage))
            {
                storage = await ReadStorageAsync(services, results, TimeSpan.FromSeconds(parseResult.GetValue(drainTimeout)), progress, env, ct);
            }

            var memory = parseResult.GetValue(appPid) is { } pid ? PeakMemory((int)pid) : null;
            var summary = LoadSummary.Build(results, storage, memory);
            var run = new LoadRunInfo(baseUrl.ToString(), settings.Creditors, settings.RequestsPerMinute, settings.Duration.TotalSeconds, settings.Seed,
                settings.MaxBodyBytes, settings.MaxRowsPerRequest, env.Time.GetElapsedTime(started).TotalSeconds);

            var jsonPath = parseResult.ResolvePath(json, env)!;
            Directory.CreateDirectory(Path.GetDirectoryName(jsonPath)!);
            await File.WriteAllTextAsync(jsonPath, LoadReport.ToJson(run, summary), ct);
            await env.Out.WriteAsync(LoadReport.ToTable(run, summary));
            await env.Out.WriteLineAsync($"Wrote {jsonPath}");
            return summary.Failures.Count == 0 ? ExitCodes.Success : ExitCodes.Failure;
        });
        return command;
    }

    private static async Task<IReadOnlyList<LoadResult>> RunAsync(
        IReadOnlyList<CreditorPlan> plans, LoadSettings settings, Uri baseUrl, TimeSpan timeout, ProgressReporter progress, CliEnvironment env, CancellationToken ct)
    {
        var total = plans.Sum(p => p.Requests.Count);
        var answered = 0;
        var serverErrors = 0;
        var throttled = 0;
        var started = env.Time.GetTimestamp();
        string Status() => string.Create(CultureInfo.InvariantCulture,
            $"load: {env.Time.GetElapsedTime(started).TotalSeconds:0}/{settings.Duration.TotalSeconds:0} s · {Volatile.Read(ref answered)}/{total} answered · 5xx {Volatile.Read(ref serverErrors)} · 429 {Volatile.Read(ref throttled)}");

        using var http = new HttpClient(env.HttpHandler?.Invoke() ?? new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(10), MaxConnectionsPerServer = 256 })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
        var runner = new LoadRunner(http, baseUrl, env, timeout);
        progress.Report(Status(), force: true);
        var results = await runner.RunAsync(plans, settings.Interval, r =>
        {
            Interlocked.Increment(ref answered);
            if (r.Status >= 500)
            {
                Interlocked.Increment(ref serverErrors);
                progress.Log(string.Create(CultureInfo.InvariantCulture, $"load: {r.Creditor} #{r.Sequence} {r.Kind}: HTTP {r.Status}"));
            }
            else if (r.Status == 0)
            {
                progress.Log($"load: {r.Creditor} #{r.Sequence} {r.Kind}: {r.Error}");
            }
            else if (r.Status == 429)
            {
                Interlocked.Increment(ref throttled);
            }

            progress.Report(Status());
        }, ct);
        progress.Complete(Status());
        return results;
    }

    /// <summary>
    /// Waits until every chunk the receipts announced is processed, then counts, through the same storage access
    /// as <c>vroeg report</c>, the stored and quarantined signals of this run's receipts.
    /// </summary>
    private static async Task<StorageFigures> ReadStorageAsync(ServiceProvider services, IReadOnlyList<LoadResult> results, TimeSpan timeout, ProgressReporter progress, CliEnvironment env, CancellationToken ct)
    {
        var observer = services.GetRequiredService<RunObserver>();
        var deadline = env.Time.GetUtcNow() + timeout;
        while (true)
        {
            var p = await observer.ProgressAsync(ct, countHouseholds: false);
            var status = string.Create(CultureInfo.InvariantCulture, $"load: draining: chunks {p.ChunksProcessed}/{p.ChunksExpected} processed · intake queue {p.IntakeQueue}");
            if (p.ChunksProcessed >= p.ChunksExpected)
            {
                progress.Complete(status.Replace("draining:", "drained:", StringComparison.Ordinal));
                break;
            }

            progress.Report(status);
            if (env.Time.GetUtcNow() > deadline)
            {
                progress.Complete(status);
                throw new CliException(string.Create(CultureInfo.InvariantCulture, $"the intake queue did not drain within {timeout.TotalSeconds:0} s: accepted rows are not all in storage"));
            }

            await env.Delay(TimeSpan.FromSeconds(2), ct);
        }

        var receipts = results.Where(r => r.Status is >= 200 and < 300 && r.ReceiptId is not null).Select(r => r.ReceiptId!).ToHashSet(StringComparer.Ordinal);
        var stored = (await observer.ReadHouseholdsAsync(ct)).Signals.Where(s => receipts.Contains(s.ReceiptId)).ToList();
        var quarantined = (await services.GetRequiredService<QuarantineTableStore>().ListAsync(null, ct)).Where(q => receipts.Contains(q.ReceiptId)).ToList();
        var distinct = stored.Select(s => s.SignalId).Concat(quarantined.Select(q => q.SignalId)).Distinct(StringComparer.Ordinal).Count();
        var expected = results.Where(r => r.Status is >= 200 and < 300).Sum(r => (long)(r.Accepted ?? 0));
        return new StorageFigures(stored.Count, quarantined.Count, distinct, expected);
    }

    /// <summary>The app's peak resident memory since it started (VmHWM), as the kernel counts it.</summary>
    private static MemoryFigures PeakMemory(int pid)
    {
        var path = string.Create(CultureInfo.InvariantCulture, $"/proc/{pid}/status");
        if (!File.Exists(path))
        {
            throw new CliException(string.Create(CultureInfo.InvariantCulture, $"--app-pid {pid}: no such process (or no /proc here)"));
        }

        var line = File.ReadLines(path).FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal))
            ?? throw new CliException($"{path} has no VmHWM line");
        var kb = long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
        return new MemoryFigures(pid, kb * 1024, "VmHWM");
    }
}
