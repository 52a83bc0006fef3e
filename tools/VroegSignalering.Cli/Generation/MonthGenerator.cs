using System.Globalization;
using System.Security.Cryptography;
using VroegSignalering.Cli.Addresses;
using VroegSignalering.Cli.Cli;
using VroegSignalering.Cli.Creditors;

namespace VroegSignalering.Cli.Generation;

internal sealed record GenerateSettings(
    int Signals,
    int Seed,
    DateOnly Today,
    string OutputDirectory,
    string Format,
    string AddressFile,
    string GemeentenFile,
    string CreditorsFile);

internal sealed record GenerateOutcome(GenerationResult Result, IReadOnlyList<CreditorFileSpec> Files, TimeSpan Elapsed);

/// <summary>Loads the inputs, generates a month of signals and writes one file per creditor plus the manifest.</summary>
internal static class MonthGenerator
{
    public const string Mixed = "mixed";

    public static GenerateOutcome Run(GenerateSettings settings, CliEnvironment env)
    {
        var started = env.Time.GetTimestamp();
        var progress = new ProgressReporter(env);
        var creditors = CreditorRegistry.Load(settings.CreditorsFile);
        if (!File.Exists(settings.AddressFile))
        {
            throw new CliException($"address file '{settings.AddressFile}' not found (use --addresses)");
        }

        if (!File.Exists(settings.GemeentenFile))
        {
            throw new CliException($"gemeenten file '{settings.GemeentenFile}' not found (use --gemeenten; a 'code;naam' list)");
        }

        progress.Report("generate: reading the address file", force: true);
        var addresses = AddressFile.Load(settings.AddressFile);
        var gemeenten = Gemeenten.Read(settings.GemeentenFile);

        var generator = new SignalGenerator(
            new GenerationOptions(settings.Signals, settings.Seed, settings.Today),
            creditors,
            addresses,
            gemeenten,
            done => progress.Report(string.Create(CultureInfo.InvariantCulture, $"generate: {done:N0}/{settings.Signals:N0} signals")));
        var result = generator.Generate();
        if (result.AddressesReused)
        {
            progress.Log(string.Create(CultureInfo.InvariantCulture,
                $"generate: warning: {result.Households.Count:N0} households share {result.UsableAddresses:N0} addresses, so some live at the same address and will be grouped together; use a larger address file or fewer --signals"));
        }

        var specs = AssignFormats(creditors.All.Select(c => c.Id), settings.Format)
            .Where(spec => result.Signals.Any(s => s.CreditorId == spec.CreditorId))
            .ToList();
        Directory.CreateDirectory(settings.OutputDirectory);
        RemovePreviousFiles(settings.OutputDirectory, creditors);
        foreach (var spec in specs)
        {
            progress.Report("generate: writing " + spec.FileName);
            var rows = result.Signals.Where(s => s.CreditorId == spec.CreditorId).OrderBy(s => s.SignaalReferentie, StringComparer.Ordinal).ToList();
            SignalWriters.Write(Path.Combine(settings.OutputDirectory, spec.FileName), rows, spec);
        }

        Manifest.Write(
            Path.Combine(settings.OutputDirectory, Manifest.FileName),
            result,
            specs,
            settings.Format,
            Path.GetFileName(settings.AddressFile),
            Sha256(settings.AddressFile));
        var elapsed = env.Time.GetElapsedTime(started);
        progress.Complete(string.Create(CultureInfo.InvariantCulture, $"generate: {result.Signals.Count:N0} signals written in {elapsed.TotalSeconds:0.00} s"));
        return new GenerateOutcome(result, specs, elapsed);
    }

    /// <summary>
    /// Mixed gives each third creditor JSON, NDJSON or CSV, and alternates CSV creditors between ISO
    /// and Dutch dates, so one month exercises every input dialect the API accepts.
    /// </summary>
    public static IReadOnlyList<CreditorFileSpec> AssignFormats(IEnumerable<string> creditorIds, string format)
    {
        var specs = new List<CreditorFileSpec>();
        var csvCount = 0;
        var index = 0;
        foreach (var id in creditorIds)
        {
            var fileFormat = format switch
            {
                "json" => SignalFileFormat.Json,
                "ndjson" => SignalFileFormat.Ndjson,
                "csv" => SignalFileFormat.Csv,
                _ => (SignalFileFormat)(index % 3),
            };
            var dateFormat = CreditorFileSpec.IsoDate;
            if (fileFormat == SignalFileFormat.Csv)
            {
                dateFormat = csvCount++ % 2 == 0 ? CreditorFileSpec.IsoDate : CreditorFileSpec.DutchDate;
            }

            specs.Add(new CreditorFileSpec(id, fileFormat, dateFormat));
            index++;
        }

        return specs;
    }

    /// <summary>A file from an earlier run in another format would otherwise be posted too.</summary>
    private static void RemovePreviousFiles(string directory, CreditorRegistry creditors)
    {
        foreach (var creditor in creditors.All)
        {
            foreach (var format in Enum.GetValues<SignalFileFormat>())
            {
                File.Delete(Path.Combine(directory, creditor.Id + CreditorFileSpec.Extension(format)));
            }
        }
    }

    private static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
