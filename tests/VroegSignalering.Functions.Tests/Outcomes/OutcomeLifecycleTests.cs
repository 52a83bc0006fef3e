using System.Net;
using Microsoft.Extensions.DependencyInjection;
using VroegSignalering.Core.Households;
using VroegSignalering.Core.Outcomes;
using VroegSignalering.Functions.Tests.Pipeline;
using VroegSignalering.Testing;
using static VroegSignalering.Functions.Tests.Outcomes.OutcomeTestSupport;

namespace VroegSignalering.Functions.Tests.Outcomes;

/// <summary>
/// A team's outcomes on a dispatched task, through the HTTP API on the local host and read back from the household
/// partition: each step's status, replays that change nothing, refused moves that store nothing, and the case
/// after it closes.
/// </summary>
public sealed class OutcomeLifecycleTests : IDisposable
{
    private const string Team = TestEnvironment.TeamAmsterdamKey;
    private readonly PipelineApp _app = new();

    [Fact]
    public async Task An_attempt_that_does_not_reach_the_household_moves_the_case_to_contact_attempted_with_the_attempt_and_the_outcome_stored()
    {
        var task = await DispatchedTaskAsync(_app, "OUT-L-1");
        var caseId = CaseIdOf(task);
        Assert.Equal("TaskDispatched", (await RowAsync(_app, task, "c|" + caseId)).GetString("Status"));

        using var response = await PostAsync(task, "contactpogingen", Attempt("p-1", soort: "Brief", dagdeel: "Middag"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await JsonAsync(response);
        Assert.Equal(("p-1", task, caseId, "Brief", false, Today, "Middag"),
            ((string)body["id"]!, (string)body["taskId"]!, (string)body["caseId"]!, (string)body["soort"]!, (bool)body["bereikt"]!, (string)body["datum"]!, (string)body["dagdeel"]!));
        Assert.Equal("ContactAttempted", (await RowAsync(_app, task, "c|" + caseId)).GetString("Status"));
        var attempt = await RowAsync(_app, task, $"p|{caseId}|p-1");
        Assert.Equal(("Brief", false, Today, "Middag", "team-0363", task), (attempt.GetString("Soort"), attempt.GetBoolean("Bereikt"), attempt.GetString("Datum"), attempt.GetString("Dagdeel"), attempt.GetString("TeamId"), attempt.GetString("TaskId")));
        var outcome = await RowAsync(_app, task, "u|" + caseId);
        Assert.Equal(1, outcome.GetInt32("Attempts"));
        Assert.NotNull(outcome.GetDateTimeOffset("FirstAttemptAt"));
        Assert.Null(outcome.GetDateTimeOffset("ReachedAt"));
    }

    [Fact]
    public async Task Replaying_an_attempt_with_the_same_id_and_values_answers_the_same_and_changes_nothing()
    {
        var task = await DispatchedTaskAsync(_app, "OUT-L-2");
        using var first = await PostAsync(task, "contactpogingen", Attempt("p-1", bereikt: true));
        var stored = await PartitionAsync(_app, task);

        using var replay = await PostAsync(task, "contactpogingen", Attempt("p-1", bereikt: true));

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, replay.StatusCode);
        Assert.Equal(await first.Content.ReadAsStringAsync(), await replay.Content.ReadAsStringAsync());
        Assert.Equal(stored, await PartitionAsync(_app, task));
        Assert.Equal(1, (await RowAsync(_app, task, "u|" + CaseIdOf(task))).GetInt32("Attempts"));
    }

    [Fact]
    public async Task The_same_attempt_id_with_other_values_is_409_and_changes_nothing()
    {
        var task = await DispatchedTaskAsync(_app, "OUT-L-3");
        using var first = await PostAsync(task, "contactpogingen", Attempt("p-1"));
        var stored = await PartitionAsync(_app, task);

        using var other = await PostAsync(task, "contactpogingen", Attempt("p-1", soort: "Huisbezoek"));

        Assert.Equal(HttpStatusCode.Conflict, other.StatusCode);
        Assert.Equal("application/problem+json", other.Content.Headers.ContentType?.MediaType);
        Assert.Equal([("id", OutcomeErrorCodes.AttemptConflict)], await ErrorsAsync(other));
        Assert.Equal(stored, await PartitionAsync(_app, task));
    }

    [Fact]
    public async Task A_case_runs_from_dispatched_through_attempted_reached_and_help_accepted_to_closed_and_the_team_reads_it_back()
    {
        var task = await DispatchedTaskAsync(_app, "OUT-L-4");
        var caseId = CaseIdOf(task);
        var statuses = new List<string?>();

        foreach (var (endpoint, body) in new[]
        {
            ("contactpogingen", Attempt("p-1", soort: "Brief")),
            ("contactpogingen", Attempt("p-2", soort: "Telefoon", bereikt: true)),
            ("contactpogingen", Attempt("p-3", soort: "Telefoon", bereikt: false, dagdeel: "Avond")),
            ("hulpaanbod", $$"""{"aanvaard":true,"datum":"{{Today}}"}"""),
            ("afsluiting", """{"resultaat":"Vervolghulp en/of verwijzing financieel"}"""),
        })
        {
            using var response = await PostAsync(task, endpoint, body);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{endpoint}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            statuses.Add((await RowAsync(_app, task, "c|" + caseId)).GetString("Status"));
        }

        // An attempt that does not reach a household already reached leaves it reached.
        Assert.Equal(["ContactAttempted", "Reached", "Reached", "HelpAccepted", "Closed"], statuses);
        var @case = await RowAsync(_app, task, "c|" + caseId);
        Assert.Equal("Vervolghulp en/of verwijzing financieel", @case.GetString("Resultaat"));
        Assert.NotNull(@case.GetDateTimeOffset("ClosedAt"));
        var outcome = await RowAsync(_app, task, "u|" + caseId);
        Assert.Equal((3, "Telefoon", true), (outcome.GetInt32("Attempts"), outcome.GetString("ReachedSoort"), outcome.GetBoolean("HelpAccepted")));

        using var view = await SendAsync(_app, "GET", $"/api/v1/tasks/{task}", Team);
        var json = await JsonAsync(view);
        Assert.Equal(HttpStatusCode.OK, view.StatusCode);
        Assert.Equal("Closed", (string?)json["status"]);
        Assert.Equal(["p-1", "p-2", "p-3"], json["contactpogingen"]!.AsArray().Select(a => (string)a!["id"]!).Order(StringComparer.Ordinal));
        Assert.True((bool)json["hulpAanvaard"]!);
        Assert.Equal("Vervolghulp en/of verwijzing financieel", (string?)json["resultaat"]);
    }

    [Fact]
    public async Task Help_offered_before_the_household_was_reached_is_409_and_stores_nothing()
    {
        var task = await DispatchedTaskAsync(_app, "OUT-L-5");
        using var attempt = await PostAsync(task, "contactpogingen", Attempt("p-1"));
        var stored = await PartitionAsync(_app, task);

        using var help = await PostAsync(task, "hulpaanbod", $$"""{"aanvaard":true,"datum":"{{Today}}"}""");

        Assert.Equal(HttpStatusCode.Conflict, help.StatusCode);
        Assert.Equal([("aanvaard", OutcomeErrorCodes.TransitionRefused)], await ErrorsAsync(help));
        Assert.Equal(stored, await PartitionAsync(_app, task));
    }

    [Fact]
    public async Task A_help_decision_is_recorded_once_the_same_again_answers_the_same_and_another_is_409()
    {
        var task = await DispatchedTaskAsync(_app, "OUT-L-6");
        using var reached = await PostAsync(task, "contactpogingen", Attempt("p-1", soort: "Huisbezoek", bereikt: true));
        using var declined = await PostAsync(task, "hulpaanbod", $$"""{"aanvaard":false,"datum":"{{Today}}"}""");
        var stored = await PartitionAsync(_app, task);

        using var again = await PostAsync(task, "hulpaanbod", $$"""{"aanvaard":false,"datum":"{{Today}}"}""");
        using var changed = await PostAsync(task, "hulpaanbod", $$"""{"aanvaard":true,"datum":"{{Today}}"}""");

        Assert.Equal(HttpStatusCode.OK, declined.StatusCode);
        Assert.Equal("HelpDeclined", (await RowAsync(_app, task, "c|" + CaseIdOf(task))).GetString("Status"));
        Assert.Equal(await declined.Content.ReadAsStringAsync(), await again.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Conflict, changed.StatusCode);
        Assert.Equal([("aanvaard", OutcomeErrorCodes.HelpConflict)], await ErrorsAsync(changed));
        Assert.Equal(stored, await PartitionAsync(_app, task));
    }

    [Fact]
    public async Task A_closed_case_refuses_new_outcomes_with_409_but_answers_a_replay_of_its_closing_the_same()
    {
        var task = await DispatchedTaskAsync(_app, "OUT-L-7");
        using var closed = await PostAsync(task, "afsluiting", """{"resultaat":"Definitief geen contact kunnen krijgen"}""");
        var stored = await PartitionAsync(_app, task);

        using var replay = await PostAsync(task, "afsluiting", """{"resultaat":"Definitief geen contact kunnen krijgen"}""");
        using var other = await PostAsync(task, "afsluiting", """{"resultaat":"Verwijzing zonder contact"}""");
        using var attempt = await PostAsync(task, "contactpogingen", Attempt("p-late"));
        using var help = await PostAsync(task, "hulpaanbod", $$"""{"aanvaard":true,"datum":"{{Today}}"}""");

        Assert.Equal(HttpStatusCode.OK, closed.StatusCode);
        Assert.Equal(await closed.Content.ReadAsStringAsync(), await replay.Content.ReadAsStringAsync());
        Assert.Equal([("resultaat", OutcomeErrorCodes.CaseClosed)], await ErrorsAsync(other));
        Assert.Equal([("id", OutcomeErrorCodes.CaseClosed)], await ErrorsAsync(attempt));
        Assert.Equal([("aanvaard", OutcomeErrorCodes.CaseClosed)], await ErrorsAsync(help));
        Assert.All(new[] { other, attempt, help }, r => Assert.Equal(HttpStatusCode.Conflict, r.StatusCode));
        Assert.Equal(stored, await PartitionAsync(_app, task));
    }

    [Fact]
    public async Task A_signal_after_the_case_closed_opens_a_new_case_with_its_own_task()
    {
        var first = await DispatchedTaskAsync(_app, "OUT-L-8a");
        using var closed = await PostAsync(first, "afsluiting", """{"resultaat":"Niet opgepakt: andere reden"}""");
        Assert.Equal(HttpStatusCode.OK, closed.StatusCode);

        var second = await DispatchedTaskAsync(_app, "OUT-L-8b");

        Assert.NotEqual(CaseIdOf(first), CaseIdOf(second));
        Assert.EndsWith("-2", CaseIdOf(second), StringComparison.Ordinal);
        Assert.Equal("Closed", (await RowAsync(_app, first, "c|" + CaseIdOf(first))).GetString("Status"));
        Assert.Equal("TaskDispatched", (await RowAsync(_app, second, "c|" + CaseIdOf(second))).GetString("Status"));
    }

    [Fact]
    public async Task A_new_task_revision_on_a_reached_household_keeps_the_case_reached()
    {
        var first = await DispatchedTaskAsync(_app, "OUT-L-9a");
        using var reached = await PostAsync(first, "contactpogingen", Attempt("p-1", bereikt: true));

        // Another creditor signals the same household: triage makes a new revision of the same case and it is dispatched.
        var revision = await DispatchedTaskAsync(_app, "OUT-L-9b", apiKey: TestEnvironment.EnergieKey, partnerType: "Energie");

        Assert.Equal(CaseIdOf(first), CaseIdOf(revision));
        Assert.EndsWith("-r2", revision, StringComparison.Ordinal);
        Assert.Equal("Reached", (await RowAsync(_app, first, "c|" + CaseIdOf(first))).GetString("Status"));
        using var help = await PostAsync(revision, "hulpaanbod", $$"""{"aanvaard":true,"datum":"{{Today}}"}""");
        Assert.Equal(HttpStatusCode.OK, help.StatusCode);
    }

    [Fact]
    public async Task The_attempt_and_the_outcome_are_written_only_with_the_case_in_one_transaction()
    {
        var task = await DispatchedTaskAsync(_app, "OUT-L-10");
        var store = _app.Services.GetRequiredService<IOutcomeStore>();
        var target = (await store.FindAsync(task, "p-1", CancellationToken.None))!;
        using (var moved = await PostAsync(task, "contactpogingen", Attempt("p-0")))
        {
            Assert.Equal(HttpStatusCode.OK, moved.StatusCode);
        }

        var stored = await PartitionAsync(_app, task);
        var current = (await store.FindAsync(task, "p-1", CancellationToken.None))!;

        // Only the case changed since target was read (the outcome's version is current): nothing may be written.
        var attempt = new ContactAttempt("p-1", target.Task.CaseId, task, "Telefoon", true, DateOnly.FromDateTime(DateTime.UtcNow), "Ochtend", "team-0363", DateTimeOffset.UtcNow);
        var committed = await store.CommitAsync(target.HouseholdKey, new OutcomeCommit(
            target.Case, target.Case.Value with { Status = CaseStatus.Reached }, current.Outcome!.Version, current.Outcome.Value with { Attempts = 2 }, attempt), CancellationToken.None);

        Assert.False(committed);
        Assert.Equal(stored, await PartitionAsync(_app, task));
    }

    public void Dispose() => _app.Dispose();

    private Task<HttpResponseMessage> PostAsync(string task, string endpoint, string json) =>
        SendAsync(_app, "POST", $"/api/v1/tasks/{task}/{endpoint}", Team, json: json);
}
