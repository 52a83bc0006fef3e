using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using VroegSignalering.Cli.Cli;
using VroegSignalering.Cli.Operations;
using VroegSignalering.Core.Protection;

namespace VroegSignalering.Cli.Commands;

/// <summary>
/// <c>vroeg keys usage|retire|rewrap</c>: key rotation that loses nothing. Usage counts the data each key
/// still protects; retire refuses while any remains and otherwise names the settings to drop; rewrap
/// re-encrypts stored records under the active key. All three run <see cref="KeyRotation"/> and need the
/// app's keys (both rings: HMAC usage decrypts addresses of rows that predate the HmacKeyId column), so in
/// Azure they run in the app: with <c>--api</c> the CLI calls the operator endpoints under
/// /api/v1/operations/keys (rewrap in bounded batches until nothing remains). Without <c>--api</c> they run
/// here, against local development storage (Azurite) only, with Keys__* settings given to the CLI.
/// </summary>
internal static class KeysCommands
{
    private const string Encryption = "encryption";
    private const string Hmac = "hmac";

    // The app's default and upper limit per rewrap call (functions/Operations/RewrapKeys.cs).
    private const int DefaultBatch = 500;
    private const int MaxBatch = 5000;
    private const string Description = " With --api it runs in the app, under its identity and keys (the way in Azure); without, it runs here against local development storage only (Azurite), with the app's Keys__… settings.";

    public static Command Create(CliEnvironment env)
    {
        var keys = new Command("keys", "Key rotation: what data each key protects, retiring a key, re-encrypting under the active key.");
        keys.Subcommands.Add(Usage(env));
        keys.Subcommands.Add(Retire(env));
        keys.Subcommands.Add(Rewrap(env));
        return keys;
    }

