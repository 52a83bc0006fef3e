using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using VroegSignalering.Core.Outcomes;
using VroegSignalering.Functions.Tests.Pipeline;
using VroegSignalering.Testing;
using static VroegSignalering.Functions.Tests.Outcomes.OutcomeTestSupport;

namespace VroegSignalering.Functions.Tests.Outcomes;

/// <summary>
/// What a creditor hears back: per signaalReferentie that help was accepted, and the day. The property test plays
/// random outcomes over random households with signals from random creditors and checks each creditor's feedback,
/// read in pages of random size, is exactly its own accepted signals with nothing else in the answer.
/// </summary>
public sealed class CreditorFeedbackTests : IDisposable
{
    private static readonly (string Key, string PartnerType, string Id)[] Creditors =
    [
        (TestEnvironment.HuurKey, "Huur", "test-huur"),
        (TestEnvironment.EnergieKey, "Energie", "test-energie"),
        (TestEnvironment.WaterKey, "Water", "test-water"),
        (TestEnvironment.ZorgKey, "Zorg", "test-zorg"),
    ];

    private readonly PipelineApp _app = new();

    private enum Outcome
    {
        None,
        NotReached,
        Reached,
        Accepted,
        Declined,
        AcceptedAndClosed,
        DeclinedAndClosed,
        ClosedWithoutContact,
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task A_creditors_feedback_is_exactly_its_own_signals_where_help_was_accepted_with_the_date_and_nothing_else(int seed)
    {
        var rng = new Random(seed);
        var households = new List<(int Huisnummer, List<(int Creditor, string Reference)> Signals, Outcome Outcome)>();
        for (var i = 0; i < 10; i++)
        {
            var creditors = Enumerable.Range(0, Creditors.Length).OrderBy(_ => rng.Next()).Take(rng.Next(1, 4)).ToList();
            households.Add((seed * 10 + i, creditors.Select(c => (c, $"FB{seed}-{i}-{Creditors[c].PartnerType}")).ToList(), (Outcome)rng.Next(0, 8)));
        }

        // Each seed plays accepted help beside outcomes that must stay silent.
        Assert.Contains(households, h => h.Outcome is Outcome.Accepted or Outcome.AcceptedAndClosed);
        Assert.Contains(households, h => h.Outcome is Outcome.Declined or Outcome.DeclinedAndClosed);

        foreach (var (creditor, index) in Creditors.Select((c, i) => (c, i)))
        {
            var signals = households.SelectMany(h => h.Signals.Where(s => s.Creditor == index).Select(s => TestSignals.Signal(s.Reference, partnerType: creditor.PartnerType, huisnummer: h.Huisnummer))).ToArray();
            if (signals.Length > 0)
            {
                using var posted = await _app.PostAsync(creditor.Key, TestSignals.Array(signals));
                Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);
            }
        }

        await _app.RunPipelineAsync();
        var rows = await _app.HouseholdEntitiesAsync();
        var secrets = new List<string>(TestSignals.DefaultPersonalValues) { "team-0363", "Telefoon", "Huisbezoek", "false", "resultaat", "aanvaard\"" };
        secrets.AddRange(VroegSignalering.Core.Reporting.DdasValues.Eindresultaat);
        foreach (var (huisnummer, signals, outcome) in households)
        {
            var signal = Assert.Single(rows, e => e.RowKey.StartsWith("s|", StringComparison.Ordinal) && e.GetString("Referentie") == signals[0].Reference);
            var task = rows.Where(e => e.PartitionKey == signal.PartitionKey && e.RowKey.StartsWith("t|", StringComparison.Ordinal)).MaxBy(e => e.GetInt32("Revision"))!.RowKey[2..];
            secrets.Add(task);
            secrets.Add(CaseIdOf(task));
            secrets.Add(signal.PartitionKey);
            await PlayAsync(task, outcome);
        }

        foreach (var (creditor, index) in Creditors.Select((c, i) => (c, i)))
        {
            var expected = households.Where(h => h.Outcome is Outcome.Accepted or Outcome.AcceptedAndClosed)
                .SelectMany(h => h.Signals.Where(s => s.Creditor == index).Select(s => (s.Reference, Today)))
                .Order().ToList();
            var others = households.SelectMany(h => h.Signals.Where(s => s.Creditor != index).Select(s => s.Reference)).ToList();

            var (items, texts) = await ReadAllAsync(creditor.Key, rng);

            Assert.Equal(expected, items.Order().ToList());
            foreach (var text in texts)
            {
                Assert.All(others.Concat(secrets), secret => Assert.DoesNotContain(secret, text, StringComparison.Ordinal));
            }
        }
    }

