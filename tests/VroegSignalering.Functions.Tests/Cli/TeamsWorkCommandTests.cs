using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using VroegSignalering.Cli.Cli;
using VroegSignalering.Cli.Teams;
using VroegSignalering.Core.Common;
using Microsoft.Extensions.DependencyInjection;
using VroegSignalering.Azure.Transport;
using VroegSignalering.Functions.Tests.Pipeline;
using VroegSignalering.Testing;

namespace VroegSignalering.Functions.Tests.Cli;

/// <summary>
/// `vroeg teams work` against a real app on Azurite, then `vroeg report` and `vroeg ddas export`: the teams' outcomes
/// go through the outcome API, and the funnel, the reach by channel, the feedback sent and the DDAS contactpogingen
/// are read back from storage, matching what the seeded teams planned.
/// </summary>
public sealed class TeamsWorkCommandTests : IDisposable
{
    private const string TeamKeyTemplate = "test-key-team-{gemeente}";
    private readonly PipelineApp _app = new();
    private readonly string _folder = Directory.CreateTempSubdirectory("vroeg-teams-").FullName;

    [Fact]
    public async Task The_report_shows_the_funnel_the_teams_recorded_read_back_from_storage()
    {
        var tasks = await PostAndDispatchAsync();
        var seed = SeedWithEveryOutcome(tasks.Values);
        var plans = tasks.ToDictionary(kv => kv.Key, kv => TeamFunnel.Plan(seed, kv.Value.CaseKey, kv.Key), StringComparer.Ordinal);

        var (rc, output, error) = await _app.RunCliAsync("teams", "work", "--api", "http://localhost", "--team-key", TeamKeyTemplate, "--seed", Seed(seed));
        Assert.True(rc == 0, error + output);
        var report = await ReportAsync("r1");

        var outcomes = report["outcomes"]!;
        var total = outcomes["total"]!;
        Assert.Equal(tasks.Count, (int)total["cases"]!);
        Assert.Equal(tasks.Count, (int)total["tasks"]!);
        Assert.Equal(tasks.Count, (int)total["attempted"]!);
        Assert.Equal(plans.Values.Count(p => p.Reached), (int)total["reached"]!);
        Assert.Equal(plans.Values.Count(p => p.HelpAccepted == true), (int)total["helpAccepted"]!);
        Assert.Equal(plans.Values.Count(p => p.HelpAccepted == false), (int)outcomes["helpDeclined"]!);
        Assert.Equal(plans.Values.Sum(p => p.Attempts.Count), (int)outcomes["contactAttempts"]!);
        foreach (var gemeente in new[] { "0363", "0599" })
        {
            var mine = plans.Where(kv => tasks[kv.Key].Gemeentecode == gemeente).Select(kv => kv.Value).ToList();
            var row = outcomes["byGemeente"]![gemeente]!;
            Assert.Equal(mine.Count, (int)row["attempted"]!);
            Assert.Equal(mine.Count(p => p.Reached), (int)row["reached"]!);
            Assert.Equal(mine.Count(p => p.HelpAccepted == true), (int)row["helpAccepted"]!);
        }

        var channels = outcomes["reachByChannel"]!;
        var lettersOnly = plans.Values.Where(p => p.Channel == TeamFunnel.LettersOnly).ToList();
        Assert.Equal(lettersOnly.Count, (int)channels["Alleen brief"]!["cases"]!);
        Assert.Equal(lettersOnly.Count(p => p.Reached), (int)channels["Alleen brief"]!["reached"]!);
        var phone = plans.Values.Where(p => p.Channel == TeamFunnel.Phone).ToList();
        Assert.Equal(phone.Count, (int?)channels["Telefoon"]?["cases"] ?? 0);
        Assert.Equal(phone.Count(p => p.Reached), (int?)channels["Telefoon"]?["reached"] ?? 0);

        // Feedback sent: one item per signal of each case whose help was accepted, as the feedback table holds them.
        var items = (await _app.EntitiesAsync(_app.Names.Feedback)).Count(e => e.RowKey.StartsWith("f|", StringComparison.Ordinal));
        Assert.True(items > 0);
        Assert.Equal(items, (int)outcomes["feedbackSent"]!);
        Assert.Equal(0, (int)report["escalation"]!["overdue"]!);
        Assert.Equal(0, (int)report["escalation"]!["escalated"]!);

        var text = await File.ReadAllTextAsync(Path.Combine(_folder, "r1.txt"));
        Assert.Contains("Outcomes: the funnel per gemeente", text, StringComparison.Ordinal);
        var html = await File.ReadAllTextAsync(Path.Combine(_folder, "r1.html"));
        Assert.Contains("aria-label=\"Funnel: All gemeenten\"", html, StringComparison.Ordinal);
        Assert.Contains("aria-label=\"Reach by channel\"", html, StringComparison.Ordinal);

        // Working the same tasks again with the same seed posts the same outcomes: nothing changes.
        var (again, _, againError) = await _app.RunCliAsync("teams", "work", "--api", "http://localhost", "--team-key", TeamKeyTemplate, "--seed", Seed(seed));
        Assert.True(again == 0, againError);
        var second = await ReportAsync("r2");
        Assert.Equal(outcomes.ToJsonString(), second["outcomes"]!.ToJsonString());
    }

