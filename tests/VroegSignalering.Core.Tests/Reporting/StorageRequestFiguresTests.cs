using VroegSignalering.Core.Reporting;

namespace VroegSignalering.Core.Tests.Reporting;

public sealed class StorageRequestFiguresTests
{
    [Fact]
    public void Requests_per_accepted_signal_are_given_per_row_per_stage_and_end_to_end_without_the_report_wait()
    {
        var figures = StorageRequestFigures.Build(
            [
                new("intake", "queue", "send", "signals-intake", 50),
                new("triage", "table", "get", "households", 300),
                new("triage", "table", "batch", "(in body)", 100),
                new("dispatch", "table", "upsert", "outreachtopic", 200),
                new("report", "table", "query", "households", 10),
                new("report-wait", "table", "query", "receipts", 5000),
            ],
            acceptedSignals: 100,
            instanceStartedAt: null);

        Assert.Equal(660, figures.Total);
        Assert.Equal(6.6, figures.PerSignal);
        Assert.Equal(200, figures.LocalTopic);
        Assert.Equal(460, figures.TotalWithoutLocalTopic);
        Assert.Equal(4.6, figures.PerSignalWithoutLocalTopic);
        Assert.Equal(5000, figures.ExcludedFromTotal);
        Assert.Equal(3.0, figures.Rows.Single(r => r.Operation == "get").PerSignal);
        var triage = figures.Stages.Single(s => s.Stage == "triage");
        Assert.Equal((400L, 4.0, true), (triage.Count, triage.PerSignal, triage.InTotal));
        var wait = figures.Stages.Single(s => s.Stage == "report-wait");
        Assert.Equal((5000L, 50.0, false), (wait.Count, wait.PerSignal, wait.InTotal));
        Assert.Equal(["intake", "processing", "triage", "dispatch", "report", "other", "report-wait"], figures.Stages.Select(s => s.Stage));
        Assert.Equal(0, figures.Stages.Single(s => s.Stage == "processing").Count);
    }

    [Fact]
    public void The_teams_outcome_requests_are_shown_after_the_pipeline_and_left_out_of_the_cost_per_signal()
    {
        var figures = StorageRequestFigures.Build(
            [
                new("triage", "table", "batch", "(in body)", 100),
                new("outcomes", "table", "query", "households", 40),
                new("outcomes", "table", "batch", "(in body)", 40),
                new("report-wait", "table", "query", "receipts", 30),
            ],
            acceptedSignals: 100,
            instanceStartedAt: null);

        Assert.Equal(100, figures.Total);
        Assert.Equal(1.0, figures.PerSignal);
        Assert.Equal(110, figures.ExcludedFromTotal);
        var outcomes = figures.Stages.Single(s => s.Stage == "outcomes");
        Assert.Equal((80L, false), (outcomes.Count, outcomes.InTotal));
        Assert.Equal(["intake", "processing", "triage", "dispatch", "report", "other", "outcomes", "report-wait"], figures.Stages.Select(s => s.Stage));
    }

    [Fact]
    public void Rows_of_the_same_kind_from_the_app_and_the_report_are_added_up()
    {
        var figures = StorageRequestFigures.Build(
            [new("report", "table", "query", "households", 10), new("report", "table", "query", "households", 5)], acceptedSignals: 3, instanceStartedAt: null);

        var row = Assert.Single(figures.Rows);
        Assert.Equal(15, row.Count);
        Assert.Equal(5.0, row.PerSignal);
    }

    [Fact]
    public void Without_accepted_signals_the_per_signal_figures_are_zero_not_infinite()
    {
        var figures = StorageRequestFigures.Build([new("other", "queue", "peek", "dispatch", 7)], acceptedSignals: 0, instanceStartedAt: null);

        Assert.Equal(7, figures.Total);
        Assert.Equal(0, figures.PerSignal);
    }
}
