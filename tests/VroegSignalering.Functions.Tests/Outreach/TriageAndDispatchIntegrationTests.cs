using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using VroegSignalering.Azure.Messaging;
using VroegSignalering.Core.Households;
using VroegSignalering.Functions.Tests.Pipeline;
using VroegSignalering.Testing;

namespace VroegSignalering.Functions.Tests.Outreach;

/// <summary>Signals → cases → triage → outbox → the gemeente's subscription on the local topic, on real Azurite.</summary>
public sealed class TriageAndDispatchIntegrationTests : IDisposable
{
    private readonly PipelineApp _app = new(new Dictionary<string, string?> { ["Dispatch:SweepAfter"] = "00:00:00" });

    [Fact]
    public async Task Rent_energy_and_health_insurance_signals_of_one_household_yield_one_case_and_one_hoog_task_with_stapeling_3()
    {
        await PostAsync(TestEnvironment.HuurKey, TestSignals.Signal("ST-H-1", "Huur", 900m, huisnummer: 31));
        await PostAsync(TestEnvironment.EnergieKey, TestSignals.Signal("ST-E-1", "Energie", 300m, huisnummer: 31));
        await PostAsync(TestEnvironment.ZorgKey, TestSignals.Signal("ST-Z-1", "Zorg", 250m, huisnummer: 31));

        await _app.RunPipelineAsync();

        var cases = await _app.RowsAsync("c|");
        var task = Assert.Single(await _app.RowsAsync("t|"));
        Assert.Single(cases);
        // docs/triage.md ch. 4-6: STAPELING_3 35 + WOONLASTEN 10 + DUUR_60 8 (ontstaan 60 days ago) + BEDRAG_500 5
        // (EUR 1,450) + NUTSVOORZIENING 5 + ZORGVERZEKERING 3 = 66. No crisis and no end of supply, so never
        // Spoed; 66 >= 50 (and 3 creditors) makes it Hoog; not Spoed and a phone known makes it Telefoon.
        Assert.Equal("Hoog", task.GetString("Priority"));
        Assert.Equal(66, task.GetInt32("Score"));
        Assert.Equal("Telefoon", task.GetString("Channel"));
        Assert.Contains("STAPELING_3", task.GetString("Reasons"), StringComparison.Ordinal);
        Assert.Equal("Dispatched", Assert.Single(await _app.RowsAsync("o|")).GetString("Status"));
        Assert.Equal("TaskDispatched", cases[0].GetString("Status"));
    }

    [Fact]
    public async Task A_repeat_with_a_lower_amount_creates_no_new_task_and_a_higher_amount_creates_revision_2()
    {
        await PostAsync(TestEnvironment.HuurKey, TestSignals.Signal("REP-1", "Huur", 1000m, huisnummer: 32, signaalDaysAgo: 10));
        await _app.RunPipelineAsync();
        Assert.Single(await _app.RowsAsync("t|"));

        await PostAsync(TestEnvironment.HuurKey, TestSignals.Signal("REP-2", "Huur", 900m, huisnummer: 32, signaalDaysAgo: 5));
        await _app.RunPipelineAsync();
        Assert.Single(await _app.RowsAsync("t|"));
        Assert.Equal(1, Assert.Single(await _app.RowsAsync("c|")).GetInt32("RepeatsWithoutTask"));

        await PostAsync(TestEnvironment.HuurKey, TestSignals.Signal("REP-3", "Huur", 1500m, huisnummer: 32, signaalDaysAgo: 1));
        await _app.RunPipelineAsync();
        var tasks = await _app.RowsAsync("t|");
        Assert.Equal([1, 2], tasks.Select(t => t.GetInt32("Revision") ?? 0).Order().ToArray());
        Assert.Contains("GROEI", tasks.Single(t => t.GetInt32("Revision") == 2).GetString("Reasons"), StringComparison.Ordinal);
        Assert.Equal(2, (await TaskMessagesAsync("0363")).Count);
    }

    [Fact]
    public async Task Signals_of_one_household_months_apart_open_two_cases_in_one_triage_run_each_with_its_task()
    {
        await PostAsync(TestEnvironment.HuurKey, TestSignals.Signal("APART-1", "Huur", 800m, huisnummer: 36, signaalDaysAgo: 100, ontstaanDaysAgo: 160));
        await PostAsync(TestEnvironment.HuurKey, TestSignals.Signal("APART-2", "Huur", 900m, huisnummer: 36, signaalDaysAgo: 10));

        await _app.ProcessAllAsync();
        var run = await _app.Services.GetRequiredService<TriageSweep>().RunAsync(CancellationToken.None);
        await _app.DispatchAllAsync();

        // One household, one run: the second signal lies outside the first case's window, so a second step opens a case.
        Assert.Equal((1, 2, 2), (run.Households, run.CasesOpened, run.TasksCreated));
        Assert.Equal(2, (await _app.RowsAsync("c|")).Count);
        Assert.All(await _app.RowsAsync("o|"), o => Assert.Equal("Dispatched", o.GetString("Status")));
        Assert.Empty(await _app.EntitiesAsync(_app.Names.Changes));
    }

