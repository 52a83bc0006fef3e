using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using NJsonSchema.Validation;
using VroegSignalering.Cli.Cli;
using VroegSignalering.Core.Common;
using VroegSignalering.Functions.Tests.Pipeline;
using VroegSignalering.Testing;

namespace VroegSignalering.Functions.Tests.Cli;

/// <summary>`vroeg ddas export` against a real app's storage on Azurite: the file CBS receives.</summary>
public sealed class DdasExportCommandTests : IDisposable
{
    private const string Surname = "Ddasproef-Öztürk";
    private readonly PipelineApp _app = new();
    private readonly string _folder = Directory.CreateTempSubdirectory("vroeg-ddas-").FullName;

    [Fact]
    public async Task Exports_a_schema_valid_delivery_without_personal_data_by_default()
    {
        await PostMonthAsync();
        var file = Path.Combine(_folder, "ddas.json");

        var (rc, output, error) = await RunAsync(["ddas", "export", "--gemeente", "GM0363", .. Period(), "--out", file, "--contact-naam", "Team Vroegsignalering", "--contact-email", "vroeg@example.nl"]);

        Assert.True(rc == 0, error);
        var json = await File.ReadAllTextAsync(file);
        Assert.Empty(await SchemaErrorsAsync(json));
        var levering = JsonNode.Parse(json)!["leveringen"]![0]!;
        Assert.Equal("0363", (string?)levering["gemeentecode"]);
        Assert.Equal("Gemeente Amsterdam", (string?)levering["aanleverende_organisatie"]!["naam"]);
        var signalen = levering["vroegsignalen"]!.AsArray();
        var zaken = levering["vroegsignaalzaken"]!.AsArray();
        Assert.Equal(4, signalen.Count);
        Assert.Equal(2, zaken.Count);
        Assert.Contains(zaken, z => z!["vroegsignalen"]!.AsArray().Count == 3);
        Assert.All(zaken, z => Assert.NotNull(z!["datum_opgepakt"]));
        Assert.All(signalen, s => Assert.Empty(s!["client"]!.AsObject()));
        Assert.DoesNotContain(Surname, json, StringComparison.Ordinal);
        Assert.DoesNotContain("1011AB", json, StringComparison.Ordinal);
        Assert.Contains("vroegsignalen", output, StringComparison.Ordinal);
        Assert.Contains("no personal data in the file", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Client_include_decrypts_the_personal_data_into_a_file_only_its_owner_can_read()
    {
        await PostMonthAsync();
        var file = Path.Combine(_folder, "ddas-client.json");

        var (rc, output, error) = await RunAsync(["ddas", "export", "--gemeente", "0363", .. Period(), "--out", file, "--client", "include", .. Keys()]);

        Assert.True(rc == 0, error);
        var json = await File.ReadAllTextAsync(file);
        Assert.Empty(await SchemaErrorsAsync(json));
        var client = JsonNode.Parse(json)!["leveringen"]![0]!["vroegsignalen"]![0]!["client"]!;
        Assert.Equal(Surname, (string?)client["Achternaam"]);
        Assert.Equal("1011AB", (string?)client["Postcode"]);
        Assert.Contains("holds personal data", output, StringComparison.Ordinal);
        Assert.DoesNotContain(Surname, output + error, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(_folder, "*.partial-*"));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        }
    }

    [Fact]
    public async Task Client_include_without_the_encryption_key_fails_clearly_and_writes_nothing()
    {
        await PostMonthAsync();
        var file = Path.Combine(_folder, "no-key.json");

        var (rc, _, error) = await RunAsync(["ddas", "export", "--gemeente", "0363", .. Period(), "--out", file, "--client", "include",
            .. Keys("Keys:Hmac:"),
            "--set", "Keys:Encryption:ActiveKeyId=other", "--set", "Keys:Encryption:Keys:other=" + Convert.ToBase64String(new byte[32])]);

        Assert.Equal(ExitCodes.Failure, rc);
        Assert.Contains("cannot decrypt the personal data", error, StringComparison.Ordinal);
        Assert.DoesNotContain(Surname, error, StringComparison.Ordinal);
        Assert.False(File.Exists(file));
    }

    [Fact]
    public async Task Client_include_without_any_keys_configured_says_which_settings_are_missing()
    {
        var file = Path.Combine(_folder, "unset.json");

        var (rc, _, error) = await RunAsync(["ddas", "export", "--gemeente", "0363", .. Period(), "--out", file, "--client", "include"]);

        Assert.Equal(ExitCodes.Failure, rc);
        Assert.Contains("needs the app's keys", error, StringComparison.Ordinal);
        Assert.False(File.Exists(file));
    }

    [Theory]
    [InlineData("--gemeente", "363x", "expects a gemeentecode")]
    [InlineData("--from", "2026-13-01", "expects a date")]
    [InlineData("--kvk", "1234", "expects 8 digits")]
    [InlineData("--contact-email", "not-an-address", "expects an e-mail address")]
    [InlineData("--contact-email", "Team <team@example.nl>", "expects an e-mail address")]
    public async Task Bad_options_are_refused_with_exit_code_2(string option, string value, string message)
    {
        var args = new Dictionary<string, string> { ["--gemeente"] = "0363", ["--from"] = "2026-11-01", ["--to"] = "2026-11-30", ["--out"] = Path.Combine(_folder, "bad.json") };
        args[option] = value;

        var (rc, _, error) = await RunAsync(["ddas", "export", .. args.SelectMany(kv => new[] { kv.Key, kv.Value })]);

        Assert.Equal(ExitCodes.Usage, rc);
        Assert.Contains(message, error, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_folder, "bad.json")));
    }

    [Fact]
    public async Task A_period_that_ends_before_it_starts_is_refused()
    {
        var (rc, _, error) = await RunAsync(["ddas", "export", "--gemeente", "0363", "--from", "2026-11-30", "--to", "2026-11-01", "--out", Path.Combine(_folder, "x.json")]);

        Assert.Equal(ExitCodes.Usage, rc);
        Assert.Contains("is after --to", error, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_folder, "x.json")));
    }

    public void Dispose()
    {
        _app.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    // Cases are dated in the Netherlands' calendar (matchingsdatum), so the period ends today there.
    private static string[] Period() =>
    [
        "--from", TestSignals.Today.AddDays(-30).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        "--to", DutchCalendar.Today(TimeProvider.System).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
    ];

    // Stapeling in one household (rent, energy, health insurance) and a single rent signal elsewhere; all in 0363.
    private async Task PostMonthAsync()
    {
        await PostAsync(TestEnvironment.HuurKey, TestSignals.Signal("DDAS-H-1", "Huur", 1200m, huisnummer: 35, achternaam: Surname));
        await PostAsync(TestEnvironment.EnergieKey, TestSignals.Signal("DDAS-E-1", "Energie", 300m, huisnummer: 35, achternaam: Surname));
        await PostAsync(TestEnvironment.ZorgKey, TestSignals.Signal("DDAS-Z-1", "Zorg", 250m, huisnummer: 35, achternaam: Surname));
        await PostAsync(TestEnvironment.HuurKey, TestSignals.Signal("DDAS-H-2", "Huur", 800m, huisnummer: 36, achternaam: Surname));
        await _app.RunPipelineAsync();
    }

    private async Task PostAsync(string key, JsonObject signal)
    {
        using var response = await _app.PostAsync(key, TestSignals.Array(signal));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    // The app's own key settings (HMAC and encryption), as an operator runs `vroeg` with the app's configuration.
    private string[] Keys(string prefix = "Keys:") => _app.Settings.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal))
        .SelectMany(kv => new[] { "--set", $"{kv.Key}={kv.Value}" }).ToArray();

    private Task<(int Rc, string Out, string Error)> RunAsync(string[] args) => _app.RunCliAsync(args);

    private static Task<List<ValidationError>> SchemaErrorsAsync(string json) =>
        SchemaErrors.OfAsync(RepositoryRoot.File("tests", "VroegSignalering.Core.Tests", "Fixtures", "ddas", "json_schema_Uitwisselmodel.json"), json);
}