    private static Command Usage(CliEnvironment env)
    {
        var pipeline = new PipelineOptions();
        var api = new OperatorApiOptions();
        var command = new Command("usage", "Count records per key kind, key id and holder (counts only; no personal data)." + Description);
        pipeline.AddTo(command);
        api.AddTo(command);
        command.SetGuardedAction(env, async (parseResult, ct) =>
        {
            IReadOnlyList<KeyUsageCount> counts;
            string activeEncryption, activeHmac;
            if (api.Requested(parseResult))
            {
                using var client = await api.ConnectAsync(parseResult, env, ct);
                var answer = await GetJsonAsync(client, HttpMethod.Get, "api/v1/operations/keys/usage", ct);
                counts = Counts(answer["counts"]!);
                activeEncryption = (string)answer["encryptionKeyIds"]![0]!;
                activeHmac = (string)answer["hmacKeyIds"]![0]!;
            }
            else
            {
                await using var services = pipeline.Build(parseResult);
                PipelineOptions.RequireDevelopmentStorage(services, "keys usage");
                var rotation = Rotation(services);
                var progress = new ProgressReporter(env);
                counts = (await rotation.UsageAsync(Scanning(progress), ct)).Counts;
                progress.Complete("scan done");
                activeEncryption = Active(services, KeyKind.Encryption);
                activeHmac = Active(services, KeyKind.Hmac);
            }

            await WriteTableAsync(env.Out, counts);
            await env.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"active keys: encryption {activeEncryption}, hmac {activeHmac}; '?' = key could not be told (queue beyond its peek window, or a household that does not decrypt)"));
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Retire(CliEnvironment env)
    {
        var pipeline = new PipelineOptions();
        var api = new OperatorApiOptions();
        var kind = KindOption();
        var key = new Option<string>("--key") { Description = "The key id to retire, e.g. k1.", Required = true, HelpName = "id" };
        var command = new Command("retire", "Check that no data needs a key any more, and print the settings to drop. Refuses (exit 3) while data remains." + Description) { kind, key };
        pipeline.AddTo(command);
        api.AddTo(command);
        command.SetGuardedAction(env, async (parseResult, ct) =>
        {
            var keyKind = Kind(parseResult.GetValue(kind)!);
            var keyId = parseResult.GetValue(key)!;
            RetireDecision decision;
            if (api.Requested(parseResult))
            {
                using var client = await api.ConnectAsync(parseResult, env, ct);
                var answer = await GetJsonAsync(client, HttpMethod.Get, $"api/v1/operations/keys/{parseResult.GetValue(kind)}/{Uri.EscapeDataString(keyId)}/retire", ct);
                decision = new RetireDecision(
                    keyKind,
                    keyId,
                    (bool)answer["allowed"]!,
                    (string)answer["reason"]!,
                    Counts(answer["remaining"]!),
                    Strings(answer["settingsToDrop"]!),
                    (string)answer["secretName"]!,
                    Strings(answer["keyIdsToKeep"]!));
            }
            else
            {
                await using var services = pipeline.Build(parseResult);
                PipelineOptions.RequireDevelopmentStorage(services, "keys retire");
                var rotation = Rotation(services);
                var progress = new ProgressReporter(env);
                decision = await rotation.CheckRetireAsync(keyKind, keyId, Scanning(progress), ct);
                progress.Complete("scan done");
            }

            if (!decision.Allowed)
            {
                if (decision.Remaining.Count > 0)
                {
                    await WriteTableAsync(env.Out, decision.Remaining);
                }

                throw new CliException($"refusing to retire {parseResult.GetValue(kind)} key {keyId}: {decision.Reason}", ExitCodes.Refused);
            }

            var variable = keyKind == KeyKind.Encryption ? "VROEG_ENCRYPTION_KEY_IDS" : "VROEG_HMAC_KEY_IDS";
            await env.Out.WriteLineAsync($"{decision.Reason}: it can be retired. Drop these app settings:");
            foreach (var setting in decision.SettingsToDrop)
            {
                await env.Out.WriteLineAsync("  " + setting);
            }

            await env.Out.WriteLineAsync("With azd (infra/main.bicep generates one setting per listed id):");
            await env.Out.WriteLineAsync($"  azd env set {variable} {string.Join(',', decision.KeyIdsToKeep)}");
            await env.Out.WriteLineAsync("  azd provision");
            await env.Out.WriteLineAsync($"Then disable the Key Vault secret {decision.SecretName} (do not purge it while backups made under it exist).");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Rewrap(CliEnvironment env)
    {
        var pipeline = new PipelineOptions();
        var api = new OperatorApiOptions();
        var kind = KindOption();
        var from = new Option<string>("--from") { Description = "Re-encrypt what is under this key id with the active key.", Required = true, HelpName = "id" };
        var batch = CommandHelpers.IntOption("--batch", $"With --api: records the app rewrites per call, 1 to {MaxBatch} (default {DefaultBatch}); the CLI calls until nothing remains.", DefaultBatch, min: 1, max: MaxBatch);
        var command = new Command("rewrap", "Re-encrypt stored records under the active encryption key (idempotent and resumable: run it again after an interruption)." + Description) { kind, from, batch };
        pipeline.AddTo(command);
        api.AddTo(command);
        command.SetGuardedAction(env, async (parseResult, ct) =>
        {
            if (Kind(parseResult.GetValue(kind)!) == KeyKind.Hmac)
            {
                throw new UsageException("HMAC keys cannot be rewrapped: a household's partition key is the HMAC itself (docs/operations.md, \"Rotating keys\"); households under an old HMAC key leave with retention");
            }

            var fromKey = parseResult.GetValue(from)!;
            var progress = new ProgressReporter(env);
            RewrapSummary summary;
            if (api.Requested(parseResult))
            {
                summary = await RewrapThroughApiAsync(env, api, parseResult, fromKey, parseResult.GetValue(batch), progress, ct);
            }
            else
            {
                await using var services = pipeline.Build(parseResult);
                PipelineOptions.RequireDevelopmentStorage(services, "keys rewrap");
                var rotation = Rotation(services);
                try
                {
                    summary = await rotation.RewrapAsync(fromKey, new SyncProgress(p =>
                        progress.Report(string.Create(CultureInfo.InvariantCulture, $"rewrap {fromKey}: {p.Holder}, {p.Scanned} scanned, {p.Rewrapped} rewrapped"))), ct);
                }
                catch (InvalidOperationException e)
                {
                    throw new CliException(e.Message);
                }
            }

            progress.Complete(string.Create(CultureInfo.InvariantCulture, $"rewrap {fromKey}: {summary.Scanned} scanned, {summary.Rewrapped} rewrapped"));
            await env.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"rewrapped {summary.Rewrapped} record(s) from {summary.FromKeyId} to {summary.ToKeyId} ({summary.Scanned} scanned): {summary.Changed} changed meanwhile, {summary.Failed} did not decrypt, {summary.Uninspected} queue message(s) not rewritten"));
            if (summary.Uninspected > 0)
            {
                await env.Error.WriteLineAsync("messages on the signals-intake queue are processed with the old key while it stays listed; check 'vroeg keys usage' once the queue has drained");
            }

            if (summary.Failed > 0)
            {
                throw new CliException($"{summary.Failed} record(s) under {fromKey} did not decrypt and were left as they are: is Keys__Encryption__Keys__{fromKey} the right key?");
            }

            if (summary.Changed > 0)
            {
                throw new CliException($"{summary.Changed} record(s) changed while being rewrapped and were left for the next run: run the same command again");
            }

            return ExitCodes.Success;
        });
        return command;
    }

    // Bounded calls until the app says nothing more is there to rewrite. Rewrapped and scanned add up over the
    // calls; failed and uninspected are those of the last call, which saw everything still under the old key.
    // A call that rewrote nothing while more remains (every record it tried changed meanwhile) ends the loop:
    // the summary says to run again rather than spinning against a busy writer.
    private static async Task<RewrapSummary> RewrapThroughApiAsync(
        CliEnvironment env, OperatorApiOptions api, ParseResult parseResult, string fromKey, int batch, ProgressReporter progress, CancellationToken ct)
    {
        using var client = await api.ConnectAsync(parseResult, env, ct);
        var path = string.Create(CultureInfo.InvariantCulture, $"api/v1/operations/keys/{Encryption}/rewrap?from={Uri.EscapeDataString(fromKey)}&max={batch}");
        long scanned = 0, rewrapped = 0;
        for (var call = 1; ; call++)
        {
            var answer = await GetJsonAsync(client, HttpMethod.Post, path, ct);
            var done = (long)answer["rewrapped"]!;
            scanned += (long)answer["scanned"]!;
            rewrapped += done;
            var more = (bool)answer["more"]!;
            progress.Report(string.Create(CultureInfo.InvariantCulture, $"rewrap {fromKey}: call {call}, {rewrapped} rewrapped so far{(more ? ", more remain" : string.Empty)}"), force: true);
            if (!more || done == 0)
            {
                return new RewrapSummary(fromKey, (string)answer["to"]!, scanned, rewrapped, (long)answer["changedMeanwhile"]!, (long)answer["failed"]!, (long)answer["uninspected"]!);
            }
        }
    }

    private static async Task<JsonNode> GetJsonAsync(OperatorApiClient client, HttpMethod method, string path, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, path);
        using var response = await client.SendAsync(request, ct);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync(ct))!;
    }

