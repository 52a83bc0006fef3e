using Microsoft.Extensions.DependencyInjection;
using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using VroegSignalering.Cli.Cli;
using VroegSignalering.Core.Common;
using VroegSignalering.Functions.Tests.Operations;
using VroegSignalering.Functions.Tests.Outreach;
using VroegSignalering.Functions.Tests.Pipeline;
using VroegSignalering.Testing;

namespace VroegSignalering.Functions.Tests.Cli;

/// <summary>
/// `vroeg outbox retry` and `vroeg ddas export --client include` with --api: the app does the work under its
/// keys, the CLI only carries an operator's credential (a local key, or an Entra ID token from
/// DefaultAzureCredential). Without --api they refuse a real Azure storage account (exit 2).
/// </summary>
public sealed class OperatorApiCommandsTests : IDisposable
{
    private const string Surname = "Cliproef-Dąbrowska";
    private const string Api = "http://localhost";
    private const string RealAccount = "DefaultEndpointsProtocol=https;AccountName=stvroegprod;AccountKey=a2V5LW5vdC11c2VkLWZvci1hbnl0aGluZy1hdC1hbGwtMDAwMDAwMDA=;EndpointSuffix=core.windows.net";
    private readonly SwitchableTransport _transport = new();
    private readonly PipelineApp _app;
    private readonly string _folder = Directory.CreateTempSubdirectory("vroeg-ops-cli-").FullName;

    public OperatorApiCommandsTests() => _app = new PipelineApp(new Dictionary<string, string?> { ["Dispatch:SweepAfter"] = "00:00:00" }, services: s =>
    {
        _transport.Install(s);
        TestTokens.TrustTestTokens(s);
    });

    [Fact]
    public async Task Outbox_retry_with_api_and_an_operator_key_re_drives_the_failed_row_through_the_app()
    {
        await FailOneTaskAsync();
        _transport.Refuse = null;

        var (dryRc, dryOut, _) = await _app.RunCliAsync("outbox", "retry", "--api", Api, "--operator-key", TestEnvironment.OperatorKey, "--dry-run");
        var (rc, output, error) = await _app.RunCliAsync("outbox", "retry", "--api", Api, "--operator-key", TestEnvironment.OperatorKey, "--gemeente", "GM0363");

        Assert.Equal(0, dryRc);
        Assert.Contains("dry run: 1 failed row(s) would be re-driven", dryOut, StringComparison.Ordinal);
        Assert.True(rc == 0, error);
        Assert.Contains("re-driven: 1 sent", output, StringComparison.Ordinal);
        Assert.Equal("Dispatched", Assert.Single(await _app.RowsAsync("o|")).GetString("Status"));
        Assert.Equal(1, await _app.Services.GetRequiredService<VroegSignalering.Azure.Transport.LocalTopic>().CountAsync("0363", CancellationToken.None));
    }

