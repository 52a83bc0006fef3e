using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using VroegSignalering.Cli.Cli;
using VroegSignalering.Cli.Operations;
using VroegSignalering.Core.Households;
using VroegSignalering.Core.Quarantine;
using VroegSignalering.Core.Routing;

namespace VroegSignalering.Cli.Commands;

/// <summary>
/// <c>vroeg quarantine list|redrive|assign</c>: signals that could not be routed, with their reasons (content stays
/// encrypted); routing them again after the address file was updated; assigning a gemeente by hand.
/// </summary>
internal static class QuarantineCommands
{
    public static Command Create(CliEnvironment env)
    {
        var quarantine = new Command("quarantine", "Signals held back because their address could not be routed.");
        var pipeline = new PipelineOptions();
        var receipt = new Option<string>("--receipt") { Description = "Only this receipt's signals.", HelpName = "receiptId" };
        var list = new Command("list", "List quarantined signals: receipt, signal id, creditor, reason.") { receipt };
        pipeline.AddTo(list);
        list.SetGuardedAction(env, async (parseResult, ct) =>
        {
            await using var services = pipeline.Build(parseResult);
            var items = await services.GetRequiredService<IQuarantineStore>().ListAsync(parseResult.GetValue(receipt), ct);
            foreach (var q in items.OrderBy(q => q.QuarantinedAt))
            {
                await env.Out.WriteLineAsync($"{q.QuarantinedAt:yyyy-MM-dd HH:mm:ss}  {q.ReceiptId}  {q.SignalId}  {q.CreditorId}  {q.ReasonCode}: {q.Reason}");
            }

            foreach (var g in items.GroupBy(q => q.ReasonCode))
            {
                await env.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{g.Count(),6} {g.Key}"));
            }

            return ExitCodes.Success;
        });
        quarantine.Subcommands.Add(list);
        quarantine.Subcommands.Add(Redrive(env));
        quarantine.Subcommands.Add(Assign(env));
        return quarantine;
    }