    private static List<KeyUsageCount> Counts(JsonNode rows) =>
        [.. rows.AsArray().Select(r => new KeyUsageCount(Kind((string)r!["kind"]!), (string)r["holder"]!, (string)r["keyId"]!, (long)r["count"]!))];

    private static List<string> Strings(JsonNode values) => [.. values.AsArray().Select(v => (string)v!)];

    private static Option<string> KindOption()
    {
        var option = CommandHelpers.ChoiceOption("--kind", "Which key ring: encryption (AES-GCM, personal data) or hmac (household and person keys).", Encryption, Encryption, Hmac);
        option.Required = true;
        return option;
    }

    private static KeyKind Kind(string value) => value == Hmac ? KeyKind.Hmac : KeyKind.Encryption;

    // The key rings are read when first used: a missing or malformed key is a message, not a stack trace.
    private static KeyRotation Rotation(IServiceProvider services)
    {
        try
        {
            var rotation = services.GetRequiredService<KeyRotation>();
            _ = services.GetRequiredService<IPersonalDataProtector>().KeyIds;
            _ = services.GetRequiredService<IPseudonymizer>().KeyIds;
            return rotation;
        }
        catch (Exception e) when (e is InvalidOperationException or Microsoft.Extensions.Options.OptionsValidationException)
        {
            throw new CliException($"the key commands need the app's keys: {e.Message} (run with the app's Keys__* settings, or --set them)");
        }
    }

    private static string Active(IServiceProvider services, KeyKind kind) => kind == KeyKind.Encryption
        ? services.GetRequiredService<IPersonalDataProtector>().KeyIds[0]
        : services.GetRequiredService<IPseudonymizer>().KeyIds[0];

    private static SyncProgress Scanning(ProgressReporter progress) =>
        new(p => progress.Report(string.Create(CultureInfo.InvariantCulture, $"scanning {p.Holder}: {p.Scanned} record(s)")));

    private static async Task WriteTableAsync(TextWriter output, IReadOnlyList<KeyUsageCount> counts)
    {
        await output.WriteLineAsync($"{"kind",-11} {"key",-15} {"holder",-14} {"count",10}");
        foreach (var c in counts)
        {
            var kind = c.Kind == KeyKind.Encryption ? Encryption : Hmac;
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{kind,-11} {c.KeyId,-15} {c.Holder,-14} {c.Count,10}"));
        }
    }

    // Progress<T> posts to the thread pool, out of order; the reporter already throttles, so report inline.
    private sealed class SyncProgress(Action<KeyScanProgress> report) : IProgress<KeyScanProgress>
    {
        public void Report(KeyScanProgress value) => report(value);
    }
}