    [Fact]
    public async Task An_acceptance_committed_before_a_crash_still_reaches_the_creditor_on_its_next_read()
    {
        var task = await DispatchedTaskAsync(_app, "FB-CRASH-1");
        using (var reached = await SendAsync(_app, "POST", $"/api/v1/tasks/{task}/contactpogingen", TestEnvironment.TeamAmsterdamKey, json: Attempt("p-1", bereikt: true)))
        {
            Assert.Equal(HttpStatusCode.OK, reached.StatusCode);
        }

        // The same app's storage, in a process that dies right after the household transaction recorded the acceptance.
        using var crashing = new PipelineApp(
            new Dictionary<string, string?>(_app.Settings.Where(s => s.Key is "Storage:TablePrefix" or "Keys:Encryption:Keys:t1" or "Keys:Hmac:Keys:h1" or "SignalsIntakeQueue" or "DispatchQueue")),
            services: s => s.CrashAfterOutcomeCommit());
        await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            using var accepted = await SendAsync(crashing, "POST", $"/api/v1/tasks/{task}/hulpaanbod", TestEnvironment.TeamAmsterdamKey, json: $$"""{"aanvaard":true,"datum":"{{Today}}"}""");
            Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        });
        Assert.Equal("HelpAccepted", (await RowAsync(_app, task, "c|" + CaseIdOf(task))).GetString("Status"));

        var (items, _) = await ReadAllAsync(TestEnvironment.HuurKey, new Random(1));

        Assert.Equal([("FB-CRASH-1", Today)], items);
    }

    [Fact]
    public async Task A_promise_of_feedback_whose_acceptance_never_committed_is_never_told_and_goes_after_the_grace_period()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var app = new PipelineApp(services: s => s.Replace(ServiceDescriptor.Singleton<TimeProvider>(clock)));
        var task = await DispatchedTaskAsync(app, "FB-GRACE-1");
        var store = app.Services.GetRequiredService<IOutcomeStore>();
        var target = (await store.FindAsync(task, null, CancellationToken.None))!;
        var feedback = app.Services.GetRequiredService<IFeedbackStore>();
        var owner = Assert.Single(await store.SignalOwnersAsync(target.HouseholdKey, target.Case.Value.SignalIds, CancellationToken.None));
        await feedback.AddPendingAsync([new PendingFeedback(owner.CreditorId, owner.SignalId, owner.SignaalReferentie, target.HouseholdKey, target.Case.Value.CaseId, clock.GetUtcNow())], CancellationToken.None);

        using var early = await SendAsync(app, "GET", "/api/v1/feedback", TestEnvironment.HuurKey);
        var pendingEarly = await feedback.ListPendingAsync("test-huur", CancellationToken.None);
        clock.Advance(CreditorFeedbackReader.Grace + TimeSpan.FromSeconds(1));
        using var late = await SendAsync(app, "GET", "/api/v1/feedback", TestEnvironment.HuurKey);

        Assert.Empty((await JsonAsync(early))["items"]!.AsArray());
        Assert.Single(pendingEarly);
        Assert.Empty((await JsonAsync(late))["items"]!.AsArray());
        Assert.Empty(await feedback.ListPendingAsync("test-huur", CancellationToken.None));
    }

    [Theory]
    [InlineData("max=0", "max", "max.out_of_range")]
    [InlineData("max=501", "max", "max.out_of_range")]
    [InlineData("max=ten", "max", "max.out_of_range")]
    [InlineData("cursor=", "cursor", "cursor.invalid")]
    [InlineData("cursor=a%20b", "cursor", "cursor.invalid")]
    public async Task A_bad_query_is_400_naming_the_parameter(string query, string field, string code)
    {
        using var response = await SendAsync(_app, "GET", "/api/v1/feedback?" + query, TestEnvironment.HuurKey);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal([(field, code)], await ErrorsAsync(response));
    }

    public void Dispose() => _app.Dispose();

    private async Task PlayAsync(string task, Outcome outcome)
    {
        var steps = new List<(string Endpoint, string Body)>();
        if (outcome is Outcome.NotReached)
        {
            steps.Add(("contactpogingen", Attempt("p-1")));
        }

        if (outcome is Outcome.Reached or Outcome.Accepted or Outcome.Declined or Outcome.AcceptedAndClosed or Outcome.DeclinedAndClosed)
        {
            steps.Add(("contactpogingen", Attempt("p-1", soort: "Huisbezoek", bereikt: true)));
        }

        if (outcome is Outcome.Accepted or Outcome.AcceptedAndClosed or Outcome.Declined or Outcome.DeclinedAndClosed)
        {
            var accepted = outcome is Outcome.Accepted or Outcome.AcceptedAndClosed;
            steps.Add(("hulpaanbod", $$"""{"aanvaard":{{(accepted ? "true" : "false")}},"datum":"{{Today}}"}"""));
        }

        if (outcome is Outcome.AcceptedAndClosed or Outcome.DeclinedAndClosed or Outcome.ClosedWithoutContact)
        {
            // Each result agrees with the progress before it (ResultaatRules).
            var resultaat = outcome switch
            {
                Outcome.AcceptedAndClosed => "Vervolghulp en/of verwijzing financieel",
                Outcome.DeclinedAndClosed => "Inwoner hoeft geen hulp vanuit vroegsignalering",
                _ => "Definitief geen contact kunnen krijgen",
            };
            steps.Add(("afsluiting", $$"""{"resultaat":"{{resultaat}}"}"""));
        }

        foreach (var (endpoint, body) in steps)
        {
            using var response = await SendAsync(_app, "POST", $"/api/v1/tasks/{task}/{endpoint}", TestEnvironment.TeamAmsterdamKey, json: body);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{outcome} {endpoint}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
    }

    // Every item, page by page with the cursor, checking each answer's shape: items of exactly three fields, and a cursor.
    private async Task<(List<(string Reference, string Datum)> Items, List<string> Texts)> ReadAllAsync(string key, Random rng)
    {
        var items = new List<(string, string)>();
        var texts = new List<string>();
        string? cursor = null;
        for (var page = 0; page < 100; page++)
        {
            var query = $"max={rng.Next(1, 4)}" + (cursor is null ? string.Empty : "&cursor=" + Uri.EscapeDataString(cursor));
            using var response = await SendAsync(_app, "GET", "/api/v1/feedback?" + query, key);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var text = await response.Content.ReadAsStringAsync();
            texts.Add(text);
            var json = JsonNode.Parse(text)!.AsObject();
            Assert.Equal(["cursor", "items"], json.Select(p => p.Key).Order(StringComparer.Ordinal));
            var batch = json["items"]!.AsArray();
            foreach (var item in batch.Select(i => i!.AsObject()))
            {
                Assert.Equal(["datum", "hulpAanvaard", "signaalReferentie"], item.Select(p => p.Key).Order(StringComparer.Ordinal));
                Assert.True((bool)item["hulpAanvaard"]!);
                items.Add(((string)item["signaalReferentie"]!, (string)item["datum"]!));
            }

            if (batch.Count == 0)
            {
                return (items, texts);
            }

            cursor = (string?)json["cursor"];
        }

        throw new InvalidOperationException("the feedback did not end within 100 pages");
    }
}

