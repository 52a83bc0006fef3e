using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using VroegSignalering.Core.Common;
using VroegSignalering.Functions.Tests.Pipeline;
using VroegSignalering.Testing;

namespace VroegSignalering.Functions.Tests.Operations;

/// <summary>
/// GET /api/v1/operations/ddas/{gemeentecode}/{period}: the same file `vroeg ddas export` writes from the
/// same storage, personal data only with client=include, each call audited in the logs without personal data.
/// </summary>
public sealed class ExportDdasEndpointTests : IDisposable
{
    private const string Surname = "Operatorproef-Çelik";
    private const string Birth = "1984-03-17";
    private readonly CapturedLogs _logs = new();
    private readonly PipelineApp _app;
    private readonly string _folder = Directory.CreateTempSubdirectory("vroeg-ddas-api-").FullName;

    public ExportDdasEndpointTests() => _app = new PipelineApp(services: s => s.AddSingleton<Microsoft.Extensions.Logging.ILoggerProvider>(_logs));

    [Fact]
    public async Task With_client_include_the_endpoint_gives_the_clis_export_of_the_same_data_and_audits_the_call_without_personal_data()
    {
        await PostMonthAsync();
        var file = Path.Combine(_folder, "cli.json");
        var (rc, _, error) = await _app.RunCliAsync(["ddas", "export", "--gemeente", "0363", "--from", From, "--to", To, "--out", file, "--client", "include",
            "--organisatie", "Gemeente Amsterdam", "--contact-naam", "Team Vroeg", "--contact-email", "vroeg@example.nl", .. Keys()]);
        Assert.True(rc == 0, error);

        using var response = await GetAsync($"/api/v1/operations/ddas/GM0363/{From}..{To}?client=include&organisatie=Gemeente%20Amsterdam&contactNaam=Team%20Vroeg&contactEmail=vroeg%40example.nl");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        var fromApi = await response.Content.ReadAsStringAsync();
        Assert.Contains(Surname, fromApi, StringComparison.Ordinal);
        Assert.Equal(WithoutDeliveryTime(await File.ReadAllTextAsync(file)), WithoutDeliveryTime(fromApi));
        var audit = Assert.Single(_logs.Lines, l => l.Text.Contains("exported the DDAS delivery", StringComparison.Ordinal));
        Assert.Contains($"Operator {TestEnvironment.OperatorId} exported the DDAS delivery of gemeente 0363", audit.Text, StringComparison.Ordinal);
        Assert.Contains("client data included: True", audit.Text, StringComparison.Ordinal);
        foreach (var personal in new[] { Surname, "1011AB", Birth })
        {
            Assert.DoesNotContain(personal, _logs.All, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task By_default_and_with_client_exclude_the_export_holds_no_personal_data()
    {
        await PostMonthAsync();

        foreach (var query in new[] { "", "?client=exclude" })
        {
            using var response = await GetAsync($"/api/v1/operations/ddas/0363/{From}..{To}{query}");

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var json = await response.Content.ReadAsStringAsync();
            var signalen = JsonNode.Parse(json)!["leveringen"]![0]!["vroegsignalen"]!.AsArray();
            Assert.Equal(2, signalen.Count);
            Assert.All(signalen, s => Assert.Empty(s!["client"]!.AsObject()));
            Assert.DoesNotContain(Surname, json, StringComparison.Ordinal);
            Assert.DoesNotContain("1011AB", json, StringComparison.Ordinal);
            Assert.DoesNotContain(Birth, json, StringComparison.Ordinal);
        }

        Assert.Equal(2, _logs.Lines.Count(l => l.Text.Contains("client data included: False", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_month_period_covers_its_first_to_its_last_day()
    {
        using var response = await GetAsync("/api/v1/operations/ddas/0363/2024-02");

        var model = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("2024-02-01", (string?)model["startdatumLevering"]);
        Assert.Equal("2024-02-29", (string?)model["einddatumLevering"]);
    }

    [Theory]
    [InlineData("/api/v1/operations/ddas/363x/2026-11", "gemeentecode")]
    [InlineData("/api/v1/operations/ddas/0363/2026-13", "period")]
    [InlineData("/api/v1/operations/ddas/0363/2026-11-30..2026-11-01", "period")]
    [InlineData("/api/v1/operations/ddas/0363/2026-11?client=all", "client")]
    [InlineData("/api/v1/operations/ddas/0363/2026-11?kvk=1234", "kvk")]
    [InlineData("/api/v1/operations/ddas/0363/2026-11?contactEmail=Team%20%3Cteam%40example.nl%3E", "contactEmail")]
    public async Task Bad_input_is_400_problem_details_naming_the_field(string path, string field)
    {
        using var response = await GetAsync(path);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(field, (string?)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["errors"]![0]!["field"]);
        Assert.DoesNotContain(_logs.Lines, l => l.Text.Contains("exported the DDAS delivery", StringComparison.Ordinal));
    }

    public void Dispose()
    {
        _app.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    // Cases are dated in the Netherlands' calendar (matchingsdatum), so the period ends today there.
    private static string From => TestSignals.Today.AddDays(-30).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string To => DutchCalendar.Today(TimeProvider.System).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    // The moment of delivery is the one field two exports of the same data differ in.
    private static string WithoutDeliveryTime(string json)
    {
        var node = JsonNode.Parse(json)!.AsObject();
        Assert.NotNull(node["aanleverdatumEnTijd"]);
        node.Remove("aanleverdatumEnTijd");
        return node.ToJsonString();
    }

    private async Task PostMonthAsync()
    {
        foreach (var (key, signal) in new[]
                 {
                     (TestEnvironment.HuurKey, TestSignals.Signal("OPS-H-1", "Huur", 1200m, huisnummer: 37, achternaam: Surname)),
                     (TestEnvironment.EnergieKey, TestSignals.Signal("OPS-E-1", "Energie", 300m, huisnummer: 37, achternaam: Surname)),
                 })
        {
            signal["client"]!["geboortedatum"] = Birth;
            using var response = await _app.PostAsync(key, TestSignals.Array(signal));
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }

        await _app.RunPipelineAsync();
    }

    private async Task<HttpResponseMessage> GetAsync(string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("X-Api-Key", TestEnvironment.OperatorKey);
        return await _app.Http.SendAsync(request);
    }

    // The app's own key settings, as an operator runs `vroeg` against local development storage.
    private string[] Keys() => _app.Settings.Where(kv => kv.Key.StartsWith("Keys:", StringComparison.Ordinal))
        .SelectMany(kv => new[] { "--set", $"{kv.Key}={kv.Value}" }).ToArray();
}
