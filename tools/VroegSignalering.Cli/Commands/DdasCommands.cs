using System.CommandLine;
using System.Globalization;
using System.Net.Mail;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using VroegSignalering.Azure.Reporting;
using VroegSignalering.Cli.Cli;
using VroegSignalering.Cli.Operations;
using VroegSignalering.Core.Households;
using VroegSignalering.Core.Intake;
using VroegSignalering.Core.Protection;
using VroegSignalering.Core.Reporting;

namespace VroegSignalering.Cli.Commands;

/// <summary>
/// <c>vroeg ddas export</c>: one gemeente's signals and cases over a period, as the DDAS Uitwisselmodel
/// (v0.9) file a municipality delivers to CBS, read from storage. Personal data is left out unless
/// <c>--client include</c> asks for it; then the file is written readable by its owner only.
/// </summary>
internal static class DdasCommands
{
    public const string ClientNone = "none";
    public const string ClientInclude = "include";

    public static Command Create(CliEnvironment env)
    {
        var ddas = new Command("ddas", "The DDAS (Data delen Armoede en Schulden) delivery to CBS.");
        ddas.Subcommands.Add(Export(env));
        return ddas;
    }

    private static Command Export(CliEnvironment env)
    {
        var pipeline = new PipelineOptions();
        var gemeente = CommandHelpers.GemeenteOption("The gemeente whose delivery this is (0363, or GM0363).");
        var from = CommandHelpers.DateOption("--from", "First day of the period (startdatumLevering), inclusive.");
        from.Required = true;
        var to = CommandHelpers.DateOption("--to", "Last day of the period (einddatumLevering), inclusive.");
        to.Required = true;
        var output = CommandHelpers.PathOption("--out", "Where to write the DDAS JSON (default: out/ddas/ddas-<gemeente>-<from>-<to>.json).");
        var client = CommandHelpers.ChoiceOption("--client",
            "Personal data in each vroegsignaal's client object: 'none' leaves it empty (the default: data minimal); 'include' decrypts name, address, birth date and BSN as DDAS allows (needs the app's Keys__Encryption__* settings).",
            ClientNone, ClientNone, ClientInclude);
        var supplier = new Option<string>("--leverancier")
        {
            Description = "codeGegevensleverancier: the code of the party delivering the data.",
            DefaultValueFactory = _ => "VROEGSIGNALERING",
            HelpName = "code",
        };
        var organisation = new Option<string>("--organisatie") { Description = "Name of the delivering organisation (default: 'Gemeente <name>' from --gemeenten).", HelpName = "name" };
        var kvk = new Option<string>("--kvk") { Description = "KvK number of the delivering organisation (8 digits).", HelpName = "number" };
        kvk.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<string>() is { } v && (v.Length != 8 || !v.All(char.IsAsciiDigit)))
            {
                r.AddError($"Option '--kvk' expects 8 digits, got '{v}'.");
            }
        });
        var contactName = new Option<string>("--contact-naam") { Description = "Contact person at the delivering organisation.", HelpName = "name" };
        var contactEmail = new Option<string>("--contact-email") { Description = "The contact person's e-mail address.", HelpName = "address" };
        contactEmail.Validators.Add(r =>
        {
            // A bare address only: MailAddress also takes "Name <address>", which DDAS' format: email does not.
            if (r.GetValueOrDefault<string>() is { } v && !(MailAddress.TryCreate(v, out var parsed) && parsed.Address == v))
            {
                r.AddError($"Option '--contact-email' expects an e-mail address, got '{v}'.");
            }
        });
        var contactPhone = new Option<string>("--contact-telefoon") { Description = "The contact person's phone number.", HelpName = "number" };
        var gemeenten = CommandHelpers.PathOption("--gemeenten", "code;naam file for the gemeente's name.", "data/addresses/gemeenten.csv");

        var command = new Command("export", "Write one gemeente's DDAS delivery for a period (vroegsignalen and vroegsignaalzaken), read from storage.")
        {
            gemeente, from, to, output, client, supplier, organisation, kvk, contactName, contactEmail, contactPhone, gemeenten,
        };
        pipeline.AddTo(command);

        command.SetGuardedAction(env, async (parseResult, ct) =>
        {
            var code = parseResult.GetValue(gemeente)!;
            var (start, end) = (parseResult.GetValue(from)!.Value, parseResult.GetValue(to)!.Value);
            if (start > end)
            {
                throw new UsageException($"--from {start:yyyy-MM-dd} is after --to {end:yyyy-MM-dd}");
            }

            var names = ReportCommand.ReadNames(parseResult.ResolvePath(gemeenten, env));
            var name = names.GetValueOrDefault(code);
            var contact = parseResult.GetValue(contactName) is null && parseResult.GetValue(contactEmail) is null && parseResult.GetValue(contactPhone) is null
                ? null
                : new DdasContactpersoon(parseResult.GetValue(contactName), parseResult.GetValue(contactPhone), parseResult.GetValue(contactEmail), null);
            var request = new DdasExportRequest(
                code,
                start,
                end,
                env.Time.GetUtcNow(),
                parseResult.GetValue(supplier)!,
                new DdasOrganisatie(
                    parseResult.GetValue(organisation) ?? (name is null ? null : "Gemeente " + name),
                    parseResult.GetValue(kvk),
                    contact is null ? null : [contact]));
            var includeClient = parseResult.GetValue(client) == ClientInclude;
            var path = parseResult.GetValue(output) is null
                ? CommandHelpers.DefaultPath(env, "out", "ddas", string.Create(CultureInfo.InvariantCulture, $"ddas-{code}-{start:yyyy-MM-dd}-{end:yyyy-MM-dd}.json"))
                : parseResult.ResolvePath(output, env)!;

            await using var services = pipeline.Build(parseResult);
            var protector = includeClient ? Protector(services) : null; // before the scan: a missing key fails fast
            var source = await services.GetRequiredService<RunObserver>().ReadHouseholdsAsync(ct);
            var signalsById = source.Signals.GroupBy(s => s.SignalId, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
            var result = DdasExport.Build(request, source, protector is null ? null : id => Decrypt(protector, signalsById[id]));

            await WriteAsync(path, result.ToJson(), ownerOnly: includeClient, ct);
            await env.Out.WriteAsync(Summary(result, name, includeClient));
            await env.Out.WriteLineAsync($"Wrote {path}");
            foreach (var issue in result.Issues)
            {
                await env.Error.WriteLineAsync($"warning: {issue.Id}: {issue.Code}: {issue.Message}");
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static IPersonalDataProtector Protector(IServiceProvider services)
    {
        try
        {
            return services.GetRequiredService<IPersonalDataProtector>();
        }
        catch (Exception e) when (e is InvalidOperationException or Microsoft.Extensions.Options.OptionsValidationException)
        {
            throw new CliException($"--client include needs the app's keys: {e.Message} (run with the app's Keys__* settings, or --set them)");
        }
    }

    private static ClientDetails Decrypt(IPersonalDataProtector protector, StoredSignal signal)
    {
        try
        {
            return protector.ReadPersonal(signal);
        }
        catch (CryptographicException e)
        {
            // The message names the key id, never the data.
            throw new CliException($"cannot decrypt the personal data of signal {signal.SignalId}: {e.Message} (set the app's Keys__Encryption__* settings, or use --client none)");
        }
    }

    // Written next to the target and moved over it, so a failure never leaves half a delivery behind.
    private static async Task WriteAsync(string path, string json, bool ownerOnly, CancellationToken ct)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temporary = path + ".partial-" + Guid.NewGuid().ToString("N");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (ownerOnly && !OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        try
        {
            await using (var stream = new FileStream(temporary, options))
            {
                await stream.WriteAsync(Encoding.UTF8.GetBytes(json), ct);
            }

            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    internal static string Summary(DdasExportResult result, string? gemeenteName, bool includeClient)
    {
        var model = result.Uitwisselmodel;
        var levering = model.Leveringen[0];
        var sb = new StringBuilder();
        void Line(string label, object value) => sb.Append(CultureInfo.InvariantCulture, $"  {label,-52}{value,8}\n");
        sb.Append(CultureInfo.InvariantCulture,
            $"DDAS delivery for gemeente {levering.Gemeentecode}{(gemeenteName is null ? "" : " " + gemeenteName)}, {model.StartdatumLevering:yyyy-MM-dd} to {model.EinddatumLevering:yyyy-MM-dd}\n\n");
        Line("vroegsignalen", levering.Vroegsignalen.Count);
        foreach (var g in levering.Vroegsignalen.GroupBy(s => s.Signaalpartner.Type).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            Line("  signaalpartner " + g.Key, g.Count());
        }

        foreach (var g in levering.Vroegsignalen.GroupBy(s => s.Status ?? "(opgepakt: no status)").OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal))
        {
            Line("  status " + g.Key, g.Count());
        }

        Line("  crisissignaal", levering.Vroegsignalen.Count(s => s.Crisissignaal));
        Line("vroegsignaalzaken", levering.Vroegsignaalzaken.Count);
        Line("  opgepakt (datum_opgepakt set)", levering.Vroegsignaalzaken.Count(z => z.DatumOpgepakt is not null));
        foreach (var g in levering.Vroegsignaalzaken.GroupBy(z => z.Resultaat ?? "(open: no resultaat yet)").OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal))
        {
            Line("  resultaat " + g.Key, g.Count());
        }

        Line("warnings (cases or signals not mapped cleanly)", result.Issues.Count);
        sb.Append(includeClient
            ? "\nThe file holds personal data (client objects): deliver it over the agreed secure channel and delete this copy.\n"
            : "\nClient objects are empty (--client none): no personal data in the file.\n");
        return sb.ToString();
    }
}
