using System.Text.Json;
using VroegSignalering.Functions.Hosting;

namespace VroegSignalering.Functions.Tests.Hosting;

/// <summary>Decoding the payloads the Functions host sends, per trigger type, quirks included.</summary>
public class InvocationRequestContractTests
{
    private const string ExpectedChunk = """{"receiptId":"r-01","chunk":0,"rows":[]}""";

    [Theory]
    [InlineData("queue-trigger.json")]
    [InlineData("queue-trigger-double-encoded.json")]
    [InlineData("queue-trigger-base64.json")]
    [InlineData("queue-trigger-object.json")]
    public void A_queue_message_body_decodes_to_the_same_json_however_the_host_encoded_it(string fixture)
    {
        var request = InvocationRequest.Parse("ProcessSignals", null, Fixtures.HostPayload(fixture));

        var json = request.BindingJson("signals");

        Assert.True(JsonElement.DeepEquals(JsonDocument.Parse(ExpectedChunk).RootElement, JsonDocument.Parse(json).RootElement), json);
    }

    [Fact]
    public void Queue_metadata_arrives_with_strings_quoted_again_and_numbers_as_strings()
    {
        var request = InvocationRequest.Parse("ProcessSignals", null, Fixtures.HostPayload("queue-trigger-double-encoded.json"));

        var message = request.QueueMessage();

        Assert.Equal("8f5a6c7e-2b1d-4c1e-9a77-1d2e3f4a5b6c", message.Id);
        Assert.Equal(1, message.DequeueCount);
        Assert.Equal(new DateTimeOffset(2026, 11, 22, 10, 0, 0, TimeSpan.Zero), message.InsertionTime);
        Assert.Equal("AgAAAAMAAAAAAAAAAgtnj8x+1QE=", request.MetadataText("PopReceipt"));
    }

    [Fact]
    public void Top_level_body_properties_that_leak_into_metadata_are_unquoted()
    {
        var request = InvocationRequest.Parse("ProcessSignals", null, Fixtures.HostPayload("queue-trigger.json"));

        Assert.Equal("r-01", request.MetadataText("receiptId"));
        Assert.Equal(0, request.MetadataInt("chunk"));
    }

    [Fact]
    public void Trigger_metadata_keys_are_dropped_by_the_host_and_their_absence_is_tolerated()
    {
        var request = InvocationRequest.Parse("ProcessSignals", null, Fixtures.HostPayload("queue-trigger.json"));

        Assert.Equal(JsonValueKind.Undefined, request.Metadata("QueueTrigger").ValueKind);
        Assert.Null(request.MetadataText("QueueTrigger"));
    }

    [Fact]
    public void The_invocation_id_falls_back_to_the_host_random_guid_when_the_header_is_absent()
    {
        var request = InvocationRequest.Parse("ProcessSignals", null, Fixtures.HostPayload("queue-trigger.json"));

        Assert.Equal("0b3a3f55-8d2b-4d8e-9a3c-0f1e2d3c4b5a", request.InvocationId);
        Assert.Equal("abc", InvocationRequest.Parse("ProcessSignals", "abc", Fixtures.HostPayload("queue-trigger.json")).InvocationId);
    }

    [Fact]
    public void A_timer_invocation_exposes_its_schedule_status()
    {
        var request = InvocationRequest.Parse("TriageCases", null, Fixtures.HostPayload("timer-trigger.json"));

        var timer = request.Timer("timer");

        Assert.False(timer.IsPastDue);
        Assert.Equal(new DateTimeOffset(2026, 11, 22, 10, 0, 0, TimeSpan.Zero), timer.Last);
        Assert.Equal(new DateTimeOffset(2026, 11, 22, 10, 5, 0, TimeSpan.Zero), timer.Next);
    }

    [Fact]
    public void A_timer_sent_as_json_text_decodes_like_an_object()
    {
        var text = JsonSerializer.Serialize("""{"ScheduleStatus":{"Last":"2026-11-22T10:00:00+00:00","Next":"2026-11-22T10:05:00+00:00"},"IsPastDue":"true"}""");
        var body = "{\"Data\":{\"timer\":" + text + "},\"Metadata\":{}}";

        var timer = InvocationRequest.Parse("TriageCases", null, System.Text.Encoding.UTF8.GetBytes(body)).Timer("timer");

        Assert.True(timer.IsPastDue);
        Assert.Equal(new DateTimeOffset(2026, 11, 22, 10, 5, 0, TimeSpan.Zero), timer.Next);
    }

    [Fact]
    public void An_http_invocation_carries_method_url_query_headers_and_body()
    {
        var request = InvocationRequest.Parse("IngestSignals", null, Fixtures.HostPayload("http-trigger.json"));

        var http = request.Http("req");

        Assert.Equal("POST", http.Method);
        Assert.Equal("http://localhost:7071/api/v1/signals?mode=partial", http.Url);
        Assert.Equal("partial", http.Query["mode"]);
        Assert.Equal(["local-key"], http.Headers["x-api-key"]);
        Assert.Equal("""{"signaalReferentie":"HUUR-1"}""", http.Body);
    }

    [Fact]
    public void A_service_bus_invocation_exposes_broker_and_application_properties()
    {
        var request = InvocationRequest.Parse("RecordOutcome", null, Fixtures.HostPayload("servicebus-trigger.json"));

        var message = request.ServiceBusMessage();

        Assert.Equal("t-01-outcome-1", message.MessageId);
        Assert.Equal("case-01", message.CorrelationId);
        Assert.Equal("application/json", message.ContentType);
        Assert.Equal(1, message.DeliveryCount);
        Assert.Equal("0363", message.ApplicationProperties["gemeentecode"]);
        Assert.Equal(new DateTimeOffset(2026, 11, 22, 10, 0, 0, TimeSpan.Zero), message.EnqueuedTime);
        using var body = JsonDocument.Parse(request.BindingJson("outcome"));
        Assert.Equal("t-01", body.RootElement.GetProperty("taskId").GetString());
        Assert.Equal("t-01", request.MetadataText("taskId"));
    }

    [Fact]
    public void Data_and_metadata_may_be_absent()
    {
        var request = InvocationRequest.Parse("X", "id", """{}"""u8);

        Assert.False(request.HasBinding("signals"));
        Assert.Equal(1, request.QueueMessage().DequeueCount);
        var ex = Assert.Throws<HostPayloadException>(() => request.BindingJson("signals"));
        Assert.Contains("signals", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[1,2]")]
    [InlineData("\"just a string\"")]
    public void A_body_that_is_not_a_json_object_is_rejected(string body)
    {
        Assert.Throws<HostPayloadException>(() => InvocationRequest.Parse("X", "id", System.Text.Encoding.UTF8.GetBytes(body)));
    }

    [Fact]
    public void A_queue_message_that_is_neither_json_nor_base64_json_is_rejected_with_a_reason()
    {
        var request = InvocationRequest.Parse("X", "id", """{"Data":{"signals":"hello world"}}"""u8);

        var ex = Assert.Throws<HostPayloadException>(() => request.BindingJson("signals"));
        Assert.Contains("base64", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Binding_as_maps_the_payload_to_a_type()
    {
        var request = InvocationRequest.Parse("ProcessSignals", null, Fixtures.HostPayload("queue-trigger-double-encoded.json"));

        var chunk = request.BindingAs<ChunkShape>("signals", new JsonSerializerOptions(JsonSerializerDefaults.Web));

        Assert.Equal("r-01", chunk.ReceiptId);
        Assert.Equal(0, chunk.Chunk);
    }

    private sealed record ChunkShape(string ReceiptId, int Chunk);
}
