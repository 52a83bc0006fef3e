using System.Diagnostics.Metrics;
using VroegSignalering.Core.Outreach;

namespace VroegSignalering.Azure.ServiceBus;

// Publish counters on the app's "VroegSignalering" meter. Tags carry only the outcome class and a
// failure code, never message ids or properties: those can identify a household.
internal sealed class ServiceBusMetrics
{
    public const string MeterName = "VroegSignalering";
    public const string SentCounterName = "vroeg.dispatch.publish.sent";
    public const string FailedCounterName = "vroeg.dispatch.publish.failed";

    private readonly Counter<long> _sent;
    private readonly Counter<long> _failed;

    public ServiceBusMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _sent = meter.CreateCounter<long>(SentCounterName, unit: "{message}", description: "Messages the broker accepted.");
        _failed = meter.CreateCounter<long>(FailedCounterName, unit: "{message}", description: "Messages not sent, by outcome and reason.");
    }

    public void Sent(int count)
    {
        if (count > 0)
        {
            _sent.Add(count);
        }
    }

    public void Failed(int count, PublishStatus status, string reasonCode)
    {
        if (count > 0)
        {
            _failed.Add(count, new KeyValuePair<string, object?>("status", status.ToString()), new KeyValuePair<string, object?>("reason_code", reasonCode));
        }
    }
}
