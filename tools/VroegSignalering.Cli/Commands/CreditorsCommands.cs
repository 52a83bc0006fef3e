using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using VroegSignalering.Azure.Creditors;
using VroegSignalering.Cli.Cli;
using VroegSignalering.Cli.Operations;
using VroegSignalering.Core.Common;
using VroegSignalering.Core.Intake;

namespace VroegSignalering.Cli.Commands;

/// <summary>
/// <c>vroeg creditors add|rotate-key|list</c>: the creditor registry in the <c>creditors</c> table (Azure).
/// A new API key is printed once and stored only as its SHA-256 hash; rotation keeps at most two.
/// </summary>
internal static class CreditorsCommands
{
    public static Command Create(CliEnvironment env)
    {
        var creditors = new Command("creditors", "Register creditors and manage their API keys (table registry).");
        creditors.Subcommands.Add(Add(env));
        creditors.Subcommands.Add(Rotate(env));
        creditors.Subcommands.Add(List(env));
        return creditors;
    }

    private static Command Add(CliEnvironment env)
    {
        var pipeline = new PipelineOptions();
        var id = new Option<string>("--id") { Description = "Creditor id (letters, digits, hyphens).", Required = true, HelpName = "id" };
        var name = new Option<string>("--name") { Description = "Display name.", Required = true, HelpName = "name" };
        var types = new Option<string[]>("--partner-type") { Description = "DDAS partner type it may signal for (repeatable): " + string.Join(", ", PartnerTypes.All), Required = true, AllowMultipleArgumentsPerToken = true, HelpName = "type" };
        var apps = new Option<string[]>("--entra-app-id") { Description = "Entra ID application (client) id that may post as this creditor (repeatable).", HelpName = "guid" };
        var command = new Command("add", "Register a creditor (or replace its details) and print a new API key once.") { id, name, types, apps };
        pipeline.AddTo(command);
        command.SetGuardedAction(env, async (parseResult, ct) =>
        {
            var creditorId = parseResult.GetValue(id)!;
            if (!creditorId.All(c => char.IsAsciiLetterOrDigit(c) || c == '-') || creditorId.Length is 0 or > 64)
            {
                throw new UsageException("--id may hold only letters, digits and hyphens (at most 64)");
            }

            var partnerTypes = parseResult.GetValue(types)!.Select(t => PartnerTypes.TryParse(t, out var p) ? p : throw new UsageException($"unknown partner type '{t}'")).ToHashSet();
            await using var services = pipeline.Build(parseResult);
            var key = ApiKeys.NewKey(creditorId);
            await services.GetRequiredService<TableCreditorRegistry>().SaveAsync(
                new Creditor(creditorId, parseResult.GetValue(name)!, partnerTypes), [ApiKeys.Hash(key)], parseResult.GetValue(apps) ?? [], ct);
            await env.Out.WriteLineAsync($"creditor {creditorId} registered; its API key (shown once, store it safely):");
            await env.Out.WriteLineAsync(key);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Rotate(CliEnvironment env)
    {
        var pipeline = new PipelineOptions();
        var id = new Option<string>("--id") { Description = "Creditor id.", Required = true, HelpName = "id" };
        var command = new Command("rotate-key", "Add a new API key and keep only the newest previous one (two active keys during the switch).") { id };
        pipeline.AddTo(command);
        command.SetGuardedAction(env, async (parseResult, ct) =>
        {
            await using var services = pipeline.Build(parseResult);
            var registry = services.GetRequiredService<TableCreditorRegistry>();
            var entry = (await registry.EntriesForAdminAsync(ct)).FirstOrDefault(e => e.Creditor.Id == parseResult.GetValue(id))
                ?? throw new CliException($"no creditor '{parseResult.GetValue(id)}' in the registry");
            var key = ApiKeys.NewKey(entry.Creditor.Id);
            await registry.SaveAsync(entry.Creditor, [ApiKeys.Hash(key), .. entry.ApiKeyHashes.Take(1)], entry.EntraAppIds, ct);
            await env.Out.WriteLineAsync($"new API key for {entry.Creditor.Id} (shown once); the previous key stays valid until the next rotation:");
            await env.Out.WriteLineAsync(key);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command List(CliEnvironment env)
    {
        var pipeline = new PipelineOptions();
        var command = new Command("list", "List registered creditors (ids, partner types, number of active keys).");
        pipeline.AddTo(command);
        command.SetGuardedAction(env, async (parseResult, ct) =>
        {
            await using var services = pipeline.Build(parseResult);
            foreach (var e in await services.GetRequiredService<TableCreditorRegistry>().EntriesForAdminAsync(ct))
            {
                await env.Out.WriteLineAsync($"{e.Creditor.Id,-28} {string.Join(", ", e.Creditor.PartnerTypes.Select(t => t.ToDdas())),-30} keys: {e.ApiKeyHashes.Count}  entra apps: {e.EntraAppIds.Count}");
            }

            return ExitCodes.Success;
        });
        return command;
    }
}
