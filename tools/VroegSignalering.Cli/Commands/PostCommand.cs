using System.CommandLine;
using System.Globalization;
using VroegSignalering.Cli.Cli;
using VroegSignalering.Cli.Creditors;
using VroegSignalering.Cli.Generation;
using VroegSignalering.Cli.Posting;

namespace VroegSignalering.Cli.Commands;

/// <summary><c>vroeg post</c>: send signal files to the API as the creditors would.</summary>
internal static class PostCommand
{
    private const string ReceiptsFileName = "receipts.json";

    public static Command Create(CliEnvironment env)
    {
        var url = new Option<string>("--url") { Description = "Base address of the API.", DefaultValueFactory = _ => "http://127.0.0.1:7071", HelpName = "url" };
        url.Validators.Add(result =>
        {
            var value = result.GetValueOrDefault<string>();
            if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            {
                result.AddError($"Option '--url' expects an absolute http(s) address, got '{value}'.");
            }
        });
        var creditor = new Option<string>("--creditor") { Description = "Creditor id to post as (with --file; default: the file name without extension).", HelpName = "id" };
        var key = new Option<string>("--key") { Description = "API key (with --file; default: the creditor's first key in --creditors).", HelpName = "key" };
        var file = CommandHelpers.PathOption("--file", "One .json (array), .ndjson or .csv file to post.");
        var dir = CommandHelpers.PathOption("--dir", "Post every .json/.ndjson/.csv file in this folder, each as the creditor its name gives.");
        var batch = CommandHelpers.IntOption("--batch", "Rows per request.", 1000, min: 1, max: 100_000);
        var mode = CommandHelpers.ChoiceOption("--mode", "partial: valid rows are stored and bad rows reported; atomic: a batch with a bad row stores nothing.", "partial", "partial", "atomic");
        var creditors = CommandHelpers.PathOption("--creditors", "Creditors and their local API keys.", "config/local/creditors.json");
        var parallel = CommandHelpers.IntOption("--parallel", "Files posted at the same time (with --dir).", 4, min: 1, max: 64);
        var receipts = CommandHelpers.PathOption("--receipts", "Where to write the receipts (default: receipts.json in the posted folder).");
        var timeout = CommandHelpers.IntOption("--timeout", "Seconds to wait for one response before retrying.", 100, min: 1, max: 3600);
        var retries = CommandHelpers.IntOption("--retries", "Retries after a timeout, broken connection or 5xx (429 waits do not count).", 4, min: 0, max: 50);

        var command = new Command("post", "Post signal files to POST {url}/api/v1/signals as creditors, in batches, and summarise the receipts.")
        {
            url, creditor, key, file, dir, batch, mode, creditors, parallel, receipts, timeout, retries,
        };
        command.SetGuardedAction(env, async (parseResult, ct) =>
        {
            // Checked here, not in a command validator: System.CommandLine skips option validation once a command
            // validator reports an error, so `post --batch abc` would not say what is wrong with --batch.
            var hasFile = parseResult.GetResult(file) is not null;
            var hasDir = parseResult.GetResult(dir) is not null;
            if (hasFile == hasDir)
            {
                throw new UsageException("Give either --file or --dir.");
            }

            if (hasDir && (parseResult.GetResult(creditor) is not null || parseResult.GetResult(key) is not null))
            {
                throw new UsageException("--creditor and --key go with --file; with --dir each file's name is its creditor and keys come from --creditors.");
            }

            var baseUrl = new Uri(parseResult.GetValue(url)!.TrimEnd('/') + "/");
            var settings = new PostSettings(baseUrl, parseResult.GetValue(mode)!, parseResult.GetValue(batch), parseResult.GetValue(retries), TimeSpan.FromSeconds(parseResult.GetValue(timeout)));
            var creditorsPath = parseResult.ResolvePath(creditors, env)!;

            List<(string Creditor, string Key, string Path)> jobs;
            string defaultReceiptsFolder;
            if (parseResult.ResolvePath(file, env) is { } filePath)
            {
                var creditorId = parseResult.GetValue(creditor) ?? Path.GetFileNameWithoutExtension(filePath);
                var apiKey = parseResult.GetValue(key) ?? KeyOf(CreditorRegistry.Load(creditorsPath), creditorId, creditorsPath);
                jobs = [(creditorId, apiKey, filePath)];
                defaultReceiptsFolder = Path.GetDirectoryName(filePath) ?? ".";
            }
            else
            {
                var folder = parseResult.ResolvePath(dir, env)!;
                jobs = FolderJobs(folder, CreditorRegistry.Load(creditorsPath), env);
                defaultReceiptsFolder = folder;
            }

            var receiptsPath = parseResult.ResolvePath(receipts, env) ?? Path.Combine(defaultReceiptsFolder, ReceiptsFileName);
            var files = jobs.Select(j => (j.Creditor, j.Key, File: SignalFile.Load(j.Path))).ToList();
            var outcomes = await PostAllAsync(files, settings, parseResult.GetValue(parallel), env, ct).ConfigureAwait(false);

            PostReport.WriteReceipts(receiptsPath, settings.SignalsUri, settings.Mode, outcomes);
            PostReport.WriteSummary(env.Out, outcomes, receiptsPath);
            return outcomes.Any(o => o.Failure is not null) ? ExitCodes.Failure : ExitCodes.Success;
        });
        return command;
    }

