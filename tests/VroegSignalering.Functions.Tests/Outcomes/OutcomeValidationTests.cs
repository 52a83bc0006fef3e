using System.Net;
using VroegSignalering.Functions.Tests.Pipeline;
using VroegSignalering.Testing;
using static VroegSignalering.Functions.Tests.Outcomes.OutcomeTestSupport;

namespace VroegSignalering.Functions.Tests.Outcomes;

/// <summary>
/// Bad outcome requests, against a real dispatched task: each gets 400 problem details naming exactly the fields
/// and codes expected, and the household's partition is row for row, ETag for ETag, what it was before.
/// </summary>
public sealed class OutcomeValidationTests(OutcomeValidationTests.DispatchedTask task) : IClassFixture<OutcomeValidationTests.DispatchedTask>
{
    private static readonly string Tomorrow = Shift(1);
    private static readonly string Yesterday = Shift(-1);

    public static TheoryData<string, string, string, string> BadInputs => new()
    {
        // contactpogingen
        { "a01 body is not JSON", "contactpogingen", "{ soort: Telefoon", ":request.malformed" },
        { "a02 body is an array", "contactpogingen", "[]", ":request.not_object" },
        { "a03 body is a string", "contactpogingen", "\"Telefoon\"", ":request.not_object" },
        { "a04 empty object", "contactpogingen", "{}", "id:field.required,soort:field.required,bereikt:field.required,datum:field.required,dagdeel:field.required" },
        { "a05 id missing", "contactpogingen", Without("id"), "id:field.required" },
        { "a06 id empty", "contactpogingen", With("id", "\"\""), "id:field.required" },
        { "a07 id a number", "contactpogingen", With("id", "123"), "id:field.type" },
        { "a08 id too long", "contactpogingen", With("id", "\"" + new string('a', 65) + "\""), "id:field.too_long" },
        { "a09 id with a space", "contactpogingen", With("id", "\"poging 1\""), "id:id.invalid" },
        { "a10 id with a slash", "contactpogingen", With("id", "\"poging/1\""), "id:id.invalid" },
        { "a11 soort missing", "contactpogingen", Without("soort"), "soort:field.required" },
        { "a12 soort in lower case", "contactpogingen", With("soort", "\"telefoon\""), "soort:soort.unknown" },
        { "a13 soort not in DDAS", "contactpogingen", With("soort", "\"Email\""), "soort:soort.unknown" },
        { "a14 soort a number", "contactpogingen", With("soort", "4"), "soort:field.type" },
        { "a15 bereikt a string", "contactpogingen", With("bereikt", "\"true\""), "bereikt:field.type" },
        { "a16 bereikt null", "contactpogingen", With("bereikt", "null"), "bereikt:field.required" },
        { "a17 bereikt a number", "contactpogingen", With("bereikt", "1"), "bereikt:field.type" },
        { "a18 datum in Dutch notation", "contactpogingen", With("datum", "\"30-11-2026\""), "datum:datum.invalid" },
        { "a19 datum that does not exist", "contactpogingen", With("datum", "\"2026-02-30\""), "datum:datum.invalid" },
        { "a20 datum tomorrow", "contactpogingen", With("datum", "\"" + Tomorrow + "\""), "datum:datum.in_future" },
        { "a21 datum before the task was made", "contactpogingen", With("datum", "\"" + Yesterday + "\""), "datum:datum.before_task" },
        { "a22 datum a number", "contactpogingen", With("datum", "20261130"), "datum:field.type" },
        { "a23 dagdeel not in DDAS", "contactpogingen", With("dagdeel", "\"Nacht\""), "dagdeel:dagdeel.unknown" },
        { "a24 dagdeel in lower case", "contactpogingen", With("dagdeel", "\"ochtend\""), "dagdeel:dagdeel.unknown" },
        { "a25 a field the contract does not have", "contactpogingen", With("naam", "\"Q. Zandbergen\""), "naam:field.unknown" },
        { "a26 a field twice", "contactpogingen", Attempt("p-dup").TrimEnd('}') + ",\"soort\":\"Brief\"}", "soort:field.duplicate" },
        { "a27 two bad fields at once", "contactpogingen", With("soort", "\"Fax\"").Replace("\"Ochtend\"", "\"Nacht\"", StringComparison.Ordinal), "soort:soort.unknown,dagdeel:dagdeel.unknown" },

        // hulpaanbod
        { "h01 empty object", "hulpaanbod", "{}", "aanvaard:field.required,datum:field.required" },
        { "h02 aanvaard as text", "hulpaanbod", "{\"aanvaard\":\"ja\",\"datum\":\"" + Today + "\"}", "aanvaard:field.type" },
        { "h03 datum tomorrow", "hulpaanbod", "{\"aanvaard\":true,\"datum\":\"" + Tomorrow + "\"}", "datum:datum.in_future" },
        { "h04 a reason is no field", "hulpaanbod", "{\"aanvaard\":false,\"datum\":\"" + Today + "\",\"reden\":\"geen tijd\"}", "reden:field.unknown" },
        { "h05 body is not JSON", "hulpaanbod", "aanvaard=true", ":request.malformed" },

        // afsluiting
        { "c01 empty object", "afsluiting", "{}", "resultaat:field.required" },
        { "c02 resultaat not in DDAS", "afsluiting", "{\"resultaat\":\"Hulp aanvaard\"}", "resultaat:resultaat.unknown" },
        { "c03 resultaat in other case", "afsluiting", "{\"resultaat\":\"definitief geen contact kunnen krijgen\"}", "resultaat:resultaat.unknown" },
        { "c04 resultaat a number", "afsluiting", "{\"resultaat\":7}", "resultaat:field.type" },
        { "c05 a remark is no field", "afsluiting", "{\"resultaat\":\"Verwijzing zonder contact\",\"toelichting\":\"x\"}", "toelichting:field.unknown" },
        { "c06 body is null", "afsluiting", "null", ":request.not_object" },
    };