    [Fact]
    public async Task The_fast_path_gives_the_same_tasks_whether_a_households_other_signal_was_stored_before_or_after_its_crisis_signal()
    {
        // Household 1011AC 39: the energy arrears are processed first, then the crisis signal. 1011AC 38: the other way round.
        await PostAsync(TestEnvironment.EnergieKey, TestSignals.Signal("ORD-40-E", "Energie", 400m, postcode: "1011AC", huisnummer: 39));
        await _app.ProcessAllAsync();
        await PostAsync(TestEnvironment.HuurKey, TestSignals.Signal("ORD-40-H", "Huur", 2500m, postcode: "1011AC", huisnummer: 39, crisis: true));
        await _app.ProcessAllAsync();
        await PostAsync(TestEnvironment.HuurKey, TestSignals.Signal("ORD-41-H", "Huur", 2500m, postcode: "1011AC", huisnummer: 38, crisis: true));
        await _app.ProcessAllAsync();
        await PostAsync(TestEnvironment.EnergieKey, TestSignals.Signal("ORD-41-E", "Energie", 400m, postcode: "1011AC", huisnummer: 38));
        await _app.ProcessAllAsync();

        // The fast path took the crisis signal alone in both: one Spoed task each before the timer runs.
        Assert.Equal(2, (await _app.RowsAsync("t|")).Count);
        await _app.RunPipelineAsync();

        var perHousehold = (await _app.RowsAsync("t|")).GroupBy(t => t.PartitionKey)
            .Select(g => string.Join(";", g.OrderBy(t => t.GetInt32("Revision")).Select(t => $"r{t.GetInt32("Revision")} {t.GetString("Priority")} {t.GetString("SignalIds")!.Split(',').Length}")))
            .ToList();
        Assert.Equal(2, perHousehold.Count);
        Assert.Equal(perHousehold[0], perHousehold[1]);
        Assert.Equal("r1 Spoed 1;r2 Spoed 2", perHousehold[0]);
    }

    [Fact]
    public async Task A_crisis_signal_is_triaged_while_processing_without_waiting_for_the_timer()
    {
        await PostAsync(TestEnvironment.HuurKey, TestSignals.Signal("CRIS-1", "Huur", 2500m, huisnummer: 33, crisis: true));

        await _app.ProcessAllAsync();

        var task = Assert.Single(await _app.RowsAsync("t|"));
        Assert.Equal("Spoed", task.GetString("Priority"));
        Assert.Equal("Huisbezoek", task.GetString("Channel"));
    }

