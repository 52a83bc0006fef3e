using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using VroegSignalering.Cli.Cli;

namespace VroegSignalering.Cli.Posting;

internal sealed record PostSettings(Uri BaseUrl, string Mode, int BatchSize, int MaxRetries, TimeSpan RequestTimeout)
{
    /// <summary>Throttling is the API asking us to slow down, not failing: allow many more waits than retries.</summary>
    public int MaxThrottleWaits { get; init; } = 50;

    public TimeSpan MaxRetryAfter { get; init; } = TimeSpan.FromMinutes(2);

    public Uri SignalsUri => new(BaseUrl, "api/v1/signals?mode=" + Uri.EscapeDataString(Mode));
}

/// <summary>A row error mapped back to the file: <see cref="Row"/> is the data row of the file, 1-based.</summary>
internal sealed record ReceiptError(int? Row, int? Line, int? RequestRow, string? SignaalReferentie, string? Field, string? Code, string? Message);

internal sealed record BatchReceipt(
    string Creditor,
    string File,
    int Batch,
    int FirstRow,
    int Rows,
    int Status,
    string? ReceiptId,
    int Accepted,
    int Rejected,
    int Duplicates,
    IReadOnlyList<ReceiptError> Errors);

/// <summary>What posting one file achieved; <see cref="Failure"/> is set when it stopped early.</summary>
internal sealed class FileOutcome(string creditor, string file, int rows)
{
    public string Creditor { get; } = creditor;

    public string File { get; } = file;

    public int Rows { get; } = rows;

    public int Accepted { get; set; }

    public int Rejected { get; set; }

    public int Duplicates { get; set; }

    /// <summary>HTTP requests sent, retries and throttled attempts included.</summary>
    public int Requests { get; set; }

    public int Throttled { get; set; }

    public int Retries { get; set; }

    public TimeSpan Elapsed { get; set; }

    public List<BatchReceipt> Receipts { get; } = [];

    public string? Failure { get; set; }

    public double RowsPerSecond => Elapsed > TimeSpan.Zero ? (Accepted + Rejected + Duplicates) / Elapsed.TotalSeconds : 0;
}

/// <summary>
/// Posts a file to <c>POST /api/v1/signals</c> in batches as one creditor. Batches of a file go
/// one after the other, in file order, so a repeat signal never overtakes the signal it repeats.
/// 429 waits for Retry-After; 408, 5xx, timeouts and broken connections are retried with back-off
/// (the API is idempotent per creditor + signaalReferentie, so a resend is harmless); 401 and 403
/// stop the file at once.
/// </summary>
internal sealed class SignalPoster(HttpClient http, PostSettings settings, CliEnvironment env, Action<FileOutcome, int>? batchDone = null, Action<string>? log = null)
{
    public async Task<FileOutcome> PostFileAsync(string creditorId, string apiKey, SignalFile file, CancellationToken ct)
    {
        var outcome = new FileOutcome(creditorId, System.IO.Path.GetFileName(file.Path), file.RowCount);
        var started = env.Time.GetTimestamp();
        foreach (var batch in file.Batches(settings.BatchSize))
        {
            var receipt = await SendAsync(outcome, apiKey, file, batch, ct).ConfigureAwait(false);
            if (receipt is null)
            {
                break;
            }

            outcome.Receipts.Add(receipt);
            outcome.Accepted += receipt.Accepted;
            outcome.Rejected += receipt.Rejected;
            outcome.Duplicates += receipt.Duplicates;
            batchDone?.Invoke(outcome, batch.RowCount);
        }

        outcome.Elapsed = env.Time.GetElapsedTime(started);
        return outcome;
    }

