using Microsoft.Extensions.DependencyInjection;
using System.Net;
using System.Text.Json.Nodes;
using NJsonSchema;
using NJsonSchema.Validation;
using VroegSignalering.Azure.Messaging;
using VroegSignalering.Core.Outreach;
using VroegSignalering.Functions.Tests.Pipeline;
using VroegSignalering.Testing;

namespace VroegSignalering.Functions.Tests.Outreach;

/// <summary>
/// The published contract docs/contracts/outreach-task.v1.schema.json against what the real pipeline sends:
/// signals posted over HTTP, processed, triaged and dispatched on Azurite, every message body validated.
/// </summary>
public sealed class OutreachContractTests
{
    private static readonly string[] Gemeenten = ["0363", "0599", "0344"];

    [Fact]
    public async Task Every_message_the_pipeline_sends_validates_against_the_published_schema()
    {
        var schema = await LoadSchemaAsync();
        using var app = new PipelineApp();
        await PostVariedHouseholdsAsync(app);

        var messages = await TaskMessagesAsync(app);

        Assert.Equal(6, messages.Count);
        foreach (var message in messages)
        {
            var errors = SchemaErrors.Of(schema, message.Body);
            Assert.True(errors.Count == 0, $"task {message.MessageId} does not match outreach-task.v1:\n{string.Join('\n', errors)}");
        }

        // The households were chosen so the schema sees nulls and values, every kind of optional field, and a revision 2.
        var bodies = messages.Select(m => JsonNode.Parse(m.Body)!).ToList();
        var signals = bodies.SelectMany(b => b["signals"]!.AsArray()).ToList();
        var persons = bodies.SelectMany(b => b["household"]!["persons"]!.AsArray()).ToList();
        Assert.Contains(bodies, b => (int)b["revision"]! == 2);
        Assert.Contains(bodies, b => (string?)b["priority"] == "Spoed");
        Assert.Contains(bodies, b => b["household"]!["persons"]!.AsArray().Count == 2);
        Assert.Contains(bodies, b => (string?)b["household"]!["address"]!["huisnummertoevoeging"] == "B");
        Assert.Contains(signals, s => s!["eindeleveringsdatum"] is null);
        Assert.Contains(signals, s => s!["eindeleveringsdatum"] is not null);
        Assert.Contains(persons, p => p!["telefoonnummer"] is null && p["email"] is null && p["voorvoegsel"] is null);
        Assert.DoesNotContain(messages, m => m.Body.Contains("999999990", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_broker_properties_of_every_message_match_its_body_as_the_contract_documents()
    {
        using var app = new PipelineApp();
        await PostVariedHouseholdsAsync(app);

        var messages = await TaskMessagesAsync(app);

        Assert.NotEmpty(messages);
        foreach (var message in messages)
        {
            var body = JsonNode.Parse(message.Body)!;
            Assert.Equal((string?)body["taskId"], message.MessageId);
            Assert.Equal(OutreachTaskMessage.SchemaVersionV1, message.Subject);
            Assert.Equal((string?)body["schemaVersion"], message.Subject);
            Assert.Equal((string?)body["caseId"], message.CorrelationId);
            Assert.Equal((string?)body["caseId"], message.SessionId);
            Assert.Equal("application/json", message.ContentType);
            Assert.Equal(new VroegSignalering.Core.Outreach.OutreachOptions().TimeToLive, message.TimeToLive);
            Assert.Equal((string?)body["gemeentecode"], message.ApplicationProperties["gemeentecode"]);
            Assert.Equal((string?)body["wijkcode"], message.ApplicationProperties["wijk"]);
            Assert.Equal((string?)body["team"], message.ApplicationProperties["team"]);
            Assert.Equal((string?)body["priority"], message.ApplicationProperties["priority"]);
            Assert.Empty(message.ApplicationProperties.Keys.Except(["gemeentecode", "wijk", "team", "priority", "traceparent"]));
        }
    }

    [Fact]
    public async Task The_published_example_validates_against_the_schema()
    {
        var schema = await LoadSchemaAsync();

        var errors = SchemaErrors.Of(schema, await File.ReadAllTextAsync(ContractFile("outreach-task.v1.example.json")));

        Assert.True(errors.Count == 0, string.Join('\n', errors));
    }

    [Theory]
    [InlineData("")]
    [InlineData("household")]
    [InlineData("household.address")]
    [InlineData("household.persons.0")]
    [InlineData("signals.0")]
    public async Task A_body_with_an_added_burgerservicenummer_fails_validation(string objectPath)
    {
        var schema = await LoadSchemaAsync();
        var body = JsonNode.Parse(await File.ReadAllTextAsync(ContractFile("outreach-task.v1.example.json")))!;
        var target = objectPath.Split('.', StringSplitOptions.RemoveEmptyEntries)
            .Aggregate(body, (node, part) => int.TryParse(part, out var i) ? node[i]! : node[part]!);
        target.AsObject()["burgerservicenummer"] = "999999990";

        var errors = SchemaErrors.Of(schema, body.ToJsonString());

        var error = Assert.Single(errors);
        Assert.Equal(ValidationErrorKind.NoAdditionalPropertiesAllowed, error.Kind);
        Assert.Equal("burgerservicenummer", error.Property);
    }

    [Theory]
    [InlineData("priority", "Urgent")]
    [InlineData("recommendedChannel", "Overige")]
    [InlineData("dueDate", "20-11-2026")]
    [InlineData("gemeentecode", "GM0599")]
    public async Task A_body_with_a_value_outside_the_contract_fails_validation(string property, string value)
    {
        var schema = await LoadSchemaAsync();
        var body = JsonNode.Parse(await File.ReadAllTextAsync(ContractFile("outreach-task.v1.example.json")))!;
        body[property] = value;

        var errors = SchemaErrors.Of(schema, body.ToJsonString());

        Assert.Equal(property, Assert.Single(errors).Property);
    }

    private static string ContractFile(string name) => RepositoryRoot.File("docs", "contracts", name);

    private static Task<JsonSchema> LoadSchemaAsync() => JsonSchema.FromFileAsync(ContractFile("outreach-task.v1.schema.json"));

    /// <summary>
    /// Six tasks across three gemeenten: stapeling with a planned end of supply, a crisis with a house-number
    /// addition and no contact details (BSN given), an imminent cut-off, a repeat that grew (revision 2), and two
    /// persons at one address.
    /// </summary>
    private static async Task PostVariedHouseholdsAsync(PipelineApp app)
    {
        var today = TestSignals.Today;
        await PostAsync(app, TestEnvironment.HuurKey, TestSignals.Signal("CON-A-H", "Huur", 900m, postcode: "1011AB", huisnummer: 11));
        await PostAsync(app, TestEnvironment.EnergieKey, TestSignals.Signal("CON-A-E", "Energie", 312.45m, postcode: "1011AB", huisnummer: 11, eindelevering: today.AddDays(60)));
        await PostAsync(app, TestEnvironment.ZorgKey, TestSignals.Signal("CON-A-Z", "Zorg", 250.10m, postcode: "1011AB", huisnummer: 11));

        await PostAsync(app, TestEnvironment.HuurKey, TestSignals.Signal(
            "CON-B-H", "Huur", 2500m, postcode: "3011AA", huisnummer: 12, toevoeging: "b", crisis: true,
            voorvoegsel: null, telefoon: null, email: null, bsn: "999999990"));

        await PostAsync(app, TestEnvironment.WaterKey, TestSignals.Signal("CON-C-W", "Water", 180m, postcode: "3511XA", huisnummer: 13, eindelevering: today.AddDays(5)));

        await PostAsync(app, TestEnvironment.HuurKey, TestSignals.Signal("CON-E-H", "Huur", 640m, postcode: "3011AB", huisnummer: 15));
        await PostAsync(app, TestEnvironment.ZorgKey, TestSignals.Signal(
            "CON-E-Z", "Zorg", 95.5m, postcode: "3011AB", huisnummer: 15, achternaam: "Oosterwijk-Testdata", voorletters: "B.",
            voorvoegsel: null, geboortedatum: today.AddYears(-23).AddDays(-40)));

        await PostAsync(app, TestEnvironment.HuurKey, TestSignals.Signal("CON-D-1", "Huur", 1000m, postcode: "1011AC", huisnummer: 14, signaalDaysAgo: 10));
        await app.RunPipelineAsync();
        await PostAsync(app, TestEnvironment.HuurKey, TestSignals.Signal("CON-D-2", "Huur", 1500m, postcode: "1011AC", huisnummer: 14, signaalDaysAgo: 1));
        await app.RunPipelineAsync();
    }

    private static async Task PostAsync(PipelineApp app, string key, JsonObject signal)
    {
        using var response = await app.PostAsync(key, TestSignals.Array(signal));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    /// <summary>The task messages of the gemeenten on the local topic; a topic never written to is an error (404), not "no tasks".</summary>
    private static async Task<List<LocalServiceBusMessage>> TaskMessagesAsync(PipelineApp app)
    {
        var all = new List<LocalServiceBusMessage>();
        var topic = app.Services.GetRequiredService<VroegSignalering.Azure.Transport.LocalTopic>();
        foreach (var gemeente in Gemeenten)
        {
            all.AddRange(await topic.PeekAsync(gemeente, int.MaxValue, CancellationToken.None));
        }

        return all;
    }
}
