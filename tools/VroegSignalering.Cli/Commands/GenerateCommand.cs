using System.CommandLine;
using System.Globalization;
using VroegSignalering.Cli.Addresses;
using VroegSignalering.Cli.Cli;
using VroegSignalering.Cli.Generation;

namespace VroegSignalering.Cli.Commands;

/// <summary><c>vroeg generate</c>: a month of synthetic signals, one file per creditor.</summary>
internal static class GenerateCommand
{
    public static Command Create(CliEnvironment env)
    {
        var signals = CommandHelpers.IntOption("--signals", "Number of signals to generate.", 20_000, min: 1, max: 10_000_000);
        var seed = CommandHelpers.IntOption("--seed", "Seed: the same seed and --today give byte-identical files.", 1, min: int.MinValue);
        var output = CommandHelpers.PathOption("--out", "Folder for <creditorId>.json|.ndjson|.csv and manifest.json.", "out/month");
        var today = CommandHelpers.DateOption("--today", "The date the month ends on; all dates are relative to it. Default: today in the Netherlands (the calendar intake checks dates against).");
        var format = CommandHelpers.ChoiceOption("--format", "File format per creditor; mixed gives some creditors JSON, some NDJSON, some CSV.", MonthGenerator.Mixed, MonthGenerator.Mixed, "json", "ndjson", "csv");
        var addresses = CommandHelpers.PathOption("--addresses", "CBS postcode-huisnummer file (PC6;Huisnummer;Buurt;Wijk;Gemeente).", "data/addresses/" + AddressFile.FileName(AddressFileGenerator.DefaultYear));
        var gemeenten = CommandHelpers.PathOption("--gemeenten", "Municipality names (code;naam); only their addresses are used. Default: gemeenten.csv beside --addresses.");
        var creditors = CommandHelpers.PathOption("--creditors", "Creditors and their partner types.", "config/local/creditors.json");

        var command = new Command("generate", "Generate a month of synthetic arrears signals (never real people) as the demo creditors would send them.")
        {
            signals, seed, output, today, format, addresses, gemeenten, creditors,
        };

        command.SetGuardedAction(env, (parseResult, _) =>
        {
            var addressFile = parseResult.ResolvePath(addresses, env)!;
            var settings = new GenerateSettings(
                parseResult.GetValue(signals),
                parseResult.GetValue(seed),
                parseResult.GetValue(today) ?? VroegSignalering.Core.Common.DutchCalendar.Today(env.Time),
                parseResult.ResolvePath(output, env)!,
                parseResult.GetValue(format)!,
                addressFile,
                parseResult.ResolvePath(gemeenten, env) ?? Path.Combine(Path.GetDirectoryName(addressFile) ?? ".", Gemeenten.FileName),
                parseResult.ResolvePath(creditors, env)!);

            var outcome = MonthGenerator.Run(settings, env);
            var result = outcome.Result;
            var o = env.Out;
            var seconds = Math.Max(outcome.Elapsed.TotalSeconds, 0.001);
            o.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Generated {result.Signals.Count} signals for {result.Households.Count} households in {settings.OutputDirectory} ({seconds:0.00} s, {result.Signals.Count / seconds:N0} signals/s)."));
            foreach (var file in outcome.Files)
            {
                var count = result.Signals.Count(s => s.CreditorId == file.CreditorId);
                var dates = file.Format == SignalFileFormat.Csv ? " dates " + file.DateFormat : string.Empty;
                o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {file.FileName,-32} {count,7} signals{dates}"));
            }

            o.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Intended invalid {result.Signals.Count(s => s.Invalid is not null)}, unroutable {result.Signals.Count(s => s.Unroutable)}, households with 2+ creditors {result.Households.Count(h => h.DistinctCreditors >= 2)}; see {Manifest.FileName}."));
            return Task.FromResult(ExitCodes.Success);
        });
        return command;
    }
}