    [Fact]
    public async Task Tasks_reach_the_gemeente_queue_with_the_broker_and_filter_properties_and_without_the_bsn()
    {
        await PostAsync(TestEnvironment.HuurKey, TestSignals.Signal("MSG-1", "Huur", 700m, postcode: "3011AA", huisnummer: 34, bsn: "999999990"));
        await _app.RunPipelineAsync();

        var message = Assert.Single(await TaskMessagesAsync("0599"));
        var task = Assert.Single(await _app.RowsAsync("t|"));
        var caseId = task.GetString("CaseId");
        Assert.Equal(task.RowKey[2..], message.MessageId);
        Assert.Equal("outreach-task.v1", message.Subject);
        Assert.Equal(caseId, message.CorrelationId);
        Assert.Equal(caseId, message.SessionId);
        Assert.Equal("0599", message.ApplicationProperties["gemeentecode"]);
        Assert.Equal("059901", message.ApplicationProperties["wijk"]);
        Assert.Equal("schuldhulpverlening", message.ApplicationProperties["team"]);
        Assert.Equal(task.GetString("Priority"), message.ApplicationProperties["priority"]);
        var body = JsonNode.Parse(message.Body)!;
        Assert.Equal("outreach-task.v1", (string?)body["schemaVersion"]);
        Assert.Equal("Zandbergen-Testdata", (string?)body["household"]!["persons"]![0]!["achternaam"]);
        Assert.DoesNotContain("999999990", message.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task After_a_crash_between_commit_and_send_the_sweeper_sends_every_task_exactly_once_and_a_rerun_sends_nothing()
    {
        for (var i = 0; i < 5; i++)
        {
            await PostAsync(TestEnvironment.HuurKey, TestSignals.Signal($"CRASH-{i}", "Huur", 800m + i, huisnummer: 1 + i, postcode: "1011AC"));
        }

        await _app.ProcessAllAsync();
        await _app.TriageAsync();

        // The dispatcher "crashes": the happy-path messages are gone, the outbox rows stay pending.
        await _app.Storage.Queues.GetQueueClient(_app.Names.DispatchQueue).ClearMessagesAsync();
        Assert.False(await _app.Services.GetRequiredService<VroegSignalering.Azure.Transport.LocalTopic>().ExistsAsync(CancellationToken.None), "no task may have been sent yet (the topic's table is created on the first send)");
        Assert.All(await _app.RowsAsync("o|"), o => Assert.Equal("Pending", o.GetString("Status")));

        await _app.SweepAsync();
        var sent = await TaskMessagesAsync("0363");
        Assert.Equal(5, sent.Count);
        Assert.Equal(5, sent.Select(m => m.MessageId).Distinct().Count());

        await _app.SweepAsync();
        Assert.Equal(5, (await TaskMessagesAsync("0363")).Count);
        Assert.All(await _app.RowsAsync("o|"), o => Assert.Equal("Dispatched", o.GetString("Status")));
    }

    [Fact]
    public async Task Replayed_dispatch_messages_send_nothing_new()
    {
        await PostAsync(TestEnvironment.HuurKey, TestSignals.Signal("DREP-1", "Huur", 800m, huisnummer: 35));
        await _app.ProcessAllAsync();
        await _app.TriageAsync();
        var dispatch = _app.Storage.Queues.GetQueueClient(_app.Names.DispatchQueue);
        var original = (await dispatch.PeekMessageAsync()).Value.Body.ToString();
        await dispatch.SendMessageAsync(original);
        await dispatch.SendMessageAsync(original);

        await _app.DispatchAllAsync();

        Assert.Single(await TaskMessagesAsync("0363"));
    }

    [Fact]
    public async Task Parallel_triage_of_the_same_households_creates_exactly_one_task_per_revision()
    {
        for (var h = 0; h < 6; h++)
        {
            await PostAsync(TestEnvironment.HuurKey, TestSignals.Signal($"PAR-H-{h}", "Huur", 900m, postcode: "3511XA", huisnummer: 1 + h));
            await PostAsync(TestEnvironment.ZorgKey, TestSignals.Signal($"PAR-Z-{h}", "Zorg", 300m, postcode: "3511XA", huisnummer: 1 + h));
        }

        await _app.ProcessAllAsync();
        var triage = _app.Services.GetRequiredService<HouseholdTriage>();
        var households = (await _app.RowsAsync("s|")).Select(s => s.PartitionKey).Distinct().ToList();
        Assert.Equal(6, households.Count);

        var workers = Enumerable.Range(0, 8).SelectMany(_ => households.Select(h => (Task)Task.Run(() => triage.TriageAsync(h, urgentSignals: null, CancellationToken.None))))
            .Concat(Enumerable.Range(0, 4).Select(_ => Task.Run(_app.TriageAsync)));
        await Task.WhenAll(workers);

        var tasks = await _app.RowsAsync("t|");
        Assert.Equal(6, tasks.Count);
        Assert.Equal(6, tasks.Select(t => (t.PartitionKey, t.GetInt32("Revision"))).Distinct().Count());
        Assert.Equal(6, (await _app.RowsAsync("o|")).Count);
        Assert.Equal(6, (await _app.RowsAsync("c|")).Count);
    }

    [Fact]
    public async Task Replaying_a_processed_chunk_creates_no_second_case_or_task()
    {
        await PostAsync(TestEnvironment.HuurKey, TestSignals.Signal("REPLAYCHUNK-1", "Huur", 800m, huisnummer: 36));
        var intake = _app.Storage.Queues.GetQueueClient(_app.Names.SignalsIntakeQueue);
        var chunk = (await intake.PeekMessageAsync()).Value.Body.ToString();
        await _app.RunPipelineAsync();

        await intake.SendMessageAsync(chunk);
        await _app.RunPipelineAsync();

        Assert.Single(await _app.RowsAsync("s|"));
        Assert.Single(await _app.RowsAsync("c|"));
        Assert.Single(await _app.RowsAsync("t|"));
        Assert.Single(await TaskMessagesAsync("0363"));
    }

    public void Dispose() => _app.Dispose();

    private async Task PostAsync(string key, JsonObject signal)
    {
        using var response = await _app.PostAsync(key, TestSignals.Array(signal));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    private async Task<List<LocalServiceBusMessage>> TaskMessagesAsync(string gemeente)
    {
        // Strict: a topic never written to throws (404) rather than reading as "no tasks".
        return [.. await _app.Services.GetRequiredService<VroegSignalering.Azure.Transport.LocalTopic>().PeekAsync(gemeente, int.MaxValue, CancellationToken.None)];
    }
}
