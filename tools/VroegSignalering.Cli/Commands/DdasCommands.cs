using System.CommandLine;
using System.Globalization;
using System.Net.Mail;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using VroegSignalering.Azure.Reporting;
using VroegSignalering.Cli.Cli;
using VroegSignalering.Cli.Operations;
using VroegSignalering.Cli.Reporting;
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
        ddas.Subcommands.Add(Validate(env));
        return ddas;
    }

    /// <summary>The DDAS Uitwisselmodel v0.9 JSON schema (VNG), embedded in the CLI from the repository's copy.</summary>
    public const string SchemaResource = "ddas-v0.9-json_schema_Uitwisselmodel.json";

    private static Command Validate(CliEnvironment env)
    {
        var file = new Argument<string>("file") { Description = "The DDAS file to validate." };
        var command = new Command("validate", "Validate a DDAS file against the Uitwisselmodel v0.9 JSON schema (embedded); lists each error with its path.") { file };
        command.SetGuardedAction(env, async (parseResult, ct) =>
        {
            var path = parseResult.GetValue(file)!;
            path = Path.IsPathRooted(path) || env.BaseDirectory is null ? path : Path.Combine(env.BaseDirectory, path);
            if (!File.Exists(path))
            {
                throw new UsageException($"no file '{path}'");
            }

            var errors = await DdasSchema.ValidateAsync(await File.ReadAllTextAsync(path, ct), ct);
            foreach (var error in errors.Take(50))
            {
                await env.Error.WriteLineAsync("invalid: " + error);
            }

            if (errors.Count > 0)
            {
                await env.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{path}: {errors.Count} schema error(s) against DDAS v0.9"));
                return ExitCodes.Failure;
            }

            await env.Out.WriteLineAsync($"{path}: valid against the DDAS Uitwisselmodel v0.9 schema");
            return ExitCodes.Success;
        });
        return command;
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

        var command = new Command("export",
            "Write one gemeente's DDAS delivery for a period (vroegsignalen and vroegsignaalzaken). With --api the app reads and, for --client include, " +
            "decrypts it under its own identity and keys (the way in Azure); without, it is read from storage here, where --client include works " +
            "against local development storage only (Azurite).")
        {
            gemeente, from, to, output, client, supplier, organisation, kvk, contactName, contactEmail, contactPhone, gemeenten,
        };
        pipeline.AddTo(command);
        var api = new OperatorApiOptions();
        api.AddTo(command);

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

            DdasExportResult result;
            string json;
            if (api.Requested(parseResult))
            {
                (result, json) = await ExportThroughApiAsync(env, api, parseResult, request, includeClient, ct);
            }
            else
            {
                await using var services = pipeline.Build(parseResult);
                IPersonalDataProtector? protector = null;
                if (includeClient)
                {
                    PipelineOptions.RequireDevelopmentStorage(services, "--client include");
                    protector = Protector(services); // before the scan: a missing key fails fast
                }

                result = await services.GetRequiredService<DdasExporter>().ExportAsync(request, protector is null ? null : signal => Decrypt(protector, signal), ct);
                json = result.ToJson();
            }

            await WriteAsync(path, json, ownerOnly: includeClient, ct);
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

    // The same request, answered by the app's operator endpoint: the file as the app wrote it, parsed back for
    // the summary. The app lists the warnings in its log and counts them in a header.
    private static async Task<(DdasExportResult Result, string Json)> ExportThroughApiAsync(
        CliEnvironment env, OperatorApiOptions api, ParseResult parseResult, DdasExportRequest request, bool includeClient, CancellationToken ct)
    {
        var query = new List<string> { "client=" + (includeClient ? "include" : "exclude"), "leverancier=" + Uri.EscapeDataString(request.CodeGegevensleverancier) };
        void Add(string name, string? value)
        {
            if (value is not null)
            {
                query.Add(name + "=" + Uri.EscapeDataString(value));
            }
        }

        var organisatie = request.AanleverendeOrganisatie;
        var contact = organisatie.Contactpersonen?.FirstOrDefault();
        Add("organisatie", organisatie.Naam);
        Add("kvk", organisatie.KvkNummer);
        Add("contactNaam", contact?.Naam);
        Add("contactEmail", contact?.Email);
        Add("contactTelefoon", contact?.Telefoonnummer);
        var path = string.Create(CultureInfo.InvariantCulture,
            $"api/v1/operations/ddas/{request.Gemeentecode}/{request.StartdatumLevering:yyyy-MM-dd}..{request.EinddatumLevering:yyyy-MM-dd}?{string.Join('&', query)}");

        using var client = await api.ConnectAsync(parseResult, env, ct);
        using var message = new HttpRequestMessage(HttpMethod.Get, path);
        using var response = await client.SendAsync(message, ct);
        var json = await response.Content.ReadAsStringAsync(ct);
        var model = System.Text.Json.JsonSerializer.Deserialize(json, DdasJson.Default.DdasUitwisselmodel)
            ?? throw new CliException("the app answered an empty DDAS delivery");
        if (response.Headers.TryGetValues("X-Ddas-Warnings", out var values) && int.TryParse(values.FirstOrDefault(), CultureInfo.InvariantCulture, out var warnings) && warnings > 0)
        {
            await env.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"warning: {warnings} case(s) or signal(s) not mapped cleanly; the app's log lists them (ids and codes)"));
        }

        return (new DdasExportResult(model, []), json);
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

        Line("  with contactpogingen", levering.Vroegsignaalzaken.Count(z => z.Contactpogingen.Count > 0));
        Line("contactpogingen", levering.Vroegsignaalzaken.Sum(z => z.Contactpogingen.Count));
        foreach (var g in levering.Vroegsignaalzaken.SelectMany(z => z.Contactpogingen).GroupBy(p => p.Soort).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            Line($"  {g.Key} (bereikt {g.Count(p => p.Bereikt)})", g.Count());
        }

        Line("warnings (cases or signals not mapped cleanly)", result.Issues.Count);
        sb.Append(includeClient
            ? "\nThe file holds personal data (client objects): deliver it over the agreed secure channel and delete this copy.\n"
            : "\nClient objects are empty (--client none): no personal data in the file.\n");
        return sb.ToString();
    }
}
