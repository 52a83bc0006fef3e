using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using VroegSignalering.Functions.Tests.Pipeline;
using VroegSignalering.Testing;

namespace VroegSignalering.Functions.Tests.Outcomes;

/// <summary>A dispatched task to record outcomes on, and the household partition it lives in, read back whole.</summary>
internal static class OutcomeTestSupport
{
    /// <summary>
    /// Posts one signal (a 0363 address unless told), runs the pipeline, and returns the id of the one task that
    /// carries this signal (a new case's first task, or a case's new revision).
    /// </summary>
    public static async Task<string> DispatchedTaskAsync(PipelineApp app, string reference, string postcode = "1011AB", int huisnummer = 7, string apiKey = TestEnvironment.HuurKey, string partnerType = "Huur")
    {
        using (var posted = await app.PostAsync(apiKey, TestSignals.Array(TestSignals.Signal(reference, partnerType: partnerType, postcode: postcode, huisnummer: huisnummer))))
        {
            Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);
        }

        await app.RunPipelineAsync();
        var all = await app.HouseholdEntitiesAsync();
        var signal = Assert.Single(all, e => e.RowKey.StartsWith("s|", StringComparison.Ordinal) && e.GetString("Referentie") == reference);
        var signalId = signal.RowKey[2..];
        var task = Assert.Single(all, e => e.PartitionKey == signal.PartitionKey && e.RowKey.StartsWith("t|", StringComparison.Ordinal)
            && e.GetString("SignalIds").Split(',').Contains(signalId) && !all.Any(o => o.PartitionKey == e.PartitionKey && o.RowKey.StartsWith("t|", StringComparison.Ordinal)
                && o.GetString("CaseId") == e.GetString("CaseId") && o.GetInt32("Revision") > e.GetInt32("Revision")));
        return task.RowKey[2..];
    }

    public static async Task<HttpResponseMessage> SendAsync(PipelineApp app, string method, string path, string? apiKey = null, string? token = null, string? json = null, string contentType = "application/json")
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8);
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }

        if (apiKey is not null)
        {
            request.Headers.Add("X-Api-Key", apiKey);
        }

        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return await app.Http.SendAsync(request);
    }

    /// <summary>Every row of the task's household partition: row key → ETag, so any write, even of the same values, shows.</summary>
    public static async Task<SortedDictionary<string, string>> PartitionAsync(PipelineApp app, string taskId)
    {
        var all = await app.HouseholdEntitiesAsync();
        var household = Assert.Single(all, e => e.RowKey == "t|" + taskId).PartitionKey;
        return new SortedDictionary<string, string>(
            all.Where(e => e.PartitionKey == household).ToDictionary(e => e.RowKey, e => e.ETag.ToString()), StringComparer.Ordinal);
    }

    /// <summary>One row of the task's household, which must exist.</summary>
    public static async Task<TableEntity> RowAsync(PipelineApp app, string taskId, string rowKey)
    {
        var all = await app.HouseholdEntitiesAsync();
        var household = Assert.Single(all, e => e.RowKey == "t|" + taskId).PartitionKey;
        return Assert.Single(all, e => e.PartitionKey == household && e.RowKey == rowKey);
    }

    public static string CaseIdOf(string taskId) => "c-" + taskId[2..taskId.LastIndexOf("-r", StringComparison.Ordinal)];

    public static string Attempt(string id, string soort = "Telefoon", bool bereikt = false, string? datum = null, string dagdeel = "Ochtend") =>
        new JsonObject { ["id"] = id, ["soort"] = soort, ["bereikt"] = bereikt, ["datum"] = datum ?? Today, ["dagdeel"] = dagdeel }.ToJsonString();

    public static string Today => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, TimeZoneInfo.FindSystemTimeZoneById("Europe/Amsterdam")).DateTime).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    public static async Task<JsonNode> JsonAsync(HttpResponseMessage response) => JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

    /// <summary>The (field, code) pairs of a problem's errors.</summary>
    public static async Task<List<(string Field, string Code)>> ErrorsAsync(HttpResponseMessage response) =>
        (await JsonAsync(response))["errors"]!.AsArray().Select(e => ((string)e!["field"]!, (string)e["code"]!)).ToList();
}
