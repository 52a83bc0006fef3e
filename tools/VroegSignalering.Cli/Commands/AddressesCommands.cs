using System.CommandLine;
using System.Globalization;
using VroegSignalering.Cli.Addresses;
using VroegSignalering.Cli.Cli;

namespace VroegSignalering.Cli.Commands;

/// <summary><c>vroeg addresses ...</c>: the CBS postcode-huisnummer file.</summary>
internal static class AddressesCommands
{
    public static Command Create(CliEnvironment env)
    {
        var command = new Command("addresses", "Work with the CBS postcode-huisnummer file (synthetic or the real one).");
        command.Subcommands.Add(CreateGenerate(env));
        command.Subcommands.Add(CreateCheck(env));
        return command;
    }

    private static Command CreateGenerate(CliEnvironment env)
    {
        var seed = CommandHelpers.IntOption("--seed", "Seed; the committed file uses the default.", AddressFileGenerator.DefaultSeed, min: int.MinValue);
        var rows = CommandHelpers.IntOption("--rows", "About this many rows (postcode + house number).", AddressFileGenerator.DefaultRows, min: 100, max: 5_000_000);
        var year = CommandHelpers.IntOption("--year", "Year in the header and file name (pc6hnrYYYY0801_gwb.csv).", AddressFileGenerator.DefaultYear, min: 2000, max: 2999);
        var output = CommandHelpers.PathOption("--out", "Folder to write the address file and gemeenten.csv to.", "data/addresses");

        var command = new Command("generate", "Write a synthetic address file in the CBS format for six real municipalities, plus gemeenten.csv.")
        {
            seed, rows, year, output,
        };
        command.SetGuardedAction(env, (parseResult, _) =>
        {
            var directory = parseResult.ResolvePath(output, env)!;
            Directory.CreateDirectory(directory);
            var generated = AddressFileGenerator.Generate(parseResult.GetValue(seed), parseResult.GetValue(rows));
            var path = Path.Combine(directory, AddressFile.FileName(parseResult.GetValue(year)));
            AddressFileGenerator.Write(path, generated, parseResult.GetValue(year));
            Gemeenten.Write(Path.Combine(directory, Gemeenten.FileName), Gemeenten.Synthetic.Select(g => g.Gemeente));
            env.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Wrote {generated.Count} addresses to {path} and {Gemeenten.FileName}."));
            return Task.FromResult(ExitCodes.Success);
        });
        return command;
    }

    private static Command CreateCheck(CliEnvironment env)
    {
        var file = new Argument<string>("file") { Description = "The address file to check." };
        var command = new Command("check", "Check an address file (format, code hierarchy, duplicates) and print rows per gemeente.") { file };
        command.SetGuardedAction(env, (parseResult, _) =>
        {
            var path = Path.GetFullPath(parseResult.GetValue(file)!);
            if (!File.Exists(path))
            {
                throw new CliException($"address file '{path}' not found");
            }

            var addresses = AddressFile.Load(path);
            var problems = AddressFileCheck.Problems(addresses).Take(20).ToList();
            foreach (var group in addresses.Rows.GroupBy(r => r.Gemeente).OrderBy(g => g.Key))
            {
                env.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"GM{group.Key:D4}  {group.Count(),9} addresses  {group.Select(r => r.Wijk).Distinct().Count(),4} wijken  {group.Select(r => r.Buurt).Distinct().Count(),5} buurten"));
            }

            env.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{addresses.Rows.Count} addresses, year {addresses.Year}."));
            foreach (var problem in problems)
            {
                env.Error.WriteLine(problem);
            }

            return Task.FromResult(problems.Count == 0 ? ExitCodes.Success : ExitCodes.Failure);
        });
        return command;
    }
}
