using System.Text.Json;
using System.Text.Json.Nodes;
using VroegSignalering.Functions.Hosting;

namespace VroegSignalering.Functions.Tests.Hosting;

/// <summary>The reply to the host must survive its "looks like base64" conversion of string outputs.</summary>
public class InvocationResultTests
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    [Fact]
    public void The_reply_has_outputs_logs_and_return_value_as_the_host_reads_them()
    {
        var result = InvocationResult.Success()
            .WithOutput("dispatch", new { taskId = "t-1" }, Web)
            .WithLog("processed 3 rows")
            .WithReturnValue(new { ok = true }, Web);

        var reply = JsonNode.Parse(result.ToJsonBytes())!.AsObject();

        Assert.Equal("t-1", (string?)reply["Outputs"]!["dispatch"]!["taskId"]);
        Assert.Equal("processed 3 rows", (string?)reply["Logs"]![0]);
        Assert.True((bool?)reply["ReturnValue"]!["ok"]);
    }

    [Theory]
    [InlineData("AAAA")]
    [InlineData("SGVsbG8=")]
    [InlineData("plain text")]
    public void A_bare_string_output_is_never_sent_as_a_bare_string(string value)
    {
        var reply = JsonNode.Parse(InvocationResult.Success().WithOutput("out", value, Web).ToJsonBytes())!;

        var output = reply["Outputs"]!["out"]!;
        Assert.IsType<JsonObject>(output);
        Assert.Equal(value, (string?)output["value"]);
    }

    [Fact]
    public void A_string_holding_json_is_sent_as_that_json()
    {
        var reply = JsonNode.Parse(InvocationResult.Success().WithOutput("out", """{"a":[1,2]}""", Web).ToJsonBytes())!;

        Assert.Equal(2, (int?)reply["Outputs"]!["out"]!["a"]![1]);
    }

    [Fact]
    public void Scalars_are_wrapped_and_a_null_return_value_stays_null()
    {
        var reply = JsonNode.Parse(InvocationResult.Success().WithOutput("n", 5, Web).ToJsonBytes())!;

        Assert.Equal(5, (int?)reply["Outputs"]!["n"]!["value"]);
        Assert.Null(reply["ReturnValue"]);
    }

    [Fact]
    public void Failures_map_to_non_success_status_codes()
    {
        Assert.Equal(500, InvocationResult.Failure("x").StatusCode);
        Assert.Equal(503, InvocationResult.RetryLater("x").StatusCode);
        Assert.False(InvocationResult.Failure("x").Succeeded);
        Assert.True(InvocationResult.Success().Succeeded);
    }
}