    [Fact]
    public async Task With_max_cases_the_teams_work_the_same_seeded_sample_of_cases_and_no_other()
    {
        var tasks = await PostAndDispatchAsync();
        var sample = tasks.Values.OrderBy(t => TeamFunnel.Rank(3, t.CaseKey)).ThenBy(t => t.CaseKey, StringComparer.Ordinal).Take(5).Select(t => t.TaskId).ToHashSet(StringComparer.Ordinal);

        var (rc, output, error) = await _app.RunCliAsync("teams", "work", "--api", "http://localhost", "--team-key", TeamKeyTemplate, "--seed", "3", "--max-cases", "5");

        Assert.True(rc == 0, error + output);
        Assert.Contains("teams: 5 of 18 case(s) to work", error, StringComparison.Ordinal);
        var attempted = (await _app.RowsAsync("p|")).Select(e => e.GetString("TaskId")).ToHashSet(StringComparer.Ordinal);
        Assert.Equal(sample.Order(StringComparer.Ordinal), attempted.Order(StringComparer.Ordinal));
        var report = await ReportAsync("sample");
        Assert.Equal(5, (int)report["outcomes"]!["total"]!["attempted"]!);
        Assert.Equal(18, (int)report["outcomes"]!["total"]!["tasks"]!);
    }

    [Fact]
    public async Task The_DDAS_delivery_after_the_teams_worked_carries_their_contactpogingen_and_resultaat_and_validates()
    {
        var tasks = await PostAndDispatchAsync();
        var seed = SeedWithEveryOutcome(tasks.Values);
        var amsterdam = tasks.Values.Where(t => t.Gemeentecode == "0363").Select(t => TeamFunnel.Plan(seed, t.CaseKey, t.TaskId)).ToList();
        var (rc, _, error) = await _app.RunCliAsync("teams", "work", "--api", "http://localhost", "--team-key", TeamKeyTemplate, "--seed", Seed(seed));
        Assert.True(rc == 0, error);
        var file = Path.Combine(_folder, "ddas.json");

        (rc, _, error) = await _app.RunCliAsync(["ddas", "export", "--gemeente", "0363", .. Period(), "--out", file]);

        Assert.True(rc == 0, error);
        var json = await File.ReadAllTextAsync(file);
        Assert.Empty(await SchemaErrors.OfAsync(RepositoryRoot.File("tests", "VroegSignalering.Core.Tests", "Fixtures", "ddas", "json_schema_Uitwisselmodel.json"), json));
        var zaken = JsonNode.Parse(json)!["leveringen"]![0]!["vroegsignaalzaken"]!.AsArray();
        Assert.Equal(amsterdam.Count, zaken.Count);
        Assert.All(zaken, z => Assert.NotEmpty(z!["contactpogingen"]!.AsArray()));
        var pogingen = zaken.SelectMany(z => z!["contactpogingen"]!.AsArray()).ToList();
        Assert.Equal(amsterdam.Sum(p => p.Attempts.Count), pogingen.Count);
        Assert.Equal(amsterdam.Count(p => p.Reached), pogingen.Count(p => (bool)p!["bereikt"]!));
        Assert.All(pogingen, p => Assert.Equal(DutchCalendar.Today(TimeProvider.System).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), (string?)p!["datum"]));
        Assert.Equal(
            amsterdam.Where(p => p.Resultaat is not null).Select(p => p.Resultaat!).Order(StringComparer.Ordinal),
            zaken.Select(z => (string?)z!["resultaat"]).OfType<string>().Order(StringComparer.Ordinal));

        // `vroeg ddas validate` (run.sh's check) passes the file, and fails it once a contactpoging leaves the enumeration.
        var (valid, validOut, validError) = await ValidateAsync(file);
        Assert.True(valid == 0, validError + validOut);
        await File.WriteAllTextAsync(file, json.Replace("\"soort\": \"Brief\"", "\"soort\": \"Postduif\"", StringComparison.Ordinal));
        var (invalid, _, invalidError) = await ValidateAsync(file);
        Assert.Equal(ExitCodes.Failure, invalid);
        Assert.Contains("contactpogingen", invalidError, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        _app.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    // `vroeg ddas validate` reads no storage, so it runs without the app's storage options.
    private static async Task<(int Rc, string Out, string Error)> ValidateAsync(string file)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var rc = await VroegSignalering.Cli.Program.RunAsync(["ddas", "validate", file], new CliEnvironment { Out = output, Error = error, BaseDirectory = RepositoryRoot.Find() });
        return (rc, output.ToString(), error.ToString());
    }

