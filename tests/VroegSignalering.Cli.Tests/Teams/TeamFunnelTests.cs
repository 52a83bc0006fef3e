using System.Globalization;
using System.Text.Json.Nodes;
using VroegSignalering.Cli.Teams;
using VroegSignalering.Core.Outcomes;
using VroegSignalering.Core.Reporting;
using VroegSignalering.Testing;

namespace VroegSignalering.Cli.Tests.Teams;

/// <summary>
/// The seeded teams of `vroeg teams work`: the same seed and task give the same outcomes, and over many tasks the
/// outcomes follow the national funnel of DOMAIN.md (1 in 5 reached, 35% of those accept help, reach by channel).
/// </summary>
public sealed class TeamFunnelTests
{
    // 20,000 tasks, about the month: the binomial standard error of a 20% rate is 0.3 points, of 35% on 4,000
    // reached cases 0.75 points, of 59% on 3,000 phone cases 0.9 points; the bounds below are over four of those.
    private static readonly IReadOnlyList<string> TaskIds = Enumerable.Range(0, 20_000)
        .Select(i => $"t-{i.ToString("x20", CultureInfo.InvariantCulture)}-1-r1").ToList();

    [Fact]
    public void The_same_seed_and_task_give_the_same_plan_and_another_seed_other_plans()
    {
        var first = TaskIds.Take(500).Select(id => Plan(7, id)).ToList();
        var again = TaskIds.Take(500).Select(id => Plan(7, id)).ToList();
        var other = TaskIds.Take(500).Select(id => Plan(8, id)).ToList();

        Assert.Equal(Describe(first), Describe(again));
        Assert.NotEqual(Describe(first), Describe(other));
    }

    [Fact]
    public void Another_revision_of_the_same_case_gets_the_same_outcomes()
    {
        // Which revision a team works can differ between runs; what happens to the case must not.
        foreach (var id in TaskIds.Take(200))
        {
            var first = Plan(5, id);
            var revised = TeamFunnel.Plan(5, CaseKey(id), id[..^1] + "3");

            Assert.Equal(
                first.Attempts.Select(a => (a.Soort, a.Bereikt, a.Dagdeel)),
                revised.Attempts.Select(a => (a.Soort, a.Bereikt, a.Dagdeel)));
            Assert.Equal((first.Channel, first.HelpAccepted, first.Resultaat), (revised.Channel, revised.HelpAccepted, revised.Resultaat));
            Assert.All(revised.Attempts, a => Assert.StartsWith(revised.TaskId + ".", a.Id, StringComparison.Ordinal));
        }
    }

    [Fact]
    public void Over_a_month_of_tasks_one_in_five_cases_is_reached_and_35_percent_of_those_accept_help()
    {
        var plans = TaskIds.Select(id => Plan(1, id)).ToList();
        var reached = plans.Count(p => p.Reached);
        var accepted = plans.Count(p => p.HelpAccepted == true);

        Assert.InRange(reached / (double)plans.Count, 0.188, 0.212);
        Assert.InRange(accepted / (double)reached, 0.32, 0.38);
        Assert.All(plans.Where(p => !p.Reached), p => Assert.Null(p.HelpAccepted));
    }

    [Theory]
    [InlineData(TeamFunnel.LettersOnly, 0.70, 0.06, 0.015)]
    [InlineData(TeamFunnel.Phone, 0.15, 0.59, 0.04)]
    [InlineData(TeamFunnel.HomeVisit, 0.15, 0.46, 0.04)]
    public void Reach_by_channel_follows_the_monitor(string channel, double share, double reach, double tolerance)
    {
        var plans = TaskIds.Select(id => Plan(1, id)).ToList();
        var mine = plans.Where(p => p.Channel == channel).ToList();

        Assert.InRange(mine.Count / (double)plans.Count, share - 0.02, share + 0.02);
        Assert.InRange(mine.Count(p => p.Reached) / (double)mine.Count, reach - tolerance, reach + tolerance);
    }

    [Fact]
    public void Reach_by_channel_measured_as_the_report_does_it_is_the_monitors()
    {
        // The report groups cases by the soorten of their attempts (letters only; at least one call; at least one visit).
        var plans = TaskIds.Select(id => Plan(1, id)).ToList();
        double Rate(Func<CasePlan, bool> group) => plans.Where(group).Count(p => p.Reached) / (double)plans.Count(group);

        Assert.InRange(Rate(p => p.Attempts.All(a => a.Soort == "Brief")), 0.045, 0.075);
        Assert.InRange(Rate(p => p.Attempts.Any(a => a.Soort == "Telefoon")), 0.55, 0.63);
        Assert.InRange(Rate(p => p.Attempts.Any(a => a.Soort == "Huisbezoek")), 0.42, 0.50);
    }

