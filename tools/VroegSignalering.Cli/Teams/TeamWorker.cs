using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using VroegSignalering.Cli.Cli;
using VroegSignalering.Core.Outcomes;

namespace VroegSignalering.Cli.Teams;

/// <summary>
/// A task a team received: its id, its gemeente, and the key its case's outcomes are drawn from
/// (<see cref="TeamWorker.CaseKeyOf"/>).
/// </summary>
internal sealed record ReceivedTask(string TaskId, string Gemeentecode, string CaseKey);

/// <summary>What the teams posted, as the API answered it.</summary>
internal sealed record TeamWorkTally(int Cases, int Attempts, int Reached, int HelpAccepted, int HelpDeclined, int Closed, int Requests, int Retries, IReadOnlyList<string> Failures);

/// <summary>
/// Posts each case's <see cref="CasePlan"/> through the outcome API as the gemeente's team: attempts, then the help
/// decision and the resultaat. Cases run in parallel (a case's own steps in order); a busy household (503) is sent
/// again after the answer's Retry-After. Every step has a fixed id or is idempotent, so running it twice posts the
/// same outcomes and changes nothing.
/// </summary>
internal sealed class TeamWorker(HttpClient http, Func<string, string> teamKey, long seed, DateOnly today, CliEnvironment env, int parallel)
{
    private const int MaxTries = 8;

    private int _cases;
    private int _attempts;
    private int _reached;
    private int _accepted;
    private int _declined;
    private int _closed;
    private int _requests;
    private int _retries;

    public int CasesDone => Volatile.Read(ref _cases);

    public int RequestsSent => Volatile.Read(ref _requests);

    /// <summary>
    /// The tasks a team works: per case only the newest revision (a revision replaces its predecessor for the team),
    /// in task id order so the work, and any failure message, does not depend on the order messages were read.
    /// </summary>
    public static IReadOnlyList<ReceivedTask> Latest(IEnumerable<ReceivedTask> tasks) =>
        tasks.Select(t => (Task: t, Ok: OutcomeIds.TryParseTaskId(t.TaskId, out _, out var caseId), CaseId: caseId))
            .Where(x => x.Ok)
            .GroupBy(x => x.CaseId, StringComparer.Ordinal)
            .Select(g => g.OrderByDescending(x => Revision(x.Task.TaskId)).First().Task)
            .OrderBy(t => t.TaskId, StringComparer.Ordinal)
            .ToList();

    /// <summary>A dispatched task message (outreach-task.v1) as a team receives it.</summary>
    public static ReceivedTask Receive(string messageId, string body, string gemeentecode)
    {
        JsonNode? task;
        try
        {
            task = JsonNode.Parse(body);
        }
        catch (JsonException)
        {
            task = null;
        }

        var taskId = (string?)task?["taskId"] ?? messageId;
        return new ReceivedTask(taskId, gemeentecode, CaseKeyOf(task) ?? CaseIdOf(taskId));
    }

    /// <summary>
    /// What identifies a case in the same way in every run of one seed: the household's address and the facts of the
    /// case's signals (creditor, kind, amount, dates), in a fixed order. Ids are left out, because the task, case and
    /// signal ids come from keyed hashes under a key per run. Null when the message has no such content.
    /// </summary>
    public static string? CaseKeyOf(JsonNode? task)
    {
        var address = task?["household"]?["address"];
        if (task?["signals"] is not JsonArray signals || signals.Count == 0 || address is null)
        {
            return null;
        }

        static string Field(JsonNode? node, string name) => node?[name]?.ToJsonString() ?? "null";
        var facts = signals
            .Select(s => string.Join('|', Field(s, "creditorId"), Field(s, "signaalpartnerType"), Field(s, "bedrag"), Field(s, "ontstaansdatum"), Field(s, "signaaldatum")))
            .Order(StringComparer.Ordinal);
        return string.Join('|', Field(address, "postcode"), Field(address, "huisnummer"), Field(address, "huisnummertoevoeging"))
            + "||" + string.Join("||", facts);
    }

