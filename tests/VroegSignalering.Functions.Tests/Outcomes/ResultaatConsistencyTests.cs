using System.Net;
using VroegSignalering.Core.Outcomes;
using VroegSignalering.Functions.Tests.Pipeline;
using VroegSignalering.Testing;
using static VroegSignalering.Functions.Tests.Outcomes.OutcomeTestSupport;

namespace VroegSignalering.Functions.Tests.Outcomes;

/// <summary>
/// Closing a case with a resultaat its recorded progress contradicts is 409 problem+json naming <c>resultaat</c>, a
/// stable code and the case's progress, and stores nothing; a resultaat that agrees closes the case. One row per rule
/// and side of it, on a real household partition.
/// </summary>
public sealed class ResultaatConsistencyTests : IDisposable
{
    private const string Team = TestEnvironment.TeamAmsterdamKey;
    private readonly PipelineApp _app = new();

    public enum Progress
    {
        None,
        Attempted,
        Reached,
        Accepted,
        Declined,
    }

    public static TheoryData<Progress, string, string, string> Refused => new()
    {
        { Progress.None, "Vervolghulp en/of verwijzing financieel", OutcomeErrorCodes.ResultaatNeedsHelpAccepted, "no contact attempt is recorded" },
        { Progress.Reached, "(Budget)advies en/of quick fix", OutcomeErrorCodes.ResultaatNeedsHelpAccepted, "the household was reached, no help decision is recorded" },
        { Progress.Declined, "Vervolghulp en/of verwijzing niet financieel", OutcomeErrorCodes.ResultaatNeedsHelpAccepted, "the household was reached and declined help" },
        { Progress.Attempted, "Inwoner hoeft geen hulp vanuit vroegsignalering", OutcomeErrorCodes.ResultaatNeedsReach, "1 contact attempt(s), none reached the household" },
        { Progress.None, "Geen reactie na eerder contact", OutcomeErrorCodes.ResultaatNeedsReach, "no contact attempt is recorded" },
        { Progress.Accepted, "Inwoner hoeft geen hulp vanuit vroegsignalering", OutcomeErrorCodes.ResultaatContradictsAcceptance, "the household was reached and accepted help" },
        { Progress.Accepted, "Inwoner heeft zelf al betaald/betalingsregeling getroffen", OutcomeErrorCodes.ResultaatContradictsAcceptance, "the household was reached and accepted help" },
        { Progress.Reached, "Definitief geen contact kunnen krijgen", OutcomeErrorCodes.ResultaatContradictsReach, "the household was reached" },
        { Progress.Declined, "Verwijzing zonder contact", OutcomeErrorCodes.ResultaatContradictsReach, "the household was reached" },
        { Progress.Attempted, "Niet opgepakt: onterecht signaal", OutcomeErrorCodes.ResultaatContradictsAttempt, "1 contact attempt(s)" },
    };

    public static TheoryData<Progress, string> Agreeing => new()
    {
        { Progress.None, "Niet opgepakt: herhaalde melding" },
        { Progress.None, "Inwoner al bekend bij schuldhulpverlening" },
        { Progress.Attempted, "Definitief geen contact kunnen krijgen" },
        { Progress.Reached, "Inwoner hoeft geen hulp vanuit vroegsignalering" },
        { Progress.Reached, "Geen reactie na eerder contact" },
        { Progress.Declined, "Inwoner hoeft geen hulp vanuit vroegsignalering" },
        { Progress.Accepted, "(Budget)advies en/of quick fix" },
        { Progress.Accepted, "Inwoner is overleden" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task A_resultaat_the_cases_progress_contradicts_is_409_naming_resultaat_and_the_progress_and_stores_nothing(Progress progress, string resultaat, string code, string detail)
    {
        var task = await TaskWithProgressAsync("RES-R", progress);
        var stored = await PartitionAsync(_app, task);

        using var response = await CloseAsync(task, resultaat);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal([("resultaat", code)], await ErrorsAsync(response));
        var problem = await JsonAsync(response);
        Assert.Contains(detail, (string)problem["detail"]!, StringComparison.Ordinal);
        Assert.Contains("nothing was stored", (string)problem["detail"]!, StringComparison.Ordinal);
        Assert.Equal(stored, await PartitionAsync(_app, task));
        Assert.NotEqual("Closed", (await RowAsync(_app, task, "c|" + CaseIdOf(task))).GetString("Status"));
    }

    [Theory]
    [MemberData(nameof(Agreeing))]
    public async Task A_resultaat_that_agrees_with_the_cases_progress_closes_the_case(Progress progress, string resultaat)
    {
        var task = await TaskWithProgressAsync("RES-A", progress);

        using var response = await CloseAsync(task, resultaat);

        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        var @case = await RowAsync(_app, task, "c|" + CaseIdOf(task));
        Assert.Equal(("Closed", resultaat), (@case.GetString("Status"), @case.GetString("Resultaat")));
    }

    public void Dispose() => _app.Dispose();

    private async Task<string> TaskWithProgressAsync(string reference, Progress progress)
    {
        var task = await DispatchedTaskAsync(_app, reference);
        (string Endpoint, string Body)[] steps = progress switch
        {
            Progress.None => [],
            Progress.Attempted => [("contactpogingen", Attempt("p-1"))],
            Progress.Reached => [("contactpogingen", Attempt("p-1", bereikt: true))],
            Progress.Accepted => [("contactpogingen", Attempt("p-1", bereikt: true)), ("contactpogingen", Attempt("p-2", bereikt: true)), ("contactpogingen", Attempt("p-3")), ("hulpaanbod", $$"""{"aanvaard":true,"datum":"{{Today}}"}""")],
            Progress.Declined => [("contactpogingen", Attempt("p-1", bereikt: true)), ("hulpaanbod", $$"""{"aanvaard":false,"datum":"{{Today}}"}""")],
            _ => throw new ArgumentOutOfRangeException(nameof(progress)),
        };
        foreach (var (endpoint, body) in steps)
        {
            using var response = await SendAsync(_app, "POST", $"/api/v1/tasks/{task}/{endpoint}", Team, json: body);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{endpoint}: {await response.Content.ReadAsStringAsync()}");
        }

        return task;
    }

    private Task<HttpResponseMessage> CloseAsync(string task, string resultaat) =>
        SendAsync(_app, "POST", $"/api/v1/tasks/{task}/afsluiting", Team, json: $$"""{"resultaat":"{{resultaat}}"}""");
}