    private static string Seed(long seed) => seed.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// A seed under which these few tasks show every path (a letter-only case, an unreached case, help accepted and
    /// declined): with 1 in 5 reached a small sample would often show none. Found, not fixed, because task ids derive
    /// from the test's keys.
    /// </summary>
    private static long SeedWithEveryOutcome(IEnumerable<ReceivedTask> tasks)
    {
        var received = tasks.ToList();
        for (long seed = 1; seed < 10_000; seed++)
        {
            var plans = received.Select(t => TeamFunnel.Plan(seed, t.CaseKey, t.TaskId)).ToList();
            if (plans.Any(p => p.HelpAccepted == true) && plans.Any(p => p.HelpAccepted == false) && plans.Any(p => !p.Reached)
                && plans.Any(p => p.Channel == TeamFunnel.Phone) && plans.Any(p => p.Channel == TeamFunnel.LettersOnly))
            {
                return seed;
            }
        }

        throw new InvalidOperationException("no seed shows every outcome for these tasks");
    }

    /// <summary>
    /// Twelve households in Amsterdam (two with a second creditor) and six in Rotterdam; returns the tasks as the teams
    /// receive them from the local topic, by task id.
    /// </summary>
    private async Task<Dictionary<string, ReceivedTask>> PostAndDispatchAsync()
    {
        var signals = new List<(string Key, JsonObject Signal)>();
        for (var i = 1; i <= 12; i++)
        {
            signals.Add((TestEnvironment.HuurKey, TestSignals.Signal($"TEAM-A-{i}", "Huur", 900m + i, postcode: "1011AB", huisnummer: i)));
        }

        signals.Add((TestEnvironment.EnergieKey, TestSignals.Signal("TEAM-E-1", "Energie", 300m, postcode: "1011AB", huisnummer: 1)));
        signals.Add((TestEnvironment.ZorgKey, TestSignals.Signal("TEAM-Z-2", "Zorg", 250m, postcode: "1011AB", huisnummer: 2)));
        for (var i = 1; i <= 6; i++)
        {
            signals.Add((TestEnvironment.HuurKey, TestSignals.Signal($"TEAM-R-{i}", "Huur", 700m + i, postcode: "3011AA", huisnummer: i)));
        }

        foreach (var group in signals.GroupBy(s => s.Key))
        {
            using var response = await _app.PostAsync(group.Key, TestSignals.Array([.. group.Select(s => s.Signal)]));
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }

        await _app.RunPipelineAsync();
        var stored = (await _app.RowsAsync("t|")).ToDictionary(e => e.RowKey[2..], e => e.GetString("Gemeente"), StringComparer.Ordinal);
        Assert.Equal(18, stored.Count);
        var topic = _app.Services.GetRequiredService<LocalTopic>();
        var received = new List<ReceivedTask>();
        foreach (var gemeente in new[] { "0363", "0599" })
        {
            received.AddRange((await topic.PeekAsync(gemeente, int.MaxValue, CancellationToken.None)).Select(m => TeamWorker.Receive(m.MessageId, m.Body, gemeente)));
        }

        var tasks = received.ToDictionary(t => t.TaskId, StringComparer.Ordinal);
        Assert.Equal(stored.OrderBy(kv => kv.Key, StringComparer.Ordinal), tasks.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => KeyValuePair.Create(kv.Key, kv.Value.Gemeentecode)));
        Assert.Equal(18, tasks.Values.Select(t => t.CaseKey).Distinct(StringComparer.Ordinal).Count());
        return tasks;
    }

    private async Task<JsonNode> ReportAsync(string name)
    {
        var (rc, output, error) = await _app.RunCliAsync("report", "--json", Path.Combine(_folder, name + ".json"), "--html", Path.Combine(_folder, name + ".html"));
        Assert.True(rc == 0, error + output);
        await File.WriteAllTextAsync(Path.Combine(_folder, name + ".txt"), output);
        return JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(_folder, name + ".json")))!;
    }

    // Cases are dated in the Netherlands' calendar (matchingsdatum), so the period ends today there.
    private static string[] Period() =>
    [
        "--from", TestSignals.Today.AddDays(-30).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        "--to", DutchCalendar.Today(TimeProvider.System).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
    ];
}
