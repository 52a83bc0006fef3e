using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using VroegSignalering.Core.Common;
using VroegSignalering.Core.Households;
using VroegSignalering.Core.Outcomes;
using VroegSignalering.Functions.Tests.Pipeline;
using VroegSignalering.Testing;
using static VroegSignalering.Functions.Tests.Outcomes.OutcomeTestSupport;

namespace VroegSignalering.Functions.Tests.Outcomes;

/// <summary>
/// A signal that joins a case after its help was accepted: its creditor hears the same kind of feedback item as the
/// case's earlier creditors (dated the day it joined, from which the creditor's 30-day pause runs), once, even when the process dies between the triage commit
/// and the feedback write.
/// </summary>
public sealed class JoinedSignalFeedbackTests : IDisposable
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private readonly PipelineApp _app;

    public JoinedSignalFeedbackTests() =>
        _app = new PipelineApp(services: s => s.Replace(ServiceDescriptor.Singleton<TimeProvider>(_clock)));

    [Fact]
    public async Task A_signal_joining_a_case_whose_help_was_accepted_gets_its_creditor_one_item_dated_the_day_it_joined_and_a_second_triage_adds_nothing()
    {
        var task = await AcceptedTaskAsync("JOIN-HUUR-1");
        var accepted = Today;
        var huurBefore = await ItemsAsync(TestEnvironment.HuurKey);

        // Two days later another creditor signals the same household: the signal joins the accepted case.
        _clock.Advance(TimeSpan.FromDays(2));
        var joinDay = DutchCalendar.LocalDate(_clock.GetUtcNow()).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        await PostAsync(TestEnvironment.EnergieKey, "Energie", "JOIN-ENERGIE-1");
        await _app.RunPipelineAsync();
        var feedbackRows = await FeedbackRowsAsync();
        await _app.RunPipelineAsync();
        await _app.TriageAsync();

        var @case = await RowAsync(_app, task, "c|" + CaseIdOf(task));
        Assert.Equal("HelpAccepted", @case.GetString("Status"));
        Assert.Equal(2, @case.GetString("SignalIds").Split(',').Length);
        Assert.NotEqual(accepted, joinDay);
        Assert.Equal([("JOIN-ENERGIE-1", joinDay)], await ItemsAsync(TestEnvironment.EnergieKey));
        Assert.Equal([("JOIN-HUUR-1", accepted)], huurBefore);
        Assert.Equal(huurBefore, await ItemsAsync(TestEnvironment.HuurKey));
        Assert.Empty(await ItemsAsync(TestEnvironment.WaterKey));
        Assert.Equal(feedbackRows, await FeedbackRowsAsync());
    }

    [Fact]
    public async Task A_join_committed_before_a_crash_still_reaches_the_creditor_on_its_next_read_once()
    {
        var task = await AcceptedTaskAsync("JOIN-HUUR-2");
        _clock.Advance(TimeSpan.FromDays(2));
        var joinDay = DutchCalendar.LocalDate(_clock.GetUtcNow()).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        await PostAsync(TestEnvironment.EnergieKey, "Energie", "JOIN-ENERGIE-2");

        // The same storage and clock, in a process that dies right after triage's household transaction.
        using (var crashing = new PipelineApp(
            new Dictionary<string, string?>(_app.Settings.Where(s => s.Key is "Storage:TablePrefix" or "Keys:Encryption:Keys:t1" or "Keys:Hmac:Keys:h1" or "SignalsIntakeQueue" or "DispatchQueue")),
            services: s =>
            {
                s.Replace(ServiceDescriptor.Singleton<TimeProvider>(_clock));
                s.CrashAfterTriageCommit();
            }))
        {
            await crashing.ProcessAllAsync();
            await Assert.ThrowsAnyAsync<Exception>(crashing.TriageAsync);
        }

        var joined = (await RowAsync(_app, task, "c|" + CaseIdOf(task))).GetString("SignalIds").Split(',');
        var pending = await _app.Services.GetRequiredService<IFeedbackStore>().ListPendingAsync("test-energie", CancellationToken.None);

        // The household comes back to triage (its change is not acknowledged) and finds nothing left to join.
        await _app.RunPipelineAsync();
        var first = await ItemsAsync(TestEnvironment.EnergieKey);
        var second = await ItemsAsync(TestEnvironment.EnergieKey);

        Assert.Equal(2, joined.Length);
        Assert.Equal(joined[1], Assert.Single(pending).SignalId);
        Assert.NotEqual(Today, joinDay);
        Assert.Equal([("JOIN-ENERGIE-2", joinDay)], first);
        Assert.Equal(first, second);
        Assert.Equal([("JOIN-HUUR-2", Today)], await ItemsAsync(TestEnvironment.HuurKey));
    }

    [Fact]
    public async Task A_promise_for_a_signal_that_never_joined_the_accepted_case_is_never_told_and_goes_after_the_grace_period()
    {
        var task = await AcceptedTaskAsync("JOIN-HUUR-3");
        var target = (await _app.Services.GetRequiredService<IOutcomeStore>().FindAsync(task, null, CancellationToken.None))!;
        var feedback = _app.Services.GetRequiredService<IFeedbackStore>();

        // Triage promised feedback for a signal and then lost its commit: the case is accepted, the signal is not in it.
        await feedback.AddPendingAsync([new PendingFeedback("test-energie", "s-never-joined", "JOIN-ENERGIE-3", target.HouseholdKey, target.Case.Value.CaseId, _clock.GetUtcNow())], CancellationToken.None);
        var early = await ItemsAsync(TestEnvironment.EnergieKey);
        var pendingEarly = await feedback.ListPendingAsync("test-energie", CancellationToken.None);
        _clock.Advance(CreditorFeedbackReader.Grace + TimeSpan.FromSeconds(1));
        var late = await ItemsAsync(TestEnvironment.EnergieKey);

        Assert.Empty(early);
        Assert.Single(pendingEarly);
        Assert.Empty(late);
        Assert.Empty(await feedback.ListPendingAsync("test-energie", CancellationToken.None));
    }

    public void Dispose() => _app.Dispose();

    // A Huur signal's case, reached and with its help accepted today; the Huur creditor has read its item.
    private async Task<string> AcceptedTaskAsync(string reference)
    {
        var task = await DispatchedTaskAsync(_app, reference);
        using (var reached = await SendAsync(_app, "POST", $"/api/v1/tasks/{task}/contactpogingen", TestEnvironment.TeamAmsterdamKey, json: Attempt("p-1", bereikt: true)))
        {
            Assert.Equal(HttpStatusCode.OK, reached.StatusCode);
        }

        using (var help = await SendAsync(_app, "POST", $"/api/v1/tasks/{task}/hulpaanbod", TestEnvironment.TeamAmsterdamKey, json: $$"""{"aanvaard":true,"datum":"{{Today}}"}"""))
        {
            Assert.Equal(HttpStatusCode.OK, help.StatusCode);
        }

        return task;
    }

    private async Task PostAsync(string key, string partnerType, string reference)
    {
        using var posted = await _app.PostAsync(key, TestSignals.Array(TestSignals.Signal(reference, partnerType: partnerType)));
        Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);
    }

    private async Task<List<(string Reference, string Datum)>> ItemsAsync(string key)
    {
        using var response = await SendAsync(_app, "GET", "/api/v1/feedback?max=500", key);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var json = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        return json["items"]!.AsArray().Select(i => ((string)i!["signaalReferentie"]!, (string)i["datum"]!)).ToList();
    }

    // Every row of the feedback table, pending and items, with its ETag: any write shows.
    private async Task<List<string>> FeedbackRowsAsync() =>
        (await _app.EntitiesAsync(_app.Names.Feedback)).Select(e => $"{e.PartitionKey} {e.RowKey} {e.ETag}").Order(StringComparer.Ordinal).ToList();
}

