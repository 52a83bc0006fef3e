using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using VroegSignalering.Testing;
using VroegSignalering.Functions.Tests.Pipeline;

namespace VroegSignalering.Functions.Tests.Intake;

/// <summary>HTTP → signals-intake queue → ProcessSignals → household partitions, on real Azurite.</summary>
public sealed class IngestSignalsIntegrationTests : IDisposable
{
    private readonly PipelineApp _app = new();

    [Fact]
    public async Task A_json_array_is_accepted_queued_processed_and_stored_per_household()
    {
        var body = TestSignals.Array(
            TestSignals.Signal("HUUR-J-1", huisnummer: 1),
            TestSignals.Signal("HUUR-J-2", huisnummer: 2),
            TestSignals.Signal("HUUR-J-3", postcode: "3011AA", huisnummer: 3));

        using var response = await _app.PostAsync(TestEnvironment.HuurKey, body);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var receipt = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal(3, (int)receipt["accepted"]!);
        Assert.Equal(0, (int)receipt["rejected"]!);
        Assert.StartsWith("r-", (string?)receipt["receiptId"], StringComparison.Ordinal);
        Assert.Equal($"/api/v1/intake/{receipt["receiptId"]}", response.Headers.Location?.ToString());

        await _app.ProcessAllAsync();

        var signals = await _app.RowsAsync("s|");
        Assert.Equal(3, signals.Count);
        Assert.Equal(3, signals.Select(s => s.PartitionKey).Distinct().Count());
        Assert.Equal(["0363", "0363", "0599"], signals.Select(s => s.GetString("Gemeente")).Order(StringComparer.Ordinal).ToArray());
    }

    [Fact]
    public async Task Ndjson_is_accepted_and_stored()
    {
        var body = TestSignals.NdJson(
            TestSignals.Signal("NDJ-1", huisnummer: 4),
            TestSignals.Signal("NDJ-2", huisnummer: 5));

        using var response = await _app.PostAsync(TestEnvironment.HuurKey, body, "application/x-ndjson");
        await _app.ProcessAllAsync();

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(2, (await _app.RowsAsync("s|")).Count);
    }

    [Fact]
    public async Task Csv_with_semicolons_decimal_commas_dutch_dates_and_a_bom_is_accepted_and_stored_exactly()
    {
        var csv = TestSignals.Csv(
            TestSignals.Signal("CSV-1", bedrag: 1234.56m, huisnummer: 6),
            TestSignals.Signal("CSV-2", bedrag: 78.90m, huisnummer: 7, toevoeging: "B"));

        using var response = await _app.PostAsync(TestEnvironment.HuurKey, csv, "text/csv");
        await _app.ProcessAllAsync();

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var amounts = (await _app.RowsAsync("s|")).Select(e => e.GetString("Bedrag")).Order().ToList();
        Assert.Equal(["1234.56", "78.90"], amounts);
    }

    [Fact]
    public async Task Replaying_the_same_request_three_times_stores_each_signal_once_and_answers_the_same()
    {
        var body = TestSignals.Array(TestSignals.Signal("REPLAY-1", huisnummer: 8), TestSignals.Signal("REPLAY-2", huisnummer: 9));
        var answers = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            using var response = await _app.PostAsync(TestEnvironment.HuurKey, body);
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            answers.Add(await response.Content.ReadAsStringAsync());
            await _app.ProcessAllAsync();
        }

