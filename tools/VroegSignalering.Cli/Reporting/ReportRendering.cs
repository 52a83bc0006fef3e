using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using VroegSignalering.Core.Common;
using VroegSignalering.Core.Reporting;

namespace VroegSignalering.Cli.Reporting;

/// <summary>The run report as a console table, as JSON, and as a self-contained HTML page with SVG charts.</summary>
internal static class ReportRendering
{
    private static readonly string[] Priorities = ["Spoed", "Hoog", "Normaal", "Laag"];
    private static readonly Dictionary<string, string> PriorityColours = new(StringComparer.Ordinal)
    {
        ["Spoed"] = "#c0392b",
        ["Hoog"] = "#e67e22",
        ["Normaal"] = "#2e86c1",
        ["Laag"] = "#95a5a6",
    };

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static string ToJson(RunReport report) => JsonSerializer.Serialize(report, Json);

    public static string ToTable(RunReport r, IReadOnlyDictionary<string, string> gemeenteNames, TimeSpan? wallTime)
    {
        var sb = new StringBuilder();
        void Line(string label, object value) => sb.Append(CultureInfo.InvariantCulture, $"  {label,-44}{value,12}\n");
        sb.Append("VroegSignalering run report (figures read back from storage and queues)\n\n");
        sb.Append("Intake\n");
        Line("requests (receipts)", r.Intake.Requests);
        Line("rows received", r.Intake.Rows);
        Line("signals accepted", r.Intake.Accepted);
        Line("rows rejected", r.Intake.Rejected);
        Line("duplicates (already received)", r.Intake.Duplicates);
        if (r.Intake.RejectedByCode.Count > 0)
        {
            sb.Append("    rejected rows by their first error:\n");
        }

        foreach (var (code, n) in r.Intake.RejectedByCode.OrderByDescending(kv => kv.Value))
        {
            Line("    " + code, n);
        }

        sb.Append("\nProcessing\n");
        Line("signals stored", r.SignalsStored);
        Line("signals quarantined", r.Quarantine.Total);
        foreach (var (reason, n) in r.Quarantine.ByReason)
        {
            Line("  quarantined: " + reason, n);
        }

        if (r.QuarantineAge.ByReason.Count > 0)
        {
            sb.Append(CultureInfo.InvariantCulture, $"  {"quarantine by age",-28}{string.Concat(r.QuarantineAge.Buckets.Select(b => b.PadLeft(17)))}\n");
            foreach (var (reason, counts) in r.QuarantineAge.ByReason)
            {
                sb.Append(CultureInfo.InvariantCulture, $"  {reason,-28}{string.Concat(counts.Select(n => n.ToString(CultureInfo.InvariantCulture).PadLeft(17)))}\n");
            }
        }

        sb.Append("\nCases and tasks\n");
        Line("cases", r.Cases.Total);
        Line("cases with 2+ creditors (stapeling)", r.Cases.WithMultipleCreditors);
        Line("repeat signals without new task", r.Cases.RepeatSignalsWithoutNewTask);
        Line("signals under a minimum amount", r.Cases.SignalsBelowMinimumAmount);
        Line("tasks (all revisions)", r.Tasks.Total);
        Line("  of which later revisions", r.Tasks.Revisions);
        Line("tasks dispatched", r.Tasks.Dispatched);
        Line("tasks pending", r.Tasks.Pending);
        Line("tasks failed", r.Tasks.Failed);

        sb.Append("\nTasks by priority and gemeente\n");
        sb.Append(CultureInfo.InvariantCulture, $"  {"gemeente",-22}{string.Concat(Priorities.Select(p => $"{p,9}"))}{"total",9}{"queued",9}\n");
        foreach (var (gemeente, byPriority) in r.Tasks.ByGemeenteAndPriority)
        {
            var name = gemeenteNames.TryGetValue(gemeente, out var n) ? $"{gemeente} {n}" : gemeente;
            sb.Append(CultureInfo.InvariantCulture, $"  {name,-22}{string.Concat(Priorities.Select(p => $"{byPriority.GetValueOrDefault(p),9}"))}{byPriority.Values.Sum(),9}{r.Delivery.MessagesByGemeente.GetValueOrDefault(gemeente),9}\n");
        }

        sb.Append(CultureInfo.InvariantCulture, $"  {"total",-22}{string.Concat(Priorities.Select(p => $"{r.Tasks.ByPriority.GetValueOrDefault(p),9}"))}{r.Tasks.Total,9}{r.Delivery.MessagesByGemeente.Values.Sum(),9}\n");

        OutcomesTable(sb, r, gemeenteNames);

        sb.Append("\nSpeed\n");
        Line("first receipt → last dispatch (s)", r.Throughput.Seconds.ToString("0.0", CultureInfo.InvariantCulture));
        Line("signals per second", r.Throughput.SignalsPerSecond.ToString("0.0", CultureInfo.InvariantCulture));
        Line("tasks per second", r.Throughput.TasksPerSecond.ToString("0.0", CultureInfo.InvariantCulture));
        Line("signal → task latency p50 (s)", r.Latency.P50.ToString("0.00", CultureInfo.InvariantCulture));
        Line("signal → task latency p95 (s)", r.Latency.P95.ToString("0.00", CultureInfo.InvariantCulture));
        Line("signal → task latency p99 (s)", r.Latency.P99.ToString("0.00", CultureInfo.InvariantCulture));
        Line("crisis signals (crisissignaal, stored)", r.CrisisLatency.Signals);
        Line("  without a dispatched task", r.CrisisLatency.WithoutDispatchedTask);
        Line("crisis signal → task p50 (s)", r.CrisisLatency.P50.ToString("0.00", CultureInfo.InvariantCulture));
        Line("crisis signal → task p95 (s)", r.CrisisLatency.P95.ToString("0.00", CultureInfo.InvariantCulture));
        Line("crisis signal → task p99 (s)", r.CrisisLatency.P99.ToString("0.00", CultureInfo.InvariantCulture));
        if (wallTime is { } w)
        {
            Line("wall time of the run (s)", w.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture));
        }