    [Fact]
    public void Every_plan_is_valid_for_the_outcome_api_and_its_lifecycle()
    {
        foreach (var plan in TaskIds.Take(5_000).Select(id => Plan(3, id)))
        {
            Assert.NotEmpty(plan.Attempts);
            Assert.Equal("Brief", plan.Attempts[0].Soort);
            Assert.All(plan.Attempts, a =>
            {
                Assert.Contains(a.Soort, OutcomeValues.Contactsoorten);
                Assert.Contains(a.Dagdeel, OutcomeValues.Dagdelen);
                Assert.Matches("^[A-Za-z0-9._:-]{1,64}$", a.Id);
            });
            Assert.Equal(plan.Attempts.Count, plan.Attempts.Select(a => a.Id).Distinct(StringComparer.Ordinal).Count());

            // A team stops trying once it has contact: only the last attempt can reach.
            Assert.All(plan.Attempts.SkipLast(1), a => Assert.False(a.Bereikt));
            if (plan.Reached)
            {
                Assert.NotNull(plan.HelpAccepted);
                Assert.Contains(plan.Resultaat, DdasValues.Eindresultaat);
            }
            else
            {
                Assert.Null(plan.Resultaat);
            }
        }
    }

    [Fact]
    public void Every_plan_closes_only_with_a_resultaat_that_agrees_with_its_own_attempts_and_help_decision()
    {
        var closed = 0;
        foreach (var plan in TaskIds.Take(5_000).Select(id => Plan(3, id)))
        {
            var progress = new CaseProgress(plan.Attempts.Count, plan.Attempts.Any(a => a.Bereikt), plan.HelpAccepted);
            if (plan.Resultaat is { } resultaat)
            {
                closed++;
                Assert.Null(ResultaatRules.Check(resultaat, progress));
            }
            else
            {
                // An unreached case stays open: no resultaat is posted for it.
                Assert.False(progress.Reached);
            }
        }

        Assert.InRange(closed, 500, 1_500);
    }

    [Fact]
    public void A_case_is_keyed_by_its_address_and_signal_facts_not_by_the_ids_that_differ_per_run()
    {
        // The ids in a task message come from keyed hashes under a key per run; the seeded synthetic month gives the
        // same addresses and signal facts every run. So the same case in another run must get the same key.
        var task = ExampleTask();
        var otherRun = ExampleTask();
        otherRun["taskId"] = "t-zzzzzzzzzzzzzzzzzzzz-1-r2";
        otherRun["caseId"] = "c-zzzzzzzzzzzzzzzzzzzz-1";
        otherRun["revision"] = 2;
        otherRun["createdAt"] = "2027-01-01T00:00:00+00:00";
        var signals = otherRun["signals"]!.AsArray();
        foreach (var signal in signals)
        {
            signal!["signalId"] = "s-" + Guid.NewGuid().ToString("N");
        }

        // The signals in another order: the key sorts them.
        var first = signals[0]!;
        signals.RemoveAt(0);
        signals.Add(first);

        var key = TeamWorker.CaseKeyOf(task);
        Assert.NotNull(key);
        Assert.Equal(key, TeamWorker.CaseKeyOf(otherRun));
        Assert.Equal(key, TeamWorker.Receive("m-1", otherRun.ToJsonString(), "0599").CaseKey);
        Assert.Equal("t-zzzzzzzzzzzzzzzzzzzz-1-r2", TeamWorker.Receive("m-1", otherRun.ToJsonString(), "0599").TaskId);
    }

    [Theory]
    [InlineData("household.address.huisnummer", 35)]
    [InlineData("household.address.postcode", "3011AB")]
    [InlineData("household.address.huisnummertoevoeging", "C")]
    [InlineData("signals.0.bedrag", 901.0)]
    [InlineData("signals.1.creditorId", "water-voorbeeld")]
    [InlineData("signals.1.signaaldatum", "2026-11-19")]
    [InlineData("signals.0.ontstaansdatum", "2026-09-18")]
    [InlineData("signals.0.signaalpartnerType", "Zorg")]
    public void Another_household_or_another_signal_gives_another_key(string path, object value)
    {
        var task = ExampleTask();
        var node = path.Split('.').SkipLast(1).Aggregate((JsonNode)task, (n, part) => int.TryParse(part, out var i) ? n[i]! : n[part]!);
        node[path.Split('.')[^1]] = JsonValue.Create(value);

        Assert.NotEqual(TeamWorker.CaseKeyOf(ExampleTask()), TeamWorker.CaseKeyOf(task));
    }

    [Fact]
    public void A_message_without_task_content_is_keyed_by_its_case_id()
    {
        var received = TeamWorker.Receive("t-0123456789abcdef0123-1-r3", "not json", "0599");

        Assert.Equal("t-0123456789abcdef0123-1-r3", received.TaskId);
        Assert.Equal("c-0123456789abcdef0123-1", received.CaseKey);
        Assert.Null(TeamWorker.CaseKeyOf(new JsonObject { ["taskId"] = "t-1" }));
    }

    private static JsonObject ExampleTask() =>
        JsonNode.Parse(File.ReadAllText(RepositoryRoot.File("docs", "contracts", "outreach-task.v1.example.json")))!.AsObject();

    // In these tests a task's case is its id without the revision, as in a single run.
    private static string CaseKey(string taskId) => taskId[..taskId.LastIndexOf("-r", StringComparison.Ordinal)];

    private static CasePlan Plan(long seed, string taskId) => TeamFunnel.Plan(seed, CaseKey(taskId), taskId);

    private static string Describe(IEnumerable<CasePlan> plans) => string.Join('\n', plans.Select(p =>
        $"{p.TaskId} {p.Channel} {string.Join(',', p.Attempts.Select(a => $"{a.Id}:{a.Soort}:{a.Bereikt}:{a.Dagdeel}"))} {p.HelpAccepted} {p.Resultaat}"));
}