        Assert.Single(answers.Distinct());
        Assert.Equal(2, (await _app.RowsAsync("s|")).Count);
        Assert.Single(await _app.EntitiesAsync(_app.Names.Receipts));
    }

    [Fact]
    public async Task A_known_signal_in_a_new_request_is_a_duplicate_and_is_not_stored_again()
    {
        using (await _app.PostAsync(TestEnvironment.HuurKey, TestSignals.Array(TestSignals.Signal("DUP-1", huisnummer: 10))))
        {
        }

        using var second = await _app.PostAsync(TestEnvironment.HuurKey, TestSignals.Array(TestSignals.Signal("DUP-1", huisnummer: 10), TestSignals.Signal("DUP-2", huisnummer: 11)));
        await _app.ProcessAllAsync();

        var answer = JsonNode.Parse(await second.Content.ReadAsStringAsync())!;
        Assert.Equal(1, (int)answer["accepted"]!);
        Assert.Equal(1, (int)answer["duplicates"]!);
        Assert.Equal(2, (await _app.RowsAsync("s|")).Count);
    }

    [Fact]
    public async Task The_same_reference_with_different_content_is_a_409_conflict_when_it_is_the_only_row()
    {
        using (await _app.PostAsync(TestEnvironment.HuurKey, TestSignals.Array(TestSignals.Signal("CONF-1", bedrag: 100m, huisnummer: 12))))
        {
        }

        using var response = await _app.PostAsync(TestEnvironment.HuurKey, TestSignals.Array(TestSignals.Signal("CONF-1", bedrag: 200m, huisnummer: 12)));

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("signal.conflict", (string?)problem["errors"]![0]!["code"]);
        Assert.Equal("signaalReferentie", (string?)problem["errors"]![0]!["field"]);
    }

    [Fact]
    public async Task Atomic_mode_rejects_the_whole_request_for_one_invalid_row_and_changes_nothing()
    {
        var body = TestSignals.Array(TestSignals.Signal("ATOM-1", huisnummer: 13), TestSignals.Signal("ATOM-2", postcode: "0123AB", huisnummer: 14));

        using var atomic = await _app.PostAsync(TestEnvironment.HuurKey, body, query: "mode=atomic");

        Assert.Equal(HttpStatusCode.BadRequest, atomic.StatusCode);
        var problem = JsonNode.Parse(await atomic.Content.ReadAsStringAsync())!;
        Assert.Equal(0, (int)problem["accepted"]!);
        var error = problem["errors"]![0]!;
        Assert.Equal(2, (int)error["row"]!);
        Assert.Equal("client.postcode", (string?)error["field"]);
        Assert.Equal("postcode.invalid", (string?)error["code"]);
        Assert.Equal(0, await _app.ProcessAllAsync());
        Assert.False(await _app.TableExistsAsync(_app.Names.SignalReferences), "no signal reference may have been written");
        Assert.Empty(await _app.EntitiesAsync(_app.Names.Receipts));

        using var partial = await _app.PostAsync(TestEnvironment.HuurKey, body);
        Assert.Equal(HttpStatusCode.Accepted, partial.StatusCode);
        var answer = JsonNode.Parse(await partial.Content.ReadAsStringAsync())!;
        Assert.Equal(1, (int)answer["accepted"]!);
        Assert.Equal(1, (int)answer["rejected"]!);
    }

    [Fact]
    public async Task A_request_with_only_invalid_rows_is_400_with_every_error_and_changes_nothing()
    {
        var bad = TestSignals.Signal("BAD-1", bedrag: -5m);
        bad["client"]!["email"] = "not-an-email";

        using var response = await _app.PostAsync(TestEnvironment.HuurKey, TestSignals.Array(bad));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var codes = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["errors"]!.AsArray().Select(e => (string?)e!["code"]).ToList();
        Assert.Contains("bedrag.not_positive", codes);
        Assert.Contains("email.invalid", codes);
        Assert.False(await _app.TableExistsAsync(_app.Names.SignalReferences), "no signal reference may have been written");
    }

    [Fact]
    public async Task An_unroutable_address_is_quarantined_with_its_reason_and_visible_in_the_receipt_status()
    {
        using var response = await _app.PostAsync(TestEnvironment.HuurKey, TestSignals.Array(
            TestSignals.Signal("Q-1", postcode: TestSignals.UnroutablePostcode, huisnummer: 1),
            TestSignals.Signal("Q-2", huisnummer: 15)));
        var receiptId = (string)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["receiptId"]!;

        var queued = await StatusAsync(receiptId);
        Assert.Equal("queued", (string?)queued["status"]);

        await _app.ProcessAllAsync();

        var status = await StatusAsync(receiptId);
        Assert.Equal("processed", (string?)status["status"]);
        Assert.Equal(1, (int)status["quarantined"]!);
        Assert.Equal(1, (int)status["stored"]!);
        Assert.Equal(1, (int)status["quarantineReasons"]!["address.not_found"]!);
        Assert.Single(await _app.RowsAsync("s|"));
        var quarantined = Assert.Single(await _app.EntitiesAsync(_app.Names.Quarantine));
        Assert.Equal("address.not_found", quarantined.GetString("ReasonCode"));
    }

    [Fact]
    public async Task An_address_the_registry_gives_two_buurten_is_quarantined_as_ambiguous()
    {
        using var response = await _app.PostAsync(TestEnvironment.HuurKey, TestSignals.Array(TestSignals.Signal("AMB-1", huisnummer: 41)));
        await _app.ProcessAllAsync();

        Assert.Equal("address.ambiguous", Assert.Single(await _app.EntitiesAsync(_app.Names.Quarantine)).GetString("ReasonCode"));
    }

    [Fact]
    public async Task Personal_data_is_encrypted_at_rest_in_signals_quarantine_and_queue_messages()
    {
        const string bsn = "999999990";
        var signal = TestSignals.Signal("ENC-1", huisnummer: 16, bsn: bsn);
        var unroutable = TestSignals.Signal("ENC-2", postcode: TestSignals.UnroutablePostcode, huisnummer: 2, bsn: bsn);
        using (await _app.PostAsync(TestEnvironment.HuurKey, TestSignals.Array(signal, unroutable)))
        {
        }

        var raw = _app.Storage.RawQueues.GetQueueClient(_app.Names.SignalsIntakeQueue);
        var queued = (await raw.PeekMessagesAsync(32)).Value.Select(m => Encoding.UTF8.GetString(Convert.FromBase64String(m.Body.ToString()))).ToList();
        Assert.NotEmpty(queued);
        await _app.ProcessAllAsync();

        var secrets = TestSignals.DefaultPersonalValues.Append(bsn).Append("Q.X.").ToList();
        var stored = (await _app.HouseholdEntitiesAsync()).Concat(await _app.EntitiesAsync(_app.Names.Quarantine)).ToList();
        Assert.NotEmpty(stored);
        foreach (var text in stored.SelectMany(Texts).Concat(queued))
        {
            foreach (var secret in secrets)
            {
                Assert.DoesNotContain(secret, text, StringComparison.OrdinalIgnoreCase);
            }
        }
    }

    [Fact]
    public async Task Bodies_and_media_types_outside_the_contract_get_precise_problems()
    {
        using var csvUnknownColumn = await _app.PostAsync(TestEnvironment.HuurKey, Encoding.UTF8.GetBytes("signaalReferentie;nationaliteit\nX;NL\n"), "text/csv");
        Assert.Equal(HttpStatusCode.BadRequest, csvUnknownColumn.StatusCode);
        Assert.Equal("field.unknown", (string?)JsonNode.Parse(await csvUnknownColumn.Content.ReadAsStringAsync())!["errors"]![0]!["code"]);

        using var xml = await _app.PostAsync(TestEnvironment.HuurKey, "<signal/>", "application/xml");
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, xml.StatusCode);

        using var notJson = await _app.PostAsync(TestEnvironment.HuurKey, "{ nope", "application/json");
        Assert.Equal(HttpStatusCode.BadRequest, notJson.StatusCode);
        Assert.Equal("request.invalid_json", (string?)JsonNode.Parse(await notJson.Content.ReadAsStringAsync())!["errors"]![0]!["code"]);

        using var badMode = await _app.PostAsync(TestEnvironment.HuurKey, TestSignals.Array(TestSignals.Signal("M-1")), query: "mode=sometimes");
        Assert.Equal(HttpStatusCode.BadRequest, badMode.StatusCode);

        Assert.False(await _app.TableExistsAsync(_app.Names.SignalReferences), "no signal reference may have been written");
    }

    [Fact]
    public async Task A_partner_type_the_creditor_is_not_registered_for_is_a_row_error()
    {
        using var response = await _app.PostAsync(TestEnvironment.HuurKey, TestSignals.Array(TestSignals.Signal("REG-1", partnerType: "Water")));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["errors"]![0]!;
        Assert.Equal("signaalpartnerType.not_registered", (string?)error["code"]);
        Assert.Equal("signaalpartnerType", (string?)error["field"]);
    }

    public void Dispose() => _app.Dispose();

    private async Task<JsonNode> StatusAsync(string receiptId)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/intake/{receiptId}");
        request.Headers.Add("X-Api-Key", TestEnvironment.HuurKey);
        using var response = await _app.Http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
    }

    private static IEnumerable<string> Texts(global::Azure.Data.Tables.TableEntity entity) => entity.Select(kv => kv.Value switch
    {
        byte[] bytes => Encoding.UTF8.GetString(bytes),
        var v => v?.ToString() ?? string.Empty,
    }).Append(entity.PartitionKey).Append(entity.RowKey);
}
