using VroegSignalering.Core.Households;
using VroegSignalering.Core.Outcomes;

namespace VroegSignalering.Core.Tests.Outcomes;

public class OutcomeIdsTests
{
    private const string HouseholdKey = "0f1e2d3c4b5a69788796a5b4c3d2e1f0";

    [Fact]
    public void A_task_id_triage_makes_names_its_households_key_prefix_and_its_case()
    {
        var caseId = CaseComposer.CaseId(HouseholdKey, 3);
        var taskId = CaseComposer.TaskId(caseId, 12);

        Assert.True(OutcomeIds.TryParseTaskId(taskId, out var prefix, out var parsedCase));
        Assert.Equal(HouseholdKey[..20], prefix);
        Assert.Equal(caseId, parsedCase);
        Assert.StartsWith(prefix, HouseholdKey, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("c-0f1e2d3c4b5a69788796-3")]
    [InlineData("t-0F1E2D3C4B5A69788796-3-r1")]
    [InlineData("t-0f1e2d3c4b5a6978879-3-r1")]
    [InlineData("t-0f1e2d3c4b5a69788796-03-r1")]
    [InlineData("t-0f1e2d3c4b5a69788796-3-r0")]
    [InlineData("t-0f1e2d3c4b5a69788796-3-1")]
    [InlineData("t-0f1e2d3c4b5a69788796-3-r1-x")]
    [InlineData("t-0f1e2d3c4b5a69788796-3-r1 ")]
    [InlineData("t-0f1e2d3c4b5a69788796-3-r")]
    public void Anything_triage_could_not_have_made_is_no_task_id(string? taskId)
    {
        Assert.False(OutcomeIds.TryParseTaskId(taskId, out _, out _));
    }
}