/// <summary>An outcome store whose process dies right after its household transaction committed.</summary>
internal sealed class CrashAfterCommit(IOutcomeStore inner) : IOutcomeStore
{
    public Task<OutcomeTarget?> FindAsync(string taskId, string? attemptId, CancellationToken cancellationToken) => inner.FindAsync(taskId, attemptId, cancellationToken);

    public Task<IReadOnlyList<ContactAttempt>> ListAttemptsAsync(string householdKey, string caseId, CancellationToken cancellationToken) => inner.ListAttemptsAsync(householdKey, caseId, cancellationToken);

    public Task<CaseOutcome?> GetOutcomeAsync(string householdKey, string caseId, CancellationToken cancellationToken) => inner.GetOutcomeAsync(householdKey, caseId, cancellationToken);

    public Task<CaseState?> GetCaseAsync(string householdKey, string caseId, CancellationToken cancellationToken) => inner.GetCaseAsync(householdKey, caseId, cancellationToken);

    public Task<IReadOnlyList<SignalOwner>> SignalOwnersAsync(string householdKey, IReadOnlyList<string> signalIds, CancellationToken cancellationToken) => inner.SignalOwnersAsync(householdKey, signalIds, cancellationToken);

    public async Task<bool> CommitAsync(string householdKey, OutcomeCommit commit, CancellationToken cancellationToken)
    {
        Assert.True(await inner.CommitAsync(householdKey, commit, cancellationToken));
        throw new IOException("the process died after the commit");
    }
}

internal static class CrashAfterCommitRegistration
{
    public static void CrashAfterOutcomeCommit(this IServiceCollection services)
    {
        var original = services.Last(d => d.ServiceType == typeof(IOutcomeStore));
        services.Remove(original);
        services.AddSingleton<IOutcomeStore>(sp => new CrashAfterCommit(original.ImplementationFactory!(sp) as IOutcomeStore ?? throw new InvalidOperationException("the outcome store is registered by factory")));
    }
}
