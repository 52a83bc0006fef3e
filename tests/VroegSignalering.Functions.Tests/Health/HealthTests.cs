using System.Net;
using System.Text.Json.Nodes;

namespace VroegSignalering.Functions.Tests.Health;

public class HealthTests
{
    [Fact]
    public async Task Health_reports_tables_and_queues_up_against_azurite()
    {
        // The shared Azurite is busy with every other test: allow it more than production's 3 s.
        using var app = new TestApp(settings: new Dictionary<string, string?> { ["Health:TimeoutSeconds"] = "30" });
        using var client = app.CreateClient();

        using var response = await client.GetAsync("/api/health");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("up", (string?)body["status"]);
        Assert.Equal("up", (string?)body["checks"]!["tables"]!["status"]);
        Assert.Equal("up", (string?)body["checks"]!["queues"]!["status"]);
        Assert.False(string.IsNullOrEmpty((string?)body["version"]));
    }

    [Fact]
    public async Task Health_is_503_when_storage_cannot_be_reached()
    {
        // A closed loopback port: connection refused at once.
        const string unreachable = "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;QueueEndpoint=http://127.0.0.1:9/devstoreaccount1;TableEndpoint=http://127.0.0.1:9/devstoreaccount1;BlobEndpoint=http://127.0.0.1:9/devstoreaccount1;";
        using var app = new TestApp(settings: new Dictionary<string, string?> { ["AzureWebJobsStorage"] = unreachable });
        using var client = app.CreateClient();

        using var response = await client.GetAsync("/api/health");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("down", (string?)body["checks"]!["tables"]!["status"]);
    }
}
