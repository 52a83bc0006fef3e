using System.Diagnostics;
using System.Text.Json.Nodes;
using VroegSignalering.Testing;

namespace VroegSignalering.Cli.Tests.Reporting;

/// <summary>
/// scripts/lib/compare-reports.js, the judge of scripts/check-reproducible.sh: the same counts in two runs
/// pass only when the runs did something; two empty runs, a missing count or any difference fail.
/// </summary>
public sealed class ReproducibilityCheckTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    [Fact]
    public void Two_reports_with_the_same_non_zero_counts_pass()
    {
        var (rc, output) = Compare(Report(), Report());

        Assert.True(rc == 0, output);
        Assert.Contains("counts identical", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Two_empty_reports_fail_although_their_counts_agree()
    {
        var (rc, output) = Compare(Report(empty: true), Report(empty: true));

        Assert.Equal(1, rc);
        Assert.Contains("count 'signalsStored' is 0", output, StringComparison.Ordinal);
        Assert.Contains("count 'tasks.total' is 0", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("intake", "accepted")]
    [InlineData("tasks", "total")]
    [InlineData("tasks", "dispatched")]
    [InlineData("cases", "total")]
    public void A_report_missing_a_required_count_fails(string section, string count)
    {
        JsonNode withoutCount(JsonObject r)
        {
            r[section]!.AsObject().Remove(count);
            return r;
        }

        var (rc, output) = Compare(withoutCount(Report()), withoutCount(Report()));

        Assert.Equal(1, rc);
        Assert.Contains($"count '{section}.{count}' is missing", output, StringComparison.Ordinal);
    }

    [Fact]
    public void A_report_without_signals_stored_fails()
    {
        var a = Report();
        var b = Report();
        a.Remove("signalsStored");
        b.Remove("signalsStored");

        var (rc, output) = Compare(a, b);

        Assert.Equal(1, rc);
        Assert.Contains("count 'signalsStored' is missing", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Two_reports_whose_counts_differ_fail()
    {
        var b = Report();
        b["tasks"]!["byPriority"]!["Hoog"] = 4;

        var (rc, output) = Compare(Report(), b);

        Assert.Equal(1, rc);
        Assert.Contains("tasks.byPriority.Hoog", output, StringComparison.Ordinal);
        Assert.Contains("1 of", output, StringComparison.Ordinal);
    }

    [Fact]
    public void With_repost_extra_rows_answered_as_duplicates_or_rejected_again_pass_and_are_shown()
    {
        var b = Report();
        b["intake"]!["requests"] = 3;
        b["intake"]!["rows"] = 17;
        b["intake"]!["duplicates"] = 4;
        b["intake"]!["rejected"] = 3;
        b["intake"]!["rejectedByCode"] = new JsonObject { ["postcode.invalid"] = 1 };

        var (rc, output) = Compare(Report(), b, "--repost");

        Assert.True(rc == 0, output);
        Assert.Contains("re-post: 5 extra rows = 1 extra rejected + 4 extra duplicates (explained)", output, StringComparison.Ordinal);
        Assert.Contains("<- re-posted", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("rows", 17)]
    [InlineData("accepted", 11)]
    [InlineData("duplicates", 1)]
    public void With_repost_extra_rows_that_do_not_add_up_or_another_intake_count_that_differs_fail(string count, int value)
    {
        var b = Report();
        b["intake"]![count] = value;

        var (rc, output) = Compare(Report(), b, "--repost");

        Assert.Equal(1, rc);
        Assert.Contains("differ", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Two_reports_whose_funnel_differs_fail()
    {
        var b = Report();
        b["outcomes"]!["total"]!["reached"] = 3;

        var (rc, output) = Compare(Report(), b);

        Assert.Equal(1, rc);
        Assert.Contains("outcomes.total.reached", output, StringComparison.Ordinal);
    }

    [Fact]
    public void A_run_whose_teams_attempted_nothing_fails_unless_it_is_the_crash_tests_repost()
    {
        JsonObject unworked()
        {
            var r = Report();
            r["outcomes"]!["total"]!["attempted"] = 0;
            return r;
        }

        var (rc, output) = Compare(unworked(), unworked());
        var (repostRc, repostOutput) = Compare(unworked(), unworked(), "--repost");

        Assert.Equal(1, rc);
        Assert.Contains("count 'outcomes.total.attempted' is 0", output, StringComparison.Ordinal);
        Assert.True(repostRc == 0, repostOutput);
    }

    [Fact]
    public void Overdue_and_escalated_tasks_depend_on_the_day_of_the_report_and_are_not_compared()
    {
        var b = Report();
        b["escalation"] = new JsonObject { ["overdue"] = 5, ["escalated"] = 1 };

        var (rc, output) = Compare(Report(), b);

        Assert.True(rc == 0, output);
        Assert.DoesNotContain("escalation", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Storage_request_counts_and_crisis_latency_differ_between_runs_by_nature_and_are_not_compared()
    {
        var a = Report();
        var b = Report();
        a["storageRequests"] = new JsonObject { ["total"] = 26000, ["perSignal"] = 13.0, ["rows"] = new JsonArray(new JsonObject { ["stage"] = "triage", ["count"] = 9000 }) };
        b["storageRequests"] = new JsonObject { ["total"] = 26113, ["perSignal"] = 13.06, ["rows"] = new JsonArray(new JsonObject { ["stage"] = "triage", ["count"] = 9113 }) };
        a["crisisLatency"] = new JsonObject { ["signals"] = 40, ["withoutDispatchedTask"] = 0, ["p99"] = 12.5 };
        b["crisisLatency"] = new JsonObject { ["signals"] = 40, ["withoutDispatchedTask"] = 1, ["p99"] = 31.0 };

        var (rc, output) = Compare(a, b);

        Assert.True(rc == 0, output);
        Assert.DoesNotContain("storageRequests", output, StringComparison.Ordinal);
        Assert.DoesNotContain("crisisLatency", output, StringComparison.Ordinal);
    }

    public void Dispose() => _temp.Dispose();

    /// <summary>A report as `vroeg report` writes it (the counts only; timings are not compared).</summary>
    private static JsonObject Report(bool empty = false)
    {
        int N(int n) => empty ? 0 : n;
        return new JsonObject
        {
            ["generatedAt"] = "2026-11-23T10:00:00Z",
            ["intake"] = new JsonObject { ["requests"] = N(2), ["rows"] = N(12), ["accepted"] = N(10), ["rejected"] = N(2), ["duplicates"] = 0, ["rejectedByCode"] = new JsonObject() },
            ["quarantine"] = new JsonObject { ["total"] = N(1), ["byReason"] = new JsonObject() },
            ["signalsStored"] = N(9),
            ["cases"] = new JsonObject { ["total"] = N(8), ["byStatus"] = new JsonObject(), ["byGemeente"] = new JsonObject() },
            ["tasks"] = new JsonObject
            {
                ["total"] = N(8), ["byPriority"] = empty ? new JsonObject() : new JsonObject { ["Hoog"] = 3, ["Laag"] = 5 },
                ["revisions"] = 0, ["dispatched"] = N(8), ["pending"] = 0, ["failed"] = 0,
            },
            ["delivery"] = new JsonObject
            {
                ["messagesByGemeente"] = empty ? new JsonObject() : new JsonObject { ["0363"] = 8 },
                ["distinctTasksByGemeente"] = new JsonObject(), ["poisonMessages"] = 0,
            },
            ["throughput"] = new JsonObject { ["signalsPerSecond"] = 12.5 },
            ["outcomes"] = new JsonObject
            {
                ["total"] = new JsonObject { ["signals"] = N(9), ["cases"] = N(8), ["tasks"] = N(8), ["attempted"] = N(8), ["reached"] = N(2), ["helpAccepted"] = N(1) },
                ["reachByChannel"] = new JsonObject { ["Alleen brief"] = new JsonObject { ["cases"] = N(6), ["reached"] = 0 } },
                ["feedbackSent"] = N(1),
            },
            ["escalation"] = new JsonObject { ["overdue"] = 0, ["escalated"] = 0 },
        };
    }

    private (int ExitCode, string Output) Compare(JsonNode first, JsonNode second, params string[] options)
    {
        var a = _temp.File($"run-1-{Guid.NewGuid():N}.json");
        var b = _temp.File($"run-2-{Guid.NewGuid():N}.json");
        File.WriteAllText(a, first.ToJsonString());
        File.WriteAllText(b, second.ToJsonString());
        var start = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(RepositoryRoot.File("scripts", "lib", "compare-reports.js"));
        foreach (var option in options)
        {
            start.ArgumentList.Add(option);
        }

        start.ArgumentList.Add(a);
        start.ArgumentList.Add(b);
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout + stderr.Result);
    }
}