    private async Task<BatchReceipt?> SendAsync(FileOutcome outcome, string apiKey, SignalFile file, SignalBatch batch, CancellationToken ct)
    {
        var failures = 0;
        var throttles = 0;
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            outcome.Requests++;
            string problem;
            TimeSpan? retryAfter = null;
            using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct))
            {
                timeout.CancelAfter(settings.RequestTimeout);
                try
                {
                    using var request = NewRequest(apiKey, file, batch);
                    using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, timeout.Token).ConfigureAwait(false);
                    var body = await response.Content.ReadAsByteArrayAsync(timeout.Token).ConfigureAwait(false);
                    var status = (int)response.StatusCode;
                    var parsed = IngestResponse.Parse(body);

                    if (response.IsSuccessStatusCode)
                    {
                        return Receipt(outcome, batch, status, parsed);
                    }

                    if (response.StatusCode == HttpStatusCode.BadRequest)
                    {
                        if (parsed.Errors.Count > 0)
                        {
                            return Receipt(outcome, batch, status, parsed);
                        }

                        return Fail(outcome, batch, $"HTTP 400 without row errors{Describe(parsed)}");
                    }

                    if (response.StatusCode == HttpStatusCode.TooManyRequests)
                    {
                        outcome.Throttled++;
                        if (++throttles > settings.MaxThrottleWaits)
                        {
                            return Fail(outcome, batch, string.Create(CultureInfo.InvariantCulture, $"still throttled (429) after {throttles - 1} waits"));
                        }

                        await env.Delay(RetryAfter(response) ?? Backoff(throttles), ct).ConfigureAwait(false);
                        continue;
                    }

                    if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
                    {
                        return Fail(outcome, batch, string.Create(CultureInfo.InvariantCulture,
                            $"HTTP {status} {response.ReasonPhrase}: the API refused the key for creditor '{outcome.Creditor}'{Describe(parsed)}"));
                    }

                    if (status is 408 or >= 500)
                    {
                        problem = string.Create(CultureInfo.InvariantCulture, $"HTTP {status} {response.ReasonPhrase}{Describe(parsed)}");
                        retryAfter = RetryAfter(response);
                    }
                    else
                    {
                        var hint = status == 413 ? " (lower --batch)" : string.Empty;
                        return Fail(outcome, batch, string.Create(CultureInfo.InvariantCulture, $"HTTP {status} {response.ReasonPhrase}{hint}{Describe(parsed)}"));
                    }
                }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                {
                    problem = string.Create(CultureInfo.InvariantCulture, $"no answer within {settings.RequestTimeout.TotalSeconds:0.#} s");
                }
                catch (HttpRequestException e)
                {
                    // The outer message is often generic ("Error while copying content"); the inner one says what broke.
                    problem = e.InnerException is { } inner ? $"{e.Message} ({inner.Message})" : e.Message;
                }
            }

            if (++failures > settings.MaxRetries)
            {
                return Fail(outcome, batch, string.Create(CultureInfo.InvariantCulture, $"{problem}; gave up after {failures} attempts"));
            }

            outcome.Retries++;
            var wait = retryAfter ?? Backoff(failures);
            log?.Invoke(string.Create(CultureInfo.InvariantCulture,
                $"vroeg post: {outcome.Creditor} batch {batch.Number}: {problem}; retry {failures} of {settings.MaxRetries} in {wait.TotalSeconds:0.0} s"));
            await env.Delay(wait, ct).ConfigureAwait(false);
        }
    }

    private HttpRequestMessage NewRequest(string apiKey, SignalFile file, SignalBatch batch)
    {
        var content = new ByteArrayContent(batch.Body);
        content.Headers.ContentType = new MediaTypeHeaderValue(file.ContentType)
        {
            // text/* defaults to US-ASCII without a charset; the CSV is UTF-8 (with BOM).
            CharSet = file.Kind == SignalFileKind.Csv ? "utf-8" : null,
        };
        var request = new HttpRequestMessage(HttpMethod.Post, settings.SignalsUri) { Content = content };
        request.Headers.Add("X-Api-Key", apiKey);
        request.Headers.Accept.ParseAdd("application/json");
        request.Headers.Accept.ParseAdd("application/problem+json");
        return request;
    }

    private static BatchReceipt Receipt(FileOutcome outcome, SignalBatch batch, int status, IngestResponse response)
    {
        var errorRows = response.Errors.Where(e => e.Row is not null).Select(e => e.Row).Distinct().Count();
        var duplicates = response.Duplicates ?? 0;
        int accepted;
        int rejected;
        if (status == 400)
        {
            // A 400 stores nothing: in atomic mode every row of the batch is rejected, not only those with errors.
            accepted = 0;
            rejected = response.Rejected ?? batch.RowCount - duplicates;
        }
        else
        {
            rejected = response.Rejected ?? errorRows;
            accepted = response.Accepted ?? Math.Max(0, batch.RowCount - rejected - duplicates);
        }

        var errors = response.Errors
            .Select(e => new ReceiptError(
                e.Row is { } r ? batch.FileRow(r) : null,
                e.Row is { } l ? batch.LineOf(l) : null,
                e.Row,
                e.SignaalReferentie,
                e.Field,
                e.Code,
                e.Message))
            .ToList();
        return new BatchReceipt(outcome.Creditor, outcome.File, batch.Number, batch.FirstRow, batch.RowCount, status, response.ReceiptId, accepted, rejected, duplicates, errors);
    }

    private static BatchReceipt? Fail(FileOutcome outcome, SignalBatch batch, string message)
    {
        outcome.Failure = string.Create(CultureInfo.InvariantCulture, $"batch {batch.Number} (rows {batch.FirstRow}-{batch.FirstRow + batch.RowCount - 1}): {message}");
        return null;
    }

    private TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        var header = response.Headers.RetryAfter;
        TimeSpan? wait = header?.Delta ?? (header?.Date is { } date ? date - env.Time.GetUtcNow() : null);
        if (wait is null)
        {
            return null;
        }

        return wait < TimeSpan.Zero ? TimeSpan.Zero : wait > settings.MaxRetryAfter ? settings.MaxRetryAfter : wait;
    }

    private static TimeSpan Backoff(int attempt) =>
        TimeSpan.FromMilliseconds(Math.Min(15_000, 500 * Math.Pow(2, attempt - 1)));

    private static string Describe(IngestResponse response) =>
        response.Title is null && response.Detail is null ? string.Empty : ": " + string.Join(" — ", new[] { response.Title, response.Detail }.Where(t => t is not null));
}