        if (r.StorageRequests is { } storage)
        {
            StorageTable(sb, storage);
        }

        return sb.ToString();
    }

    private static readonly string[] FunnelSteps = ["signals", "cases", "with task", "attempted", "reached", "help accepted"];

    private static int[] Steps(FunnelRow f) => [f.Signals, f.Cases, f.Tasks, f.Attempted, f.Reached, f.HelpAccepted];

    private static string Rate(int part, int whole) => whole == 0 ? "-" : (100.0 * part / whole).ToString("0.0", CultureInfo.InvariantCulture) + "%";

    private static void OutcomesTable(StringBuilder sb, RunReport r, IReadOnlyDictionary<string, string> names)
    {
        var o = r.Outcomes;
        sb.Append("\nOutcomes: the funnel per gemeente (cases; reached and help accepted of the cases attempted)\n");
        sb.Append(CultureInfo.InvariantCulture, $"  {"gemeente",-22}{string.Concat(FunnelSteps.Select(x => x.PadLeft(14)))}\n");
        foreach (var (gemeente, row) in o.ByGemeente)
        {
            var name = names.TryGetValue(gemeente, out var n) ? $"{gemeente} {n}" : gemeente;
            sb.Append(CultureInfo.InvariantCulture, $"  {name,-22}{string.Concat(Steps(row).Select(v => v.ToString(CultureInfo.InvariantCulture).PadLeft(14)))}\n");
        }

        sb.Append(CultureInfo.InvariantCulture, $"  {"total",-22}{string.Concat(Steps(o.Total).Select(v => v.ToString(CultureInfo.InvariantCulture).PadLeft(14)))}\n");
        void Line(string label, object value) => sb.Append(CultureInfo.InvariantCulture, $"  {label,-44}{value,12}\n");
        Line("reached, of cases attempted", Rate(o.Total.Reached, o.Total.Attempted));
        Line("help accepted, of cases reached", Rate(o.Total.HelpAccepted, o.Total.Reached));
        Line("help declined", o.HelpDeclined);
        Line("contact attempts", o.ContactAttempts);
        sb.Append(CultureInfo.InvariantCulture, $"  {"reach by channel",-30}{"cases",10}{"reached",10}{"rate",10}\n");
        foreach (var (channel, reach) in o.ReachByChannel)
        {
            var label = channel == OutcomeFigures.LettersOnly ? channel + " (letters only)" : "≥ 1 " + channel;
            sb.Append(CultureInfo.InvariantCulture, $"  {label,-30}{reach.Cases,10}{reach.Reached,10}{Rate(reach.Reached, reach.Cases),10}\n");
        }

        foreach (var (resultaat, n) in o.ClosedByResultaat)
        {
            Line("closed: " + resultaat, n);
        }

        Line("creditor feedback sent (help accepted)", o.FeedbackSent);
        foreach (var (creditor, n) in o.FeedbackSentByCreditor)
        {
            Line("  to " + creditor, n);
        }

        Line("tasks overdue without contact attempt", r.Escalation.Overdue);
        Line("tasks escalated (ESCALATED_OVERDUE)", r.Escalation.Escalated);
    }

    private static void StorageTable(StringBuilder sb, StorageRequestFigures s)
    {
        string Per(double v) => v.ToString("0.000", CultureInfo.InvariantCulture);
        sb.Append(CultureInfo.InvariantCulture, $"\nStorage requests per accepted signal ({s.AcceptedSignals} accepted; app tally since {s.InstanceStartedAt:yyyy-MM-dd HH:mm:ss}, each HTTP attempt)\n");
        sb.Append(CultureInfo.InvariantCulture, $"  {"stage",-12}{"service",-8}{"operation",-15}{"target",-23}{"requests",10}{"/signal",10}\n");
        foreach (var stage in s.Stages)
        {
            foreach (var row in s.Rows.Where(x => x.Stage == stage.Stage))
            {
                sb.Append(CultureInfo.InvariantCulture, $"  {row.Stage,-12}{row.Service,-8}{row.Operation,-15}{row.Target,-23}{row.Count,10}{Per(row.PerSignal),10}\n");
            }

            var label = stage.InTotal ? "subtotal"
                : stage.Stage == WorkStage.Outcomes ? "subtotal, not in the total (the teams' outcomes)"
                : "subtotal, not in the total (the report polling while it waits)";
            sb.Append(CultureInfo.InvariantCulture, $"  {stage.Stage,-12}{label,-46}{stage.Count,10}{Per(stage.PerSignal),10}\n");
        }

        sb.Append(CultureInfo.InvariantCulture, $"  {"end to end, every stage but report-wait",-58}{s.Total,10}{Per(s.PerSignal),10}\n");
        sb.Append(CultureInfo.InvariantCulture, $"  {"  of which the local topic (Service Bus stand-in)",-58}{s.LocalTopic,10}{Per(s.LocalTopicPerSignal),10}\n");
        sb.Append(CultureInfo.InvariantCulture, $"  {"end to end without the local topic",-58}{s.TotalWithoutLocalTopic,10}{Per(s.PerSignalWithoutLocalTopic),10}\n");
    }

    public static string ToHtml(RunReport r, IReadOnlyDictionary<string, string> gemeenteNames, TimeSpan? wallTime)
    {
        var sb = new StringBuilder();
        sb.Append("""
            <!DOCTYPE html>
            <html lang="nl">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>VroegSignalering – run report</title>
            <style>
            body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2rem;color:#222;max-width:72rem}
            h1{font-size:1.6rem;margin-bottom:.2rem} h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #ddd;padding-bottom:.3rem}
            .note{color:#666;font-size:.9rem}
            .tiles{display:grid;grid-template-columns:repeat(auto-fill,minmax(11rem,1fr));gap:.8rem;margin-top:1rem}
            .tile{border:1px solid #ddd;border-radius:.4rem;padding:.7rem}
            .tile .v{font-size:1.5rem;font-weight:600} .tile .k{color:#555;font-size:.85rem}
            table{border-collapse:collapse;margin-top:.6rem} th,td{padding:.25rem .7rem;border-bottom:1px solid #eee;text-align:right} th:first-child,td:first-child{text-align:left}
            .legend span{display:inline-block;margin-right:1rem;font-size:.85rem} .legend i{display:inline-block;width:.8rem;height:.8rem;margin-right:.3rem;vertical-align:middle}
            </style>
            </head>
            <body>
            <h1>VroegSignalering – run report</h1>
            """);
        sb.Append(CultureInfo.InvariantCulture, $"<p class=\"note\">Generated {Esc(r.GeneratedAt.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture))}. Every figure is read back from storage and the task queues.</p>\n");

        sb.Append("<div class=\"tiles\">\n");
        Tile(sb, "signals accepted", r.Intake.Accepted);
        Tile(sb, "rows rejected", r.Intake.Rejected);
        Tile(sb, "quarantined", r.Quarantine.Total);
        Tile(sb, "cases", r.Cases.Total);
        Tile(sb, "tasks dispatched", r.Tasks.Dispatched);
        Tile(sb, "signals / s", r.Throughput.SignalsPerSecond.ToString("0.0", CultureInfo.InvariantCulture));
        Tile(sb, "latency p95 (s)", r.Latency.P95.ToString("0.0", CultureInfo.InvariantCulture));
        if (wallTime is { } w)
        {
            Tile(sb, "wall time (s)", w.TotalSeconds.ToString("0", CultureInfo.InvariantCulture));
        }

        sb.Append("</div>\n");

        sb.Append("<h2>Tasks per priority per gemeente</h2>\n");
        sb.Append(StackedBars(r, gemeenteNames));
        sb.Append("<table><thead><tr><th>gemeente</th>");
        foreach (var p in Priorities)
        {
            sb.Append(CultureInfo.InvariantCulture, $"<th>{p}</th>");
        }

        sb.Append("<th>total</th><th>in queue</th></tr></thead><tbody>\n");
        foreach (var (gemeente, byPriority) in r.Tasks.ByGemeenteAndPriority)
        {
            sb.Append(CultureInfo.InvariantCulture, $"<tr><td>{Esc(Name(gemeente, gemeenteNames))}</td>");
            foreach (var p in Priorities)
            {
                sb.Append(CultureInfo.InvariantCulture, $"<td>{byPriority.GetValueOrDefault(p)}</td>");
            }

            sb.Append(CultureInfo.InvariantCulture, $"<td>{byPriority.Values.Sum()}</td><td>{r.Delivery.MessagesByGemeente.GetValueOrDefault(gemeente)}</td></tr>\n");
        }

        sb.Append("</tbody></table>\n");

        sb.Append(OutcomesHtml(r, gemeenteNames));

        sb.Append("<h2>Signal → task latency</h2>\n");
        sb.Append(CultureInfo.InvariantCulture, $"<p>p50 {r.Latency.P50:0.00} s · p95 {r.Latency.P95:0.00} s · p99 {r.Latency.P99:0.00} s · max {r.Latency.Max:0.00} s over {r.Latency.Samples} tasks</p>\n");
        sb.Append(Histogram(r.Latency));
        var c = r.CrisisLatency;
        sb.Append("<h2>Crisis signal → task latency</h2>\n");
        sb.Append(CultureInfo.InvariantCulture, $"<p>p50 {c.P50:0.00} s · p95 {c.P95:0.00} s · p99 {c.P99:0.00} s · max {c.Max:0.00} s over {c.Samples} crisis signals with a dispatched task; {c.WithoutDispatchedTask} of {c.Signals} crisis signals without one</p>\n");
        if (r.StorageRequests is { } storage)
        {
            sb.Append(StorageHtml(storage));
        }

        sb.Append("<h2>Intake</h2>\n<table><tbody>\n");
        Row(sb, "requests", r.Intake.Requests);
        Row(sb, "rows received", r.Intake.Rows);
        Row(sb, "accepted", r.Intake.Accepted);
        Row(sb, "rejected", r.Intake.Rejected);
        Row(sb, "duplicates", r.Intake.Duplicates);
        foreach (var (code, n) in r.Intake.RejectedByCode.OrderByDescending(kv => kv.Value))
        {
            Row(sb, "rejected, first error: " + code, n);
        }

        sb.Append("</tbody></table>\n<h2>Quarantine</h2>\n<table><tbody>\n");
        Row(sb, "quarantined", r.Quarantine.Total);
        foreach (var (reason, n) in r.Quarantine.ByReason)
        {
            Row(sb, reason, n);
        }

        if (r.QuarantineAge.ByReason.Count > 0)
        {
            sb.Append("</tbody></table>\n<h3>Quarantine by reason and age</h3>\n<table><thead><tr><th>reason</th>");
            foreach (var bucket in r.QuarantineAge.Buckets)
            {
                sb.Append("<th>").Append(WebUtility.HtmlEncode(bucket)).Append("</th>");
            }

            sb.Append("</tr></thead><tbody>\n");
            foreach (var (reason, counts) in r.QuarantineAge.ByReason)
            {
                sb.Append("<tr><td>").Append(WebUtility.HtmlEncode(reason)).Append("</td>");
                foreach (var n in counts)
                {
                    sb.Append(CultureInfo.InvariantCulture, $"<td>{n}</td>");
                }

                sb.Append("</tr>\n");
            }
        }

        sb.Append("</tbody></table>\n<h2>Cases</h2>\n<table><tbody>\n");
        Row(sb, "cases", r.Cases.Total);
        Row(sb, "with 2+ creditors (stapeling)", r.Cases.WithMultipleCreditors);
        Row(sb, "repeat signals without new task", r.Cases.RepeatSignalsWithoutNewTask);
        Row(sb, "task revisions after the first", r.Tasks.Revisions);
        foreach (var (status, n) in r.Cases.ByStatus)
        {
            Row(sb, "status " + status, n);
        }

        foreach (var (team, n) in r.Tasks.ByTeam)
        {
            Row(sb, "tasks for team " + team, n);
        }

        sb.Append("</tbody></table>\n</body>\n</html>\n");
        return sb.ToString();
    }

    private static string StackedBars(RunReport r, IReadOnlyDictionary<string, string> names)
    {
        var rows = r.Tasks.ByGemeenteAndPriority.ToList();
        var max = Math.Max(1, rows.Select(kv => kv.Value.Values.Sum()).DefaultIfEmpty(0).Max());
        const int barHeight = 24, gap = 10, labelWidth = 170, chartWidth = 560;
        var height = (rows.Count * (barHeight + gap)) + 30;
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"<svg role=\"img\" aria-label=\"Tasks per priority per gemeente\" width=\"{labelWidth + chartWidth + 60}\" height=\"{height}\" xmlns=\"http://www.w3.org/2000/svg\" font-size=\"12\">\n");
        var y = 0;
        foreach (var (gemeente, byPriority) in rows)
        {
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"0\" y=\"{y + 16}\">{Esc(Name(gemeente, names))}</text>\n");
            double x = labelWidth;
            foreach (var p in Priorities)
            {
                var n = byPriority.GetValueOrDefault(p);
                var w = n * (double)chartWidth / max;
                if (n > 0)
                {
                    sb.Append(CultureInfo.InvariantCulture, $"<rect x=\"{x:0.0}\" y=\"{y}\" width=\"{w:0.0}\" height=\"{barHeight}\" fill=\"{PriorityColours[p]}\"><title>{p}: {n}</title></rect>\n");
                }

                x += w;
            }

            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{x + 6:0.0}\" y=\"{y + 16}\">{byPriority.Values.Sum()}</text>\n");
            y += barHeight + gap;
        }

        sb.Append("</svg>\n<div class=\"legend\">");
        foreach (var p in Priorities)
        {
            sb.Append(CultureInfo.InvariantCulture, $"<span><i style=\"background:{PriorityColours[p]}\"></i>{p}</span>");
        }

        sb.Append("</div>\n");
        return sb.ToString();
    }

    private static readonly string[] FunnelColours = ["#95a5a6", "#7f8c8d", "#2e86c1", "#e67e22", "#27ae60", "#c0392b"];

    private static string OutcomesHtml(RunReport r, IReadOnlyDictionary<string, string> names)
    {
        var o = r.Outcomes;
        var sb = new StringBuilder();
        sb.Append("<h2>Outcomes: the funnel</h2>\n");
        sb.Append(CultureInfo.InvariantCulture, $"<p class=\"note\">Signals, cases, cases with a dispatched task, and of those the cases with a contact attempt, reached, and with help accepted, as the teams recorded them (outcome rows in storage). Reached {Esc(Rate(o.Total.Reached, o.Total.Attempted))} of the cases attempted; help accepted {Esc(Rate(o.Total.HelpAccepted, o.Total.Reached))} of those reached.</p>\n");
        sb.Append("<div class=\"tiles\">\n");
        Tile(sb, "cases attempted", o.Total.Attempted);
        Tile(sb, "reached", o.Total.Reached);
        Tile(sb, "help accepted", o.Total.HelpAccepted);
        Tile(sb, "creditor feedback sent", o.FeedbackSent);
        Tile(sb, "tasks overdue", r.Escalation.Overdue);
        Tile(sb, "tasks escalated", r.Escalation.Escalated);
        sb.Append("</div>\n");

        // Each step as a bar of its own length, on one scale per chart: the total, then each gemeente.
        const int barHeight = 18, gap = 4, labelWidth = 110, chartWidth = 480;
        void Funnel(string title, FunnelRow row)
        {
            var steps = Steps(row);
            var max = Math.Max(1, steps.Max());
            sb.Append(CultureInfo.InvariantCulture, $"<h3>{Esc(title)}</h3>\n<svg role=\"img\" aria-label=\"Funnel: {Esc(title)}\" width=\"{labelWidth + chartWidth + 90}\" height=\"{(steps.Length * (barHeight + gap)) + 4}\" xmlns=\"http://www.w3.org/2000/svg\" font-size=\"12\">\n");
            var y = 0;
            for (var i = 0; i < steps.Length; i++)
            {
                var w = steps[i] * (double)chartWidth / max;
                sb.Append(CultureInfo.InvariantCulture, $"<text x=\"0\" y=\"{y + 13}\">{FunnelSteps[i]}</text>\n");
                sb.Append(CultureInfo.InvariantCulture, $"<rect x=\"{labelWidth}\" y=\"{y}\" width=\"{w:0.0}\" height=\"{barHeight}\" fill=\"{FunnelColours[i]}\"><title>{FunnelSteps[i]}: {steps[i]}</title></rect>\n");
                sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{labelWidth + w + 6:0.0}\" y=\"{y + 13}\">{steps[i]}</text>\n");
                y += barHeight + gap;
            }

            sb.Append("</svg>\n");
        }

        Funnel("All gemeenten", o.Total);
        sb.Append("<table><thead><tr><th>gemeente</th>");
        foreach (var step in FunnelSteps)
        {
            sb.Append(CultureInfo.InvariantCulture, $"<th>{step}</th>");
        }

        sb.Append("<th>reached / attempted</th><th>accepted / reached</th></tr></thead><tbody>\n");
        foreach (var (gemeente, row) in o.ByGemeente.Append(new KeyValuePair<string, FunnelRow>("total", o.Total)))
        {
            sb.Append(CultureInfo.InvariantCulture, $"<tr><td>{Esc(Name(gemeente, names))}</td>");
            foreach (var v in Steps(row))
            {
                sb.Append(CultureInfo.InvariantCulture, $"<td>{v}</td>");
            }

            sb.Append(CultureInfo.InvariantCulture, $"<td>{Rate(row.Reached, row.Attempted)}</td><td>{Rate(row.HelpAccepted, row.Reached)}</td></tr>\n");
        }

        sb.Append("</tbody></table>\n");
        foreach (var (gemeente, row) in o.ByGemeente.Where(kv => kv.Value.Attempted > 0))
        {
            Funnel(Name(gemeente, names), row);
        }

        sb.Append("<h3>Reach by channel</h3>\n<p class=\"note\">Share of cases reached: letters only, and cases with at least one attempt of each kind (a case can count under more than one kind).</p>\n");
        var channels = o.ReachByChannel.ToList();
        sb.Append(CultureInfo.InvariantCulture, $"<svg role=\"img\" aria-label=\"Reach by channel\" width=\"{labelWidth + chartWidth + 150}\" height=\"{(channels.Count * (barHeight + gap)) + 4}\" xmlns=\"http://www.w3.org/2000/svg\" font-size=\"12\">\n");
        var cy = 0;
        foreach (var (channel, reach) in channels)
        {
            var share = reach.Cases == 0 ? 0 : (double)reach.Reached / reach.Cases;
            var w = share * chartWidth;
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"0\" y=\"{cy + 13}\">{Esc(channel)}</text>\n");
            sb.Append(CultureInfo.InvariantCulture, $"<rect x=\"{labelWidth}\" y=\"{cy}\" width=\"{chartWidth}\" height=\"{barHeight}\" fill=\"#eee\"/>\n");
            sb.Append(CultureInfo.InvariantCulture, $"<rect x=\"{labelWidth}\" y=\"{cy}\" width=\"{w:0.0}\" height=\"{barHeight}\" fill=\"#27ae60\"><title>{Esc(channel)}: {reach.Reached} of {reach.Cases} reached</title></rect>\n");
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{labelWidth + chartWidth + 6}\" y=\"{cy + 13}\">{Rate(reach.Reached, reach.Cases)} of {reach.Cases}</text>\n");
            cy += barHeight + gap;
        }

        sb.Append("</svg>\n<table><tbody>\n");
        Row(sb, "contact attempts", o.ContactAttempts);
        Row(sb, "help declined", o.HelpDeclined);
        foreach (var (resultaat, n) in o.ClosedByResultaat)
        {
            Row(sb, "closed: " + resultaat, n);
        }

        Row(sb, "creditor feedback sent (help accepted)", o.FeedbackSent);
        foreach (var (creditor, n) in o.FeedbackSentByCreditor)
        {
            Row(sb, "feedback to " + creditor, n);
        }

        Row(sb, "tasks overdue without a contact attempt", r.Escalation.Overdue);
        Row(sb, "tasks escalated (ESCALATED_OVERDUE)", r.Escalation.Escalated);
        sb.Append("</tbody></table>\n");
        return sb.ToString();
    }

    private static string StorageHtml(StorageRequestFigures s)
    {
        static string Per(double v) => v.ToString("0.000", CultureInfo.InvariantCulture);
        var sb = new StringBuilder();
        sb.Append("<h2>Storage requests per accepted signal</h2>\n");
        sb.Append(CultureInfo.InvariantCulture, $"<p class=\"note\">Each HTTP attempt of the app's storage clients (its tally since {Esc(s.InstanceStartedAt?.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture) ?? "?")}) and of this report, per {s.AcceptedSignals} accepted signals. The report's polling while it waits (report-wait) is shown but not in the total; the local topic stands in for Service Bus.</p>\n");

        var stages = s.Stages.Where(x => x.Count > 0 || x.InTotal).ToList();
        var max = Math.Max(1, stages.Select(x => x.PerSignal).DefaultIfEmpty(0).Max());
        const int barHeight = 20, gap = 8, labelWidth = 110, chartWidth = 520;
        sb.Append(CultureInfo.InvariantCulture, $"<svg role=\"img\" aria-label=\"Storage requests per accepted signal by stage\" width=\"{labelWidth + chartWidth + 90}\" height=\"{(stages.Count * (barHeight + gap)) + 10}\" xmlns=\"http://www.w3.org/2000/svg\" font-size=\"12\">\n");
        var y = 0;
        foreach (var stage in stages)
        {
            var w = stage.PerSignal * chartWidth / max;
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"0\" y=\"{y + 14}\">{Esc(stage.Stage)}</text>\n");
            sb.Append(CultureInfo.InvariantCulture, $"<rect x=\"{labelWidth}\" y=\"{y}\" width=\"{w:0.0}\" height=\"{barHeight}\" fill=\"{(stage.InTotal ? "#2e86c1" : "#95a5a6")}\"><title>{Esc(stage.Stage)}: {stage.Count} requests, {Per(stage.PerSignal)} per signal</title></rect>\n");
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{labelWidth + w + 6:0.0}\" y=\"{y + 14}\">{Per(stage.PerSignal)}</text>\n");
            y += barHeight + gap;
        }

        sb.Append("</svg>\n<table><thead><tr><th>stage</th><th>service</th><th>operation</th><th>target</th><th>requests</th><th>per signal</th></tr></thead><tbody>\n");
        foreach (var stage in s.Stages)
        {
            foreach (var row in s.Rows.Where(x => x.Stage == stage.Stage))
            {
                sb.Append(CultureInfo.InvariantCulture, $"<tr><td>{Esc(row.Stage)}</td><td style=\"text-align:left\">{Esc(row.Service)}</td><td style=\"text-align:left\">{Esc(row.Operation)}</td><td style=\"text-align:left\">{Esc(row.Target)}</td><td>{row.Count}</td><td>{Per(row.PerSignal)}</td></tr>\n");
            }

            sb.Append(CultureInfo.InvariantCulture, $"<tr><th>{Esc(stage.Stage)}</th><th colspan=\"3\" style=\"text-align:left\">{(stage.InTotal ? "subtotal" : "subtotal, not in the total")}</th><th>{stage.Count}</th><th>{Per(stage.PerSignal)}</th></tr>\n");
        }

        sb.Append(CultureInfo.InvariantCulture, $"<tr><th colspan=\"4\">end to end (every stage but report-wait)</th><th>{s.Total}</th><th>{Per(s.PerSignal)}</th></tr>\n");
        sb.Append(CultureInfo.InvariantCulture, $"<tr><td colspan=\"4\">of which the local topic (Service Bus stand-in)</td><td>{s.LocalTopic}</td><td>{Per(s.LocalTopicPerSignal)}</td></tr>\n");
        sb.Append(CultureInfo.InvariantCulture, $"<tr><th colspan=\"4\">end to end without the local topic</th><th>{s.TotalWithoutLocalTopic}</th><th>{Per(s.PerSignalWithoutLocalTopic)}</th></tr>\n");
        sb.Append("</tbody></table>\n");
        return sb.ToString();
    }

    private static string Histogram(LatencyFigures latency)
    {
        var buckets = latency.Histogram;
        if (buckets.Count == 0)
        {
            return "<p class=\"note\">No dispatched tasks.</p>\n";
        }

        var max = Math.Max(1, buckets.Max(b => b.Count));
        const int width = 640, height = 200, bottom = 30;
        var barWidth = width / (double)buckets.Count;
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"<svg role=\"img\" aria-label=\"Latency histogram\" width=\"{width + 20}\" height=\"{height + bottom}\" xmlns=\"http://www.w3.org/2000/svg\" font-size=\"11\">\n");
        for (var i = 0; i < buckets.Count; i++)
        {
            var b = buckets[i];
            var h = b.Count * (double)height / max;
            var x = i * barWidth;
            sb.Append(CultureInfo.InvariantCulture, $"<rect x=\"{x + 1:0.0}\" y=\"{height - h:0.0}\" width=\"{barWidth - 2:0.0}\" height=\"{h:0.0}\" fill=\"#2e86c1\"><title>{b.FromSeconds:0}–{b.ToSeconds:0} s: {b.Count}</title></rect>\n");
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{x + 2:0.0}\" y=\"{height + 14}\">{b.FromSeconds:0}s</text>\n");
        }

        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"0\" y=\"{height + 28}\">seconds from signal received to task dispatched (tasks per bucket)</text>\n</svg>\n");
        return sb.ToString();
    }

    private static void Tile(StringBuilder sb, string label, object value) =>
        sb.Append(CultureInfo.InvariantCulture, $"<div class=\"tile\"><div class=\"v\">{Esc(Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty)}</div><div class=\"k\">{Esc(label)}</div></div>\n");

    private static void Row(StringBuilder sb, string label, int value) =>
        sb.Append(CultureInfo.InvariantCulture, $"<tr><td>{Esc(label)}</td><td>{value}</td></tr>\n");

    private static string Name(string gemeente, IReadOnlyDictionary<string, string> names) =>
        names.TryGetValue(gemeente, out var n) ? $"{gemeente} {n}" : gemeente;

    private static string Esc(string text) => WebUtility.HtmlEncode(text);
}