    private static string CaseIdOf(string taskId) => OutcomeIds.TryParseTaskId(taskId, out _, out var caseId) ? caseId : taskId;

    public async Task<TeamWorkTally> WorkAsync(IReadOnlyList<ReceivedTask> tasks, CancellationToken ct)
    {
        var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
        await Parallel.ForEachAsync(tasks, new ParallelOptions { MaxDegreeOfParallelism = parallel, CancellationToken = ct }, async (task, token) =>
        {
            try
            {
                await WorkOneAsync(task, token);
            }
            catch (TeamWorkException ex)
            {
                failures.Add(ex.Message);
            }
        });
        return new TeamWorkTally(_cases, _attempts, _reached, _accepted, _declined, _closed, _requests, _retries, failures.Order(StringComparer.Ordinal).ToList());
    }

    private async Task WorkOneAsync(ReceivedTask task, CancellationToken ct)
    {
        var plan = TeamFunnel.Plan(seed, task.CaseKey, task.TaskId);
        var key = teamKey(task.Gemeentecode);
        var path = $"api/v1/tasks/{Uri.EscapeDataString(task.TaskId)}/";
        var datum = today.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        foreach (var a in plan.Attempts)
        {
            await PostAsync(path + "contactpogingen", key, new JsonObject
            {
                ["id"] = a.Id,
                ["soort"] = a.Soort,
                ["bereikt"] = a.Bereikt,
                ["datum"] = datum,
                ["dagdeel"] = a.Dagdeel,
            }, task.TaskId, ct);
            Interlocked.Increment(ref _attempts);
        }

        if (plan.Reached)
        {
            Interlocked.Increment(ref _reached);
            await PostAsync(path + "hulpaanbod", key, new JsonObject { ["aanvaard"] = plan.HelpAccepted, ["datum"] = datum }, task.TaskId, ct);
            if (plan.HelpAccepted == true)
            {
                Interlocked.Increment(ref _accepted);
            }
            else
            {
                Interlocked.Increment(ref _declined);
            }

            await PostAsync(path + "afsluiting", key, new JsonObject { ["resultaat"] = plan.Resultaat }, task.TaskId, ct);
            Interlocked.Increment(ref _closed);
        }

        Interlocked.Increment(ref _cases);
    }

    private async Task PostAsync(string path, string key, JsonObject body, string taskId, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
            request.Headers.Add("X-Api-Key", key);
            Interlocked.Increment(ref _requests);
            HttpResponseMessage response;
            try
            {
                response = await http.SendAsync(request, ct);
            }
            catch (HttpRequestException) when (attempt < MaxTries)
            {
                Interlocked.Increment(ref _retries);
                await env.Delay(TimeSpan.FromSeconds(1), ct);
                continue;
            }

            using (response)
            {
                if (response.IsSuccessStatusCode)
                {
                    return;
                }

                // A household that changed while the outcome was recorded: nothing was stored, send the same again.
                if (response.StatusCode == HttpStatusCode.ServiceUnavailable && attempt < MaxTries)
                {
                    Interlocked.Increment(ref _retries);
                    await env.Delay(response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(2), ct);
                    continue;
                }

                var detail = await response.Content.ReadAsStringAsync(ct);
                throw new TeamWorkException($"{taskId}: POST {path[(path.LastIndexOf('/') + 1)..]} answered {(int)response.StatusCode}: {Shorten(detail)}");
            }
        }
    }

    private static string Shorten(string text) => text.Length <= 300 ? text : text[..300] + "…";

    private static int Revision(string taskId) =>
        int.TryParse(taskId[(taskId.LastIndexOf("-r", StringComparison.Ordinal) + 2)..], NumberStyles.None, CultureInfo.InvariantCulture, out var r) ? r : 0;

    private sealed class TeamWorkException(string message) : Exception(message);
}