    private static async Task<List<FileOutcome>> PostAllAsync(
        List<(string Creditor, string Key, SignalFile File)> files, PostSettings settings, int parallel, CliEnvironment env, CancellationToken ct)
    {
        var progress = new ProgressReporter(env);
        var totalRows = files.Sum(f => f.File.RowCount);
        var rowsDone = 0;
        var filesDone = 0;
        string Status() => string.Create(CultureInfo.InvariantCulture, $"post: {Volatile.Read(ref rowsDone):N0}/{totalRows:N0} rows, {Volatile.Read(ref filesDone)}/{files.Count} files");

        using var http = new HttpClient(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(10), PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
        {
            // Each request has its own --timeout; the client-wide one would cut across retries.
            Timeout = Timeout.InfiniteTimeSpan,
        };
        var poster = new SignalPoster(
            http,
            settings,
            env,
            (_, rows) =>
            {
                Interlocked.Add(ref rowsDone, rows);
                progress.Report(Status());
            },
            progress.Log);

        var outcomes = new FileOutcome[files.Count];
        progress.Report(Status(), force: true);
        await Parallel.ForEachAsync(
            Enumerable.Range(0, files.Count),
            new ParallelOptions { MaxDegreeOfParallelism = parallel, CancellationToken = ct },
            async (i, token) =>
            {
                var (creditor, key, file) = files[i];
                outcomes[i] = await poster.PostFileAsync(creditor, key, file, token).ConfigureAwait(false);
                Interlocked.Increment(ref filesDone);
                progress.Report(Status());
            }).ConfigureAwait(false);
        progress.Complete(Status());
        return [.. outcomes];
    }

    private static List<(string Creditor, string Key, string Path)> FolderJobs(string folder, CreditorRegistry registry, CliEnvironment env)
    {
        if (!Directory.Exists(folder))
        {
            throw new CliException($"folder '{folder}' not found");
        }

        var jobs = new List<(string, string, string)>();
        foreach (var path in Directory.EnumerateFiles(folder).Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(path);
            if (SignalFile.KindOf(path) is null || name is Manifest.FileName or ReceiptsFileName)
            {
                continue;
            }

            var creditorId = Path.GetFileNameWithoutExtension(path);
            if (registry.Find(creditorId) is not { } creditor)
            {
                env.Error.WriteLine($"vroeg post: skipping {name}: no creditor '{creditorId}' in the creditors file");
                continue;
            }

            jobs.Add((creditor.Id, FirstKey(creditor), path));
        }

        if (jobs.Count == 0)
        {
            throw new CliException($"no signal files (<creditorId>.json, .ndjson or .csv) in '{folder}'");
        }

        return jobs;
    }

    private static string KeyOf(CreditorRegistry registry, string creditorId, string creditorsPath) =>
        registry.Find(creditorId) is { } creditor
            ? FirstKey(creditor)
            : throw new UsageException($"creditor '{creditorId}' is not in '{creditorsPath}'; pass --creditor with a listed id, or --key");

    private static string FirstKey(Creditor creditor) =>
        creditor.ApiKeys.Count > 0 ? creditor.ApiKeys[0] : throw new CliException($"creditor '{creditor.Id}' has no API key in the creditors file; pass --key");
}