    private static Command Redrive(CliEnvironment env)
    {
        var pipeline = new PipelineOptions();
        var api = new OperatorApiOptions();
        var dryRun = new Option<bool>("--dry-run") { Description = "Route and count what would leave quarantine; change nothing." };
        var page = new Option<int>("--page-size")
        {
            Description = $"Signals per request (1 to {QuarantineRedriveRequest.MaxLimit}; default 500): progress is shown after each page.",
            DefaultValueFactory = _ => 500,
        };
        var command = new Command("redrive",
            "Route quarantined signals again (after the address file was updated): those that now route are stored in their household and go on to " +
            "triage and dispatch like any signal. With --api it runs in the app (the way in Azure); without, against local development storage only.")
        {
            dryRun, page,
        };
        pipeline.AddTo(command);
        api.AddTo(command);
        command.SetGuardedAction(env, async (parseResult, ct) =>
        {
            var size = parseResult.GetValue(page);
            if (size is < 1 or > QuarantineRedriveRequest.MaxLimit)
            {
                throw new UsageException($"--page-size is 1 to {QuarantineRedriveRequest.MaxLimit}");
            }

            var dry = parseResult.GetValue(dryRun);
            Func<string?, Task<(int Examined, int Routed, int Stored, int AlreadyStored, int Still, IReadOnlyDictionary<string, int> ByReason, string? Next)>> next;
            OperatorApiClient? client = null;
            ServiceProvider? services = null;
            try
            {
                if (api.Requested(parseResult))
                {
                    client = await api.ConnectAsync(parseResult, env, ct);
                    next = async after =>
                    {
                        var body = new JsonObject { ["dryRun"] = dry, ["limit"] = size, ["after"] = after };
                        using var request = new HttpRequestMessage(HttpMethod.Post, "api/v1/operations/quarantine/redrive") { Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json") };
                        using var response = await client.SendAsync(request, ct);
                        var a = JsonNode.Parse(await response.Content.ReadAsStringAsync(ct))!;
                        var reasons = a["stillQuarantinedByReason"]!.AsObject().ToDictionary(p => p.Key, p => (int)p.Value!, StringComparer.Ordinal);
                        return ((int)a["examined"]!, (int)a["routed"]!, (int)a["stored"]!, (int)a["alreadyStored"]!, (int)a["stillQuarantined"]!, reasons, (string?)a["next"]);
                    };
                }
                else
                {
                    services = pipeline.Build(parseResult);
                    PipelineOptions.RequireDevelopmentStorage(services, "quarantine redrive");
                    var redrive = services.GetRequiredService<QuarantineRedrive>();
                    next = async after =>
                    {
                        var r = await redrive.RedriveAsync(new QuarantineRedriveRequest(dry, size, QuarantineCursor.Parse(after)), ct);
                        return (r.Examined, r.Routed, r.Stored, r.AlreadyStored, r.StillQuarantined, r.StillQuarantinedByReason, r.Next?.ToString());
                    };
                }

                var progress = new ProgressReporter(env);
                int examined = 0, routed = 0, stored = 0, already = 0, still = 0;
                var byReason = new SortedDictionary<string, int>(StringComparer.Ordinal);
                string? cursor = null;
                do
                {
                    var p = await next(cursor);
                    (examined, routed, stored, already, still) = (examined + p.Examined, routed + p.Routed, stored + p.Stored, already + p.AlreadyStored, still + p.Still);
                    foreach (var (reason, n) in p.ByReason)
                    {
                        byReason[reason] = byReason.GetValueOrDefault(reason) + n;
                    }

                    cursor = p.Next;
                    progress.Report(string.Create(CultureInfo.InvariantCulture, $"quarantine redrive: {examined} examined, {routed} route, {still} still quarantined"));
                }
                while (cursor is not null);

                progress.Report(string.Create(CultureInfo.InvariantCulture, $"quarantine redrive: {examined} examined"), force: true);
                foreach (var (reason, n) in byReason)
                {
                    await env.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{n,6} still quarantined: {reason}"));
                }

                await env.Out.WriteLineAsync(dry
                    ? string.Create(CultureInfo.InvariantCulture, $"dry run: {examined} examined, {routed} would leave quarantine, {still} would stay; nothing changed")
                    : string.Create(CultureInfo.InvariantCulture, $"re-driven: {examined} examined, {stored} stored in their household, {already} already stored, {still} still quarantined"));
                return ExitCodes.Success;
            }
            finally
            {
                client?.Dispose();
                if (services is not null)
                {
                    await services.DisposeAsync();
                }
            }
        });
        return command;
    }

    private static Command Assign(CliEnvironment env)
    {
        var pipeline = new PipelineOptions();
        var api = new OperatorApiOptions();
        var signal = new Argument<string>("signal-id") { Description = "The signal's id, from `vroeg quarantine list`." };
        var gemeente = new Option<string>("--gemeente") { Description = "The gemeente to assign (0363 or GM0363).", HelpName = "code", Required = true };
        var reason = new Option<string>("--reason")
        {
            Description = "Why, as a code (never free text: the audit trail holds no personal data): " + string.Join(", ", QuarantineRedrive.AssignmentReasons),
            HelpName = "code",
            Required = true,
        };
        reason.AcceptOnlyFromAmong([.. QuarantineRedrive.AssignmentReasons]);
        var command = new Command("assign",
            "Assign a gemeente to a quarantined signal by hand (recorded in the audit trail); the signal goes to its household and on to triage. " +
            "With --api it runs in the app, under your operator identity; without, against local development storage only.")
        {
            signal, gemeente, reason,
        };
        pipeline.AddTo(command);
        api.AddTo(command);
        command.SetGuardedAction(env, async (parseResult, ct) =>
        {
            var id = parseResult.GetValue(signal)!;
            var text = parseResult.GetValue(gemeente)!;
            var code = parseResult.GetValue(reason)!;
            if (api.Requested(parseResult))
            {
                using var client = await api.ConnectAsync(parseResult, env, ct);
                var body = new JsonObject { ["gemeentecode"] = text, ["reasonCode"] = code };
                using var request = new HttpRequestMessage(HttpMethod.Post, $"api/v1/operations/quarantine/{Uri.EscapeDataString(id)}/assignment")
                {
                    Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"),
                };
                using var response = await client.SendAsync(request, ct);
                var a = JsonNode.Parse(await response.Content.ReadAsStringAsync(ct))!;
                await env.Out.WriteLineAsync($"assigned {(string?)a["signalId"]} to gemeente {(string?)a["gemeentecode"]} ({code}); stored in its household");
                return ExitCodes.Success;
            }

            var normalised = AreaCodeFormat.Gemeente(text) ?? throw new UsageException($"--gemeente expects a gemeentecode (0363 or GM0363), got '{text}'");
            await using var services = pipeline.Build(parseResult);
            PipelineOptions.RequireDevelopmentStorage(services, "quarantine assign");
            var redrive = services.GetRequiredService<QuarantineRedrive>();
            if (!redrive.IsKnownGemeente(normalised))
            {
                throw new UsageException($"gemeente {normalised} is not one this deployment serves (not in the address file nor in Triage:Gemeenten)");
            }

            var result = await redrive.AssignAsync(id, normalised, code, "local:" + Environment.UserName, ct);
            switch (result.Outcome)
            {
                case AssignOutcome.UnknownSignal:
                    throw new CliException($"no quarantined signal has id {id}; nothing was changed");
                case AssignOutcome.AlreadyAssigned:
                    throw new CliException($"signal {id} was assigned to gemeente {result.Gemeentecode} before; nothing was changed");
                default:
                    await env.Out.WriteLineAsync($"assigned {id} to gemeente {normalised} ({code}); stored in its household");
                    return ExitCodes.Success;
            }
        });
        return command;
    }
}
