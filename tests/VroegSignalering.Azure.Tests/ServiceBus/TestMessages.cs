using VroegSignalering.Core.Outreach;

namespace VroegSignalering.Azure.Tests.ServiceBus;

internal static class TestMessages
{
    // Outreach-task-like messages; bodyBytes pads the body to about that size.
    public static OutboundMessage[] Create(int count, int bodyBytes = 200, string prefix = "task") =>
        Enumerable.Range(0, count).Select(i => One($"{prefix}-{i:D4}", bodyBytes)).ToArray();

    public static OutboundMessage One(string id, int bodyBytes = 200) => new()
    {
        MessageId = id,
        Subject = "outreach-task.v1",
        CorrelationId = $"case-{id}",
        SessionId = $"household-{id}",
        TimeToLive = TimeSpan.FromDays(14),
        ApplicationProperties = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["gemeentecode"] = "0363",
            ["team"] = "schuldhulp-noord",
            ["priority"] = "high",
        },
        Body = Body(id, bodyBytes),
    };

    public static string Body(string id, int bodyBytes)
    {
        var head = $"{{\"taskId\":\"{id}\",\"note\":\"";
        const string tail = "\"}";
        return head + new string('x', Math.Max(0, bodyBytes - head.Length - tail.Length)) + tail;
    }
}