    [Theory]
    [MemberData(nameof(BadInputs))]
    public async Task A_bad_outcome_is_400_naming_each_field_and_code_and_stores_nothing(string name, string endpoint, string body, string expected)
    {
        var before = await PartitionAsync(task.App, task.TaskId);

        using var response = await SendAsync(task.App, "POST", $"/api/v1/tasks/{task.TaskId}/{endpoint}", TestEnvironment.TeamAmsterdamKey, json: body);

        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{name}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var want = expected.Split(',').Select(e => (e[..e.IndexOf(':', StringComparison.Ordinal)], e[(e.IndexOf(':', StringComparison.Ordinal) + 1)..])).ToList();
        Assert.Equal(want, await ErrorsAsync(response));
        Assert.Equal(before, await PartitionAsync(task.App, task.TaskId));
    }

    [Fact]
    public void There_are_at_least_thirty_distinct_bad_inputs()
    {
        var rows = BadInputs.Select(r => ((string)r[1], (string)r[2])).ToList();

        Assert.True(rows.Distinct().Count() >= 30, $"{rows.Distinct().Count()} distinct bad inputs");
    }

    [Fact]
    public async Task A_body_that_is_not_json_by_media_type_is_415_and_stores_nothing()
    {
        var before = await PartitionAsync(task.App, task.TaskId);

        using var response = await SendAsync(task.App, "POST", $"/api/v1/tasks/{task.TaskId}/contactpogingen", TestEnvironment.TeamAmsterdamKey, json: Attempt("p-415"), contentType: "text/plain");

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal(before, await PartitionAsync(task.App, task.TaskId));
    }

    [Fact]
    public async Task A_body_over_sixteen_kilobytes_is_413_and_stores_nothing()
    {
        var before = await PartitionAsync(task.App, task.TaskId);

        using var response = await SendAsync(task.App, "POST", $"/api/v1/tasks/{task.TaskId}/contactpogingen", TestEnvironment.TeamAmsterdamKey, json: With("pad", "\"" + new string('x', 17 * 1024) + "\""));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal(before, await PartitionAsync(task.App, task.TaskId));
    }

    private static string Shift(int days) =>
        DateOnly.ParseExact(Today, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture).AddDays(days).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    // A valid attempt with one field replaced (or added).
    private static string With(string field, string json)
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(Attempt("p-1"))!.AsObject();
        node[field] = System.Text.Json.Nodes.JsonNode.Parse(json);
        return node.ToJsonString();
    }

    private static string Without(string field)
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(Attempt("p-1"))!.AsObject();
        node.Remove(field);
        return node.ToJsonString();
    }

    /// <summary>One app and one dispatched task in gemeente 0363 for every bad input.</summary>
    public sealed class DispatchedTask : IAsyncLifetime
    {
        public PipelineApp App { get; } = new();

        public string TaskId { get; private set; } = string.Empty;

        public async Task InitializeAsync() => TaskId = await DispatchedTaskAsync(App, "OUT-VAL-1");

        public Task DisposeAsync()
        {
            App.Dispose();
            return Task.CompletedTask;
        }
    }
}