/// <summary>A household store whose process dies right after a triage transaction committed.</summary>
internal sealed class CrashAfterTriageCommit(IHouseholdStore inner) : IHouseholdStore
{
    public Task<bool> ExistsAsync(string householdKey, CancellationToken cancellationToken) => inner.ExistsAsync(householdKey, cancellationToken);

    public Task<bool> AddSignalAsync(string householdKey, StoredSignal signal, CancellationToken cancellationToken) => inner.AddSignalAsync(householdKey, signal, cancellationToken);

    public Task<HouseholdSnapshot> LoadAsync(string householdKey, CancellationToken cancellationToken) => inner.LoadAsync(householdKey, cancellationToken);

    public async Task<bool> CommitAsync(string householdKey, TriageCommit commit, CancellationToken cancellationToken)
    {
        Assert.True(await inner.CommitAsync(householdKey, commit, cancellationToken));
        throw new IOException("the process died after the triage commit");
    }

    public Task<Versioned<OutboxEntry>?> GetOutboxAsync(string householdKey, string taskId, CancellationToken cancellationToken) => inner.GetOutboxAsync(householdKey, taskId, cancellationToken);

    public Task<Versioned<HouseholdCase>?> GetCaseAsync(string householdKey, string caseId, CancellationToken cancellationToken) => inner.GetCaseAsync(householdKey, caseId, cancellationToken);

    public Task<(Versioned<OutboxEntry>? Outbox, Versioned<HouseholdCase>? Case)> GetOutboxWithCaseAsync(string householdKey, string taskId, CancellationToken cancellationToken) => inner.GetOutboxWithCaseAsync(householdKey, taskId, cancellationToken);

    public Task<Versioned<OutboxEntry>?> ClaimOutboxAsync(string householdKey, Versioned<OutboxEntry> entry, DateTimeOffset claimedAt, CancellationToken cancellationToken) => inner.ClaimOutboxAsync(householdKey, entry, claimedAt, cancellationToken);

    public Task<bool> RecordOutboxAsync(string householdKey, Versioned<OutboxEntry> entry, OutboxEntry result, CaseMove? caseMove, CancellationToken cancellationToken) => inner.RecordOutboxAsync(householdKey, entry, result, caseMove, cancellationToken);

    public Task<bool> ResetOutboxAsync(string householdKey, Versioned<OutboxEntry> entry, CancellationToken cancellationToken) => inner.ResetOutboxAsync(householdKey, entry, cancellationToken);
}

internal static class CrashAfterTriageCommitRegistration
{
    public static void CrashAfterTriageCommit(this IServiceCollection services)
    {
        var original = services.Last(d => d.ServiceType == typeof(IHouseholdStore));
        services.Remove(original);
        services.AddSingleton<IHouseholdStore>(sp => new CrashAfterTriageCommit(original.ImplementationFactory!(sp) as IHouseholdStore ?? throw new InvalidOperationException("the household store is registered by factory")));
    }
}
