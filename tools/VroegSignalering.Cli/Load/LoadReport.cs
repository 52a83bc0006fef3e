using System.Globalization;
using System.Text;
using System.Text.Json;

namespace VroegSignalering.Cli.Load;

internal sealed record LoadRunInfo(string Url, int Creditors, int RequestsPerMinute, double DurationSeconds, int Seed, long MaxBodyBytes, int MaxRowsPerRequest, double WallSeconds);

internal static class LoadReport
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public static string ToJson(LoadRunInfo run, LoadSummary summary) => JsonSerializer.Serialize(
        new
        {
            run,
            passed = summary.Failures.Count == 0,
            failures = summary.Failures,
            serverErrors = summary.ServerErrors,
            noAnswer = summary.NoAnswer,
            throttled = summary.Throttled,
            latencyMs = summary.Total.Latency,
            rows = summary.Total.Rows,
            refusedWholeByStatus = summary.RefusedWholeByStatus,
            storage = summary.Storage is { } s ? new { s.Stored, s.Quarantined, s.Distinct, s.Expected, s.Matches } : null,
            appPeakMemory = summary.Memory,
            byKind = summary.ByKind,
        },
        Json);

    public static string ToTable(LoadRunInfo run, LoadSummary s)
    {
        var sb = new StringBuilder();
        var ci = CultureInfo.InvariantCulture;
        sb.Append(ci, $"Load test: {run.Creditors} creditor(s) × {run.RequestsPerMinute} requests/min for {run.DurationSeconds:0} s (seed {run.Seed}) against {run.Url}; limits {run.MaxBodyBytes} bytes, {run.MaxRowsPerRequest} rows per request; took {run.WallSeconds:0} s\n\n");
        sb.Append(ci, $"{"kind",-15}{"requests",9}  {"answers",-34}{"rows sent",10}{"accepted",9}{"rejected",9}{"dup",6}{"refused",9}{"p50 ms",8}{"p95 ms",8}{"p99 ms",8}\n");
        foreach (var k in s.ByKind.Append(s.Total))
        {
            if (k == s.Total)
            {
                sb.Append(new string('-', 125)).Append('\n');
            }

            var answers = string.Join(' ', k.Answers.Select(a => $"{a.Key}×{a.Value}"));
            sb.Append(ci, $"{k.Kind,-15}{k.Requests,9}  {answers,-34}{k.Rows.Sent,10}{k.Rows.Accepted,9}{k.Rows.Rejected,9}{k.Rows.Duplicate,6}{k.Rows.RefusedWhole,9}{Ms(k.Latency.P50),8}{Ms(k.Latency.P95),8}{Ms(k.Latency.P99),8}\n");
        }

        var r = s.Total.Rows;
        sb.Append('\n');
        sb.Append(ci, $"5xx answers: {s.ServerErrors}; without an answer: {s.NoAnswer}; 429 (throttled): {s.Throttled}\n");
        sb.Append(ci, $"POST latency (all answers): p50 {Ms(s.Total.Latency.P50)} ms, p95 {Ms(s.Total.Latency.P95)} ms, p99 {Ms(s.Total.Latency.P99)} ms, max {Ms(s.Total.Latency.Max)} ms\n");
        var refusedBy = string.Join(", ", s.RefusedWholeByStatus.Select(x => $"{x.Key}: {x.Value}"));
        sb.Append(ci, $"rows: sent {r.Sent} = accepted {r.Accepted} + rejected {r.Rejected} + duplicate {r.Duplicate} + refused whole {r.RefusedWhole} ({refusedBy}) + unaccounted {r.Unaccounted}\n");
        sb.Append(s.Storage is { } st
            ? string.Create(ci, $"storage after the intake queue drained: stored {st.Stored} + quarantined {st.Quarantined} = {st.Stored + st.Quarantined} for {st.Expected} accepted ({st.Distinct} distinct signals): {(st.Matches ? "every accepted row is there once" : "MISMATCH")}\n")
            : "storage: not checked (--skip-storage)\n");
        sb.Append(s.Memory is { } m
            ? string.Create(ci, $"app peak memory: {m.PeakBytes / (1024.0 * 1024.0):0.0} MiB ({m.Source}, pid {m.Pid})\n")
            : "app peak memory: not measured (no --app-pid)\n");
        sb.Append(s.Failures.Count == 0 ? "verdict: PASS\n" : "verdict: FAIL: " + string.Join("; ", s.Failures) + "\n");
        return sb.ToString();
    }

    private static string Ms(double? value) => value is { } v ? v.ToString(v < 10 ? "0.0" : "0", CultureInfo.InvariantCulture) : "-";
}