    [Fact]
    public async Task Outbox_retry_with_api_gets_an_entra_token_for_the_audience_from_the_environment_variable()
    {
        await FailOneTaskAsync();
        _transport.Refuse = null;
        var credential = new RecordingCredential(TestTokens.Create("33333333-3333-3333-3333-333333333333", "Operations.Run"));

        var (rc, output, error) = await _app.RunCliAsync(credential, new Dictionary<string, string> { ["VROEG_API_AUDIENCE"] = TestTokens.Audience }, "outbox", "retry", "--api", Api);

        Assert.True(rc == 0, error);
        Assert.Equal([TestTokens.Audience + "/.default"], credential.Scopes);
        Assert.Contains("re-driven: 1 sent", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_creditors_token_is_refused_by_the_app_and_the_cli_says_so()
    {
        var credential = new RecordingCredential(TestTokens.Create(TestEnvironment.HuurEntraAppId, "Signals.Submit"));

        var (rc, _, error) = await _app.RunCliAsync(credential, null, "outbox", "retry", "--api", Api, "--audience", TestTokens.Audience);

        Assert.Equal(ExitCodes.Failure, rc);
        Assert.Contains("the app answered 403", error, StringComparison.Ordinal);
        Assert.Contains("Operations.Run", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Api_mode_without_an_audience_or_operator_key_is_a_usage_error()
    {
        var (rc, _, error) = await _app.RunCliAsync("outbox", "retry", "--api", Api);

        Assert.Equal(ExitCodes.Usage, rc);
        Assert.Contains("--audience", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Api_mode_refuses_plain_http_to_a_remote_address()
    {
        var (rc, _, error) = await _app.RunCliAsync("outbox", "retry", "--api", "http://func-vroeg.azurewebsites.net", "--operator-key", "x");

        Assert.Equal(ExitCodes.Usage, rc);
        Assert.Contains("needs https", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ddas_export_with_client_include_through_the_api_writes_the_same_owner_only_file_as_the_direct_export()
    {
        using (var response = await _app.PostAsync(TestEnvironment.HuurKey, TestSignals.Array(TestSignals.Signal("CLI-H-1", huisnummer: 38, achternaam: Surname))))
        {
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }

        await _app.RunPipelineAsync();
        string[] common = ["ddas", "export", "--gemeente", "0363", "--from", TestSignals.Today.AddDays(-30).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            "--to", DutchCalendar.Today(TimeProvider.System).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), "--client", "include", "--kvk", "12345678"];
        var direct = Path.Combine(_folder, "direct.json");
        var viaApi = Path.Combine(_folder, "api.json");

        var (directRc, _, directError) = await _app.RunCliAsync([.. common, "--out", direct, .. Keys()]);
        var (rc, output, error) = await _app.RunCliAsync([.. common, "--out", viaApi, "--api", Api, "--operator-key", TestEnvironment.OperatorKey]);

        Assert.True(directRc == 0, directError);
        Assert.True(rc == 0, error);
        Assert.Equal(WithoutDeliveryTime(await File.ReadAllTextAsync(direct)), WithoutDeliveryTime(await File.ReadAllTextAsync(viaApi)));
        Assert.Contains(Surname, await File.ReadAllTextAsync(viaApi), StringComparison.Ordinal);
        Assert.Equal("Gemeente Amsterdam", (string?)JsonNode.Parse(await File.ReadAllTextAsync(viaApi))!["leveringen"]![0]!["aanleverende_organisatie"]!["naam"]);
        Assert.Contains("holds personal data", output, StringComparison.Ordinal);
        Assert.DoesNotContain(Surname, output + error, StringComparison.Ordinal);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(viaApi));
        }
    }

    [Theory]
    [InlineData("outbox retry")]
    [InlineData("ddas export --gemeente 0363 --from 2026-11-01 --to 2026-11-30 --client include --out {file}")]
    [InlineData("keys usage")]
    [InlineData("keys retire --kind encryption --key k1")]
    [InlineData("keys rewrap --kind encryption --from k1")]
    public async Task Without_api_a_command_that_needs_the_key_refuses_a_real_storage_account_with_exit_code_2(string commandLine)
    {
        var file = Path.Combine(_folder, "refused.json");
        var command = commandLine.Replace("{file}", file, StringComparison.Ordinal).Split(' ');

        var (byConnection, _, error) = await RunDirectAsync(command, "--connection", RealAccount);
        var (byAccount, _, accountError) = await RunDirectAsync(command, "--account", "stvroegprod");

        Assert.Equal(ExitCodes.Usage, byConnection);
        Assert.Equal(ExitCodes.Usage, byAccount);
        Assert.Contains("not local development storage", error, StringComparison.Ordinal);
        Assert.Contains("--api", accountError, StringComparison.Ordinal);
        Assert.False(File.Exists(file));
    }

    [Fact]
    public async Task Without_api_and_without_client_data_the_ddas_export_still_reads_any_storage_account_it_is_pointed_at()
    {
        // No key is needed, so no refusal: the command goes on to storage (here an unreachable name) and fails there.
        var (rc, _, error) = await RunDirectAsync(["ddas", "export", "--gemeente", "0363", "--from", "2026-11-01", "--to", "2026-11-30", "--out", Path.Combine(_folder, "x.json")],
            "--connection", "DefaultEndpointsProtocol=http;AccountName=stvroegprod;AccountKey=a2V5;TableEndpoint=http://127.0.0.1:1/stvroegprod;QueueEndpoint=http://127.0.0.1:1/stvroegprod");

        Assert.NotEqual(ExitCodes.Usage, rc);
        Assert.DoesNotContain("not local development storage", error, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        _app.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    // The CLI without the test app's storage settings: the command is pointed at another account.
    private static async Task<(int Rc, string Out, string Error)> RunDirectAsync(string[] command, params string[] storage)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var env = new CliEnvironment { Out = output, Error = error, BaseDirectory = RepositoryRoot.Find(), Variable = _ => null };
        var rc = await VroegSignalering.Cli.Program.RunAsync([.. command, .. storage, "--set", "Keys:Encryption:ActiveKeyId=k", "--set", "Keys:Encryption:Keys:k=" + Convert.ToBase64String(new byte[32])], env);
        return (rc, output.ToString(), error.ToString());
    }

    private async Task FailOneTaskAsync()
    {
        _transport.Refuse = "403 Forbidden (no Send claim)";
        using (var response = await _app.PostAsync(TestEnvironment.HuurKey, TestSignals.Array(TestSignals.Signal("CLI-RETRY-1", huisnummer: 25))))
        {
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }

        await _app.RunPipelineAsync();
        Assert.Equal("Failed", Assert.Single(await _app.RowsAsync("o|")).GetString("Status"));
    }

    private static string WithoutDeliveryTime(string json)
    {
        var node = JsonNode.Parse(json)!.AsObject();
        node.Remove("aanleverdatumEnTijd");
        return node.ToJsonString();
    }

    private string[] Keys() => _app.Settings.Where(kv => kv.Key.StartsWith("Keys:", StringComparison.Ordinal))
        .SelectMany(kv => new[] { "--set", $"{kv.Key}={kv.Value}" }).ToArray();
}
