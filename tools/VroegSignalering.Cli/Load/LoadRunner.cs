using System.Globalization;
using System.Net.Http.Headers;
using VroegSignalering.Cli.Cli;
using VroegSignalering.Cli.Posting;

namespace VroegSignalering.Cli.Load;

/// <summary>
/// What one request got. <see cref="Status"/> is 0 when no answer came (timeout, broken connection);
/// the counts are those of the answer's body, null when it carried none.
/// </summary>
internal sealed record LoadResult(
    string Creditor,
    int Sequence,
    LoadKind Kind,
    int Rows,
    int Status,
    double LatencyMs,
    int? Accepted,
    int? Rejected,
    int? Duplicates,
    string? ReceiptId,
    string? Error);

/// <summary>
/// Sends each creditor's plan at its rate: request i is due at i × interval from the start, sent whether or
/// not the one before has answered (an open loop, so a slow answer shows as latency instead of as a lower
/// rate). A duplicate first waits for the answer to the request it repeats.
/// </summary>
internal sealed class LoadRunner(HttpClient http, Uri signalsBase, CliEnvironment env, TimeSpan requestTimeout)
{
    /// <summary>At most this many unanswered requests per creditor; beyond it the creditor waits (and the lag shows).</summary>
    private const int MaxInFlight = 64;

    public async Task<IReadOnlyList<LoadResult>> RunAsync(IReadOnlyList<CreditorPlan> plans, TimeSpan interval, Action<LoadResult>? done, CancellationToken ct)
    {
        var started = env.Time.GetTimestamp();
        var perCreditor = await Task.WhenAll(plans.Select(p => RunCreditorAsync(p, interval, started, done, ct))).ConfigureAwait(false);
        return [.. perCreditor.SelectMany(r => r).OrderBy(r => r.Creditor, StringComparer.Ordinal).ThenBy(r => r.Sequence)];
    }

    private async Task<LoadResult[]> RunCreditorAsync(CreditorPlan plan, TimeSpan interval, long started, Action<LoadResult>? done, CancellationToken ct)
    {
        var key = plan.Creditor.ApiKeys.Count > 0 ? plan.Creditor.ApiKeys[0] : throw new CliException($"creditor '{plan.Creditor.Id}' has no API key in the creditors file");
        var tasks = new Task<LoadResult>[plan.Requests.Count];
        using var inFlight = new SemaphoreSlim(MaxInFlight);
        for (var i = 0; i < plan.Requests.Count; i++)
        {
            var request = plan.Requests[i];
            var wait = (interval * i) - env.Time.GetElapsedTime(started);
            if (wait > TimeSpan.Zero)
            {
                await env.Delay(wait, ct).ConfigureAwait(false);
            }

            await inFlight.WaitAsync(ct).ConfigureAwait(false);
            var original = request.DuplicateOf is { } o ? tasks[o] : null;
            tasks[i] = SendAsync(plan.Creditor.Id, key, request, original, inFlight, done, ct);
        }

        return await Task.WhenAll(tasks).ConfigureAwait(false);
    }

    private async Task<LoadResult> SendAsync(string creditor, string key, PlannedRequest planned, Task<LoadResult>? original, SemaphoreSlim inFlight, Action<LoadResult>? done, CancellationToken ct)
    {
        try
        {
            if (original is not null)
            {
                await original.ConfigureAwait(false);
            }

            var result = await SendOnceAsync(creditor, key, planned, ct).ConfigureAwait(false);
            done?.Invoke(result);
            return result;
        }
        finally
        {
            inFlight.Release();
        }
    }

    private async Task<LoadResult> SendOnceAsync(string creditor, string key, PlannedRequest planned, CancellationToken ct)
    {
        using var content = new ByteArrayContent(planned.Body());
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(planned.ContentType);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(signalsBase, "api/v1/signals?mode=" + planned.Mode)) { Content = content };
        request.Headers.Add("X-Api-Key", key);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(requestTimeout);
        var sent = env.Time.GetTimestamp();
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, timeout.Token).ConfigureAwait(false);
            var body = await response.Content.ReadAsByteArrayAsync(timeout.Token).ConfigureAwait(false);
            var latency = env.Time.GetElapsedTime(sent).TotalMilliseconds;
            var parsed = IngestResponse.Parse(body);
            return new LoadResult(creditor, planned.Sequence, planned.Kind, planned.Rows, (int)response.StatusCode, latency, parsed.Accepted, parsed.Rejected, parsed.Duplicates, parsed.ReceiptId, null);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return NoAnswer(string.Create(CultureInfo.InvariantCulture, $"no answer within {requestTimeout.TotalSeconds:0} s"));
        }
        catch (HttpRequestException e)
        {
            return NoAnswer(e.InnerException is { } inner ? $"{e.Message} ({inner.Message})" : e.Message);
        }

        LoadResult NoAnswer(string error) =>
            new(creditor, planned.Sequence, planned.Kind, planned.Rows, 0, env.Time.GetElapsedTime(sent).TotalMilliseconds, null, null, null, null, error);
    }
}
