using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using VroegSignalering.Azure.Queues;
using VroegSignalering.Core.Intake;
using VroegSignalering.Functions.Tests.Pipeline;
using VroegSignalering.Testing;

namespace VroegSignalering.Functions.Tests.Intake;

/// <summary>
/// The intake paths that decide what is claimed, queued and stored when a request is empty, repeats a
/// reference, conflicts in atomic mode, or meets the claim of a receipt that crashed; on real Azurite.
/// </summary>
public sealed class IntakeIdempotencyPathsTests : IDisposable
{
    private readonly CrashingSignalQueue.Switch _crash = new();
    private readonly PipelineApp _app;

    public IntakeIdempotencyPathsTests()
    {
        _app = new PipelineApp(services: s => s.AddSingleton<ISignalQueue>(sp =>
            new CrashingSignalQueue(ActivatorUtilities.CreateInstance<SignalQueue>(sp), _crash)));
    }

    public static TheoryData<string, string, string> EmptyBodies => new()
    {
        { "an empty JSON array", "[]", "application/json" },
        { "NDJSON of blank lines only", "\n\n  \n", "application/x-ndjson" },
        { "CSV with only a header", Encoding.UTF8.GetString(TestSignals.Csv()), "text/csv" },
    };

    [Theory]
    [MemberData(nameof(EmptyBodies))]
    public async Task A_request_without_signals_is_a_400_request_empty_problem_and_stores_nothing(string because, string body, string contentType)
    {
        var before = await BaselineAsync();

        using var response = await _app.PostAsync(TestEnvironment.HuurKey, body, contentType);

        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, because);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("https://vroegsignalering.example/problems/invalid-request", (string?)problem["type"]);
        Assert.Equal("Unreadable request", (string?)problem["title"]);
        Assert.Equal(400, (int)problem["status"]!);
        Assert.Equal(0, (int)problem["accepted"]!);
        Assert.Equal(0, (int)problem["rejected"]!);
        Assert.Null(problem["receiptId"]);
        var error = Assert.Single(problem["errors"]!.AsArray())!;
        Assert.Equal(0, (int)error["row"]!);
        Assert.Null(error["signaalReferentie"]);
        Assert.Equal("body", (string?)error["field"]);
        Assert.Equal("request.empty", (string?)error["code"]);
        Assert.Equal(before, await SnapshotAsync());
    }

    [Fact]
    public async Task In_partial_mode_a_reference_repeated_with_other_content_is_refused_on_the_later_row_and_the_first_is_stored()
    {
        var body = TestSignals.Array(
            TestSignals.Signal("DIR-1", bedrag: 100m, huisnummer: 2),
            TestSignals.Signal("DIR-2", huisnummer: 3),
            TestSignals.Signal("DIR-1", bedrag: 200m, huisnummer: 2));

        using var response = await _app.PostAsync(TestEnvironment.HuurKey, body);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var answer = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal(2, (int)answer["accepted"]!);
        Assert.Equal(1, (int)answer["rejected"]!);
        Assert.Equal(0, (int)answer["duplicates"]!);
        AssertDuplicateInRequest(Assert.Single(answer["errors"]!.AsArray())!, row: 3, "DIR-1");
        Assert.Equal(1, await _app.ProcessAllAsync());
        Assert.Equal([100m, 850m], (await _app.RowsAsync("s|")).Select(Amount).Order().ToArray());
        Assert.Equal(["DIR-1", "DIR-2"], (await ReferencesAsync()).Select(r => r.RowKey).Order(StringComparer.Ordinal).ToArray());
    }

    [Fact]
    public async Task In_atomic_mode_a_reference_repeated_with_other_content_refuses_the_request_and_stores_nothing()
    {
        var before = await BaselineAsync();
        var body = TestSignals.Array(
            TestSignals.Signal("DIA-1", bedrag: 100m, huisnummer: 4),
            TestSignals.Signal("DIA-2", huisnummer: 5),
            TestSignals.Signal("DIA-1", bedrag: 200m, huisnummer: 4));

        using var response = await _app.PostAsync(TestEnvironment.HuurKey, body, query: "mode=atomic");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("Atomic mode: the request holds invalid rows, so none was accepted. See errors.", (string?)problem["detail"]);
        Assert.Equal(0, (int)problem["accepted"]!);
        Assert.Equal(3, (int)problem["rejected"]!);
        AssertDuplicateInRequest(Assert.Single(problem["errors"]!.AsArray())!, row: 3, "DIA-1");
        Assert.Equal(before, await SnapshotAsync());
    }

    [Fact]
    public async Task A_reference_repeated_with_the_same_content_is_one_signal_and_one_duplicate()
    {
        var body = TestSignals.Array(TestSignals.Signal("DIS-1", huisnummer: 6), TestSignals.Signal("DIS-1", huisnummer: 6));

        using var response = await _app.PostAsync(TestEnvironment.HuurKey, body, query: "mode=atomic");

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var answer = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal(1, (int)answer["accepted"]!);
        Assert.Equal(0, (int)answer["rejected"]!);
        Assert.Equal(1, (int)answer["duplicates"]!);
        Assert.Empty(answer["errors"]!.AsArray());
        await _app.ProcessAllAsync();
        Assert.Single(await _app.RowsAsync("s|"));
    }

    [Fact]
    public async Task An_atomic_request_with_a_conflict_releases_its_other_claims_so_a_corrected_retry_is_accepted()
    {
        using (var first = await _app.PostAsync(TestEnvironment.HuurKey, TestSignals.Array(TestSignals.Signal("ACR-0", bedrag: 100m, huisnummer: 7))))
        {
            Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        }

        await _app.ProcessAllAsync();
        var before = await SnapshotAsync();
        var firstClaim = Assert.Single(await ReferencesAsync());

        using var refused = await _app.PostAsync(TestEnvironment.HuurKey, TestSignals.Array(
            TestSignals.Signal("ACR-1", bedrag: 300m, huisnummer: 8),
            TestSignals.Signal("ACR-2", huisnummer: 9),
            TestSignals.Signal("ACR-0", bedrag: 200m, huisnummer: 7)), query: "mode=atomic");

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(await refused.Content.ReadAsStringAsync())!;
        Assert.Equal(0, (int)problem["accepted"]!);
        Assert.Equal(3, (int)problem["rejected"]!);
        var error = Assert.Single(problem["errors"]!.AsArray())!;
        Assert.Equal(3, (int)error["row"]!);
        Assert.Equal("ACR-0", (string?)error["signaalReferentie"]);
        Assert.Equal("signaalReferentie", (string?)error["field"]);
        Assert.Equal("signal.conflict", (string?)error["code"]);
        Assert.Equal(before, await SnapshotAsync());
        var claim = Assert.Single(await ReferencesAsync());
        Assert.Equal(firstClaim.GetString("ReceiptId"), claim.GetString("ReceiptId"));
        Assert.Equal(firstClaim.GetString("ContentHash"), claim.GetString("ContentHash"));

        // The creditor corrects the amount of ACR-1 too: a claim left behind by the refused request would
        // make that row a conflict now.
        using var retry = await _app.PostAsync(TestEnvironment.HuurKey, TestSignals.Array(
            TestSignals.Signal("ACR-1", bedrag: 310m, huisnummer: 8),
            TestSignals.Signal("ACR-2", huisnummer: 9),
            TestSignals.Signal("ACR-3", bedrag: 200m, huisnummer: 7)), query: "mode=atomic");

        Assert.Equal(HttpStatusCode.Accepted, retry.StatusCode);
        var answer = JsonNode.Parse(await retry.Content.ReadAsStringAsync())!;
        Assert.Equal(3, (int)answer["accepted"]!);
        Assert.Equal(0, (int)answer["duplicates"]!);
        Assert.Equal(1, await _app.ProcessAllAsync());
        Assert.Equal([100m, 200m, 310m, 850m], (await _app.RowsAsync("s|")).Select(Amount).Order().ToArray());
    }

    [Fact]
    public async Task The_unfinished_claim_of_a_receipt_that_crashed_before_queueing_is_taken_over_by_the_next_request_and_stored_once()
    {
        // The first receipt claims TKO-1 and crashes before its chunk is queued: no receipt, no message.
        _crash.Next = true;
        using (var crashed = await _app.PostAsync(TestEnvironment.HuurKey, TestSignals.Array(TestSignals.Signal("TKO-1", huisnummer: 10))))
        {
            Assert.False(_crash.Next, "the crash must have happened");
            Assert.Equal(HttpStatusCode.InternalServerError, crashed.StatusCode);
        }

        var orphan = Assert.Single(await ReferencesAsync());
        Assert.Empty(await _app.EntitiesAsync(_app.Names.Receipts));
        Assert.Equal(0, await _app.ProcessAllAsync());

        // Another request (another body, so another receipt) carries the same signal.
        using var next = await _app.PostAsync(TestEnvironment.HuurKey, TestSignals.Array(
            TestSignals.Signal("TKO-1", huisnummer: 10), TestSignals.Signal("TKO-2", huisnummer: 11)));

        Assert.Equal(HttpStatusCode.Accepted, next.StatusCode);
        var answer = JsonNode.Parse(await next.Content.ReadAsStringAsync())!;
        Assert.Equal(2, (int)answer["accepted"]!);
        Assert.Equal(0, (int)answer["duplicates"]!);
        var receiptId = (string?)answer["receiptId"];
        Assert.NotEqual(orphan.GetString("ReceiptId"), receiptId);
        var taken = Assert.Single(await ReferencesAsync(), r => r.RowKey == "TKO-1");
        Assert.Equal(receiptId, taken.GetString("ReceiptId"));
        Assert.Equal(orphan.GetString("ContentHash"), taken.GetString("ContentHash"));
        Assert.Equal(1, await _app.ProcessAllAsync());
        Assert.Equal(2, (await _app.RowsAsync("s|")).Count);

        // Once the taking receipt is committed, the claim is no longer unfinished: the signal is a duplicate.
        using var again = await _app.PostAsync(TestEnvironment.HuurKey, TestSignals.Array(TestSignals.Signal("TKO-1", huisnummer: 10)), query: "mode=atomic");
        var duplicate = JsonNode.Parse(await again.Content.ReadAsStringAsync())!;
        Assert.Equal(HttpStatusCode.Accepted, again.StatusCode);
        Assert.Equal(0, (int)duplicate["accepted"]!);
        Assert.Equal(1, (int)duplicate["duplicates"]!);
        Assert.Equal(receiptId, Assert.Single(await ReferencesAsync(), r => r.RowKey == "TKO-1").GetString("ReceiptId"));
        Assert.Equal(0, await _app.ProcessAllAsync());
        Assert.Equal(2, (await _app.RowsAsync("s|")).Count);
    }

    public void Dispose() => _app.Dispose();

    private static void AssertDuplicateInRequest(JsonNode error, int row, string reference)
    {
        Assert.Equal(row, (int)error["row"]!);
        Assert.Equal(reference, (string?)error["signaalReferentie"]);
        Assert.Equal("signaalReferentie", (string?)error["field"]);
        Assert.Equal("signal.duplicate_in_request", (string?)error["code"]);
    }

    // One committed signal first, so that every table a refused request could touch exists and "nothing
    // stored" is a comparison of real contents, not of tables that were never created.
    private async Task<string> BaselineAsync()
    {
        using var response = await _app.PostAsync(TestEnvironment.WaterKey, TestSignals.Array(TestSignals.Signal("BASE-1", partnerType: "Water", huisnummer: 1)));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(1, await _app.ProcessAllAsync());
        return await SnapshotAsync();
    }

    // Every reference claim, receipt and household row, plus anything still waiting in the intake queue.
    private async Task<string> SnapshotAsync()
    {
        var rows = new List<TableEntity>();
        rows.AddRange(await _app.EntitiesAsync(_app.Names.SignalReferences));
        rows.AddRange(await _app.EntitiesAsync(_app.Names.Receipts));
        rows.AddRange(await _app.HouseholdEntitiesAsync());
        Assert.NotEmpty(rows);
        var queued = (await _app.Storage.Queues.GetQueueClient(_app.Names.SignalsIntakeQueue).GetPropertiesAsync()).Value.ApproximateMessagesCount;
        return string.Join('\n', rows.Select(e => $"{e.PartitionKey}|{e.RowKey}|{e.GetString("ReceiptId")}|{e.GetString("ContentHash")}").Order(StringComparer.Ordinal))
            + $"\nqueued={queued}";
    }

    private static decimal Amount(TableEntity signal) => decimal.Parse(signal.GetString("Bedrag"), CultureInfo.InvariantCulture);

    private async Task<List<TableEntity>> ReferencesAsync() =>
        (await _app.EntitiesAsync(_app.Names.SignalReferences)).Where(r => r.RowKey != "BASE-1").ToList();
}

/// <summary>The app's signal queue, except that it can crash once on purpose before anything is queued.</summary>
internal sealed class CrashingSignalQueue(ISignalQueue inner, CrashingSignalQueue.Switch crash) : ISignalQueue
{
    public Task EnqueueAsync(IReadOnlyList<SignalChunk> chunks, CancellationToken cancellationToken)
    {
        if (crash.Next)
        {
            crash.Next = false;
            throw new SimulatedCrashException();
        }

        return inner.EnqueueAsync(chunks, cancellationToken);
    }

    public SignalChunk Decode(string message) => inner.Decode(message);

    internal sealed class Switch
    {
        public bool Next { get; set; }
    }
}

internal sealed class SimulatedCrashException() : Exception("simulated crash between claiming references and queueing");
