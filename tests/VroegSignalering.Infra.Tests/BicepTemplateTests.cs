using VroegSignalering.Testing;

namespace VroegSignalering.Infra.Tests;

/// <summary>
/// infra/ compiles and lints with zero errors and zero warnings. Rule levels are in infra/bicepconfig.json;
/// a warning that is acceptable gets fixed or a rule level with a reason there, never ignored here.
/// </summary>
public sealed class BicepTemplateTests
{
    private static readonly string Infra = RepositoryRoot.File("infra");

    [Fact]
    public void The_main_template_builds_without_errors_or_warnings()
    {
        var output = Directory.CreateTempSubdirectory("vroeg-bicep-build-").FullName;
        try
        {
            var result = Bicep.Run(Infra, "build", "main.bicep", "--no-restore", "--outdir", output);

            result.AssertClean();
            Assert.True(File.Exists(Path.Combine(output, "main.json")), "bicep build wrote no main.json");
        }
        finally
        {
            Directory.Delete(output, recursive: true);
        }
    }

    [Fact]
    public void The_main_template_lints_without_errors_or_warnings()
    {
        Bicep.Run(Infra, "lint", "main.bicep", "--no-restore").AssertClean();
    }

    // Linting main.bicep reports a module's errors but not necessarily its warnings, so every file is linted too.
    [Fact]
    public void Every_bicep_file_lints_without_errors_or_warnings()
    {
        var files = Directory.GetFiles(Infra, "*.bicep", SearchOption.AllDirectories);

        Assert.True(files.Length > 1, "expected main.bicep and its modules under infra/");
        Bicep.Run(Infra, "lint", "--pattern", "**/*.bicep", "--no-restore").AssertClean();
    }

    [Fact]
    public void The_lint_check_sees_warnings_and_errors()
    {
        var folder = Directory.CreateTempSubdirectory("vroeg-bicep-lint-").FullName;
        try
        {
            File.Copy(Path.Combine(Infra, "bicepconfig.json"), Path.Combine(folder, "bicepconfig.json"));
            File.WriteAllText(
                Path.Combine(folder, "bad.bicep"),
                "param unused string\noutput url string = 'https://management.azure.com/'\noutput joined string = concat('a', 'b')\n");

            var result = Bicep.Run(folder, "lint", "bad.bicep", "--no-restore");

            Assert.NotEqual(0, result.ExitCode);
            Assert.Contains(result.ErrorsAndWarnings, line => line.Contains("no-unused-params", StringComparison.Ordinal));
            Assert.Contains(result.ErrorsAndWarnings, line => line.Contains("no-hardcoded-env-urls", StringComparison.Ordinal));
            Assert.Contains(result.ErrorsAndWarnings, line => line.Contains(": Warning prefer-interpolation", StringComparison.Ordinal));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
