using VroegSignalering.Core.Households;
using static VroegSignalering.Core.Tests.Households.HouseholdData;

namespace VroegSignalering.Core.Tests.Households;

public class CaseLifecycleTests
{
    private static readonly DateTimeOffset Later = Now.AddDays(3);

    public static TheoryData<CaseStatus, CaseStatus> Allowed => new()
    {
        { CaseStatus.New, CaseStatus.Triaged },
        { CaseStatus.New, CaseStatus.Closed },
        { CaseStatus.Triaged, CaseStatus.Triaged },
        { CaseStatus.Triaged, CaseStatus.TaskDispatched },
        { CaseStatus.Triaged, CaseStatus.InContact },
        { CaseStatus.Triaged, CaseStatus.Closed },
        { CaseStatus.TaskDispatched, CaseStatus.Triaged },
        { CaseStatus.TaskDispatched, CaseStatus.InContact },
        { CaseStatus.TaskDispatched, CaseStatus.Closed },
        { CaseStatus.InContact, CaseStatus.Triaged },
        { CaseStatus.InContact, CaseStatus.Closed },

        // The team's outcomes (docs/api.md, "Outcomes").
        { CaseStatus.Triaged, CaseStatus.ContactAttempted },
        { CaseStatus.Triaged, CaseStatus.Reached },
        { CaseStatus.TaskDispatched, CaseStatus.ContactAttempted },
        { CaseStatus.TaskDispatched, CaseStatus.Reached },
        { CaseStatus.ContactAttempted, CaseStatus.Triaged },
        { CaseStatus.ContactAttempted, CaseStatus.ContactAttempted },
        { CaseStatus.ContactAttempted, CaseStatus.Reached },
        { CaseStatus.ContactAttempted, CaseStatus.Closed },
        { CaseStatus.Reached, CaseStatus.Triaged },
        { CaseStatus.Reached, CaseStatus.Reached },
        { CaseStatus.Reached, CaseStatus.HelpAccepted },
        { CaseStatus.Reached, CaseStatus.HelpDeclined },
        { CaseStatus.Reached, CaseStatus.Closed },
        { CaseStatus.HelpAccepted, CaseStatus.Triaged },
        { CaseStatus.HelpAccepted, CaseStatus.Closed },
        { CaseStatus.HelpDeclined, CaseStatus.Triaged },
        { CaseStatus.HelpDeclined, CaseStatus.Closed },
    };

    private static readonly CaseStatus[] Progress = [CaseStatus.ContactAttempted, CaseStatus.Reached, CaseStatus.HelpAccepted, CaseStatus.HelpDeclined];

    public static TheoryData<CaseStatus, CaseStatus> Refused
    {
        get
        {
            var allowed = Allowed.Select(row => ((CaseStatus)row[0], (CaseStatus)row[1])).ToHashSet();
            var refused = new TheoryData<CaseStatus, CaseStatus>();
            foreach (var from in Enum.GetValues<CaseStatus>())
            {
                foreach (var to in Enum.GetValues<CaseStatus>())
                {
                    if (!allowed.Contains((from, to)))
                    {
                        refused.Add(from, to);
                    }
                }
            }

            return refused;
        }
    }

    [Theory]
    [MemberData(nameof(Allowed))]
    public void An_allowed_transition_moves_the_case(CaseStatus from, CaseStatus to)
    {
        Assert.True(CaseLifecycle.CanMove(from, to));

        var moved = Case(status: from).MoveTo(to, Later, to == CaseStatus.Closed ? "Vervolghulp en/of verwijzing financieel" : null);

        // A new revision (triage's move to Triaged) does not undo the team's progress.
        Assert.Equal(to == CaseStatus.Triaged && Progress.Contains(from) ? from : to, moved.Status);
        Assert.Equal(Later, moved.UpdatedAt);
    }

    [Theory]
    [InlineData(CaseStatus.ContactAttempted)]
    [InlineData(CaseStatus.Reached)]
    [InlineData(CaseStatus.HelpAccepted)]
    [InlineData(CaseStatus.HelpDeclined)]
    public void A_new_task_revision_keeps_the_teams_progress_and_the_dispatcher_cannot_set_it_back(CaseStatus progress)
    {
        var revised = Case(status: progress).MoveTo(CaseStatus.Triaged, Later);

        Assert.Equal(progress, revised.Status);
        Assert.False(CaseLifecycle.CanMove(progress, CaseStatus.TaskDispatched));
        Assert.False(CaseLifecycle.CanMove(progress, CaseStatus.New));
    }

    [Fact]
    public void Help_is_decided_only_for_a_reached_household()
    {
        var notReached = new[] { CaseStatus.New, CaseStatus.Triaged, CaseStatus.TaskDispatched, CaseStatus.InContact, CaseStatus.ContactAttempted };

        Assert.All(notReached, from => Assert.False(CaseLifecycle.CanMove(from, CaseStatus.HelpAccepted) || CaseLifecycle.CanMove(from, CaseStatus.HelpDeclined)));
        Assert.False(CaseLifecycle.CanMove(CaseStatus.HelpAccepted, CaseStatus.HelpDeclined));
        Assert.False(CaseLifecycle.CanMove(CaseStatus.HelpDeclined, CaseStatus.HelpAccepted));
    }

    [Theory]
    [MemberData(nameof(Refused))]
    public void A_refused_transition_throws_and_names_the_move(CaseStatus from, CaseStatus to)
    {
        Assert.False(CaseLifecycle.CanMove(from, to));

        var ex = Assert.Throws<InvalidCaseTransitionException>(() => Case(status: from).MoveTo(to, Later, "Vervolghulp en/of verwijzing financieel"));

        Assert.Equal(from, ex.From);
        Assert.Equal(to, ex.To);
        Assert.Contains("c-test-1", ex.Message, StringComparison.Ordinal);
    }

    // Refused is built as the complement of Allowed, so counting the two tables proves nothing about the
    // lifecycle: ask the lifecycle itself, over every pair, and compare with the documented moves.
    [Fact]
    public void The_lifecycle_allows_exactly_the_twenty_eight_documented_moves_and_no_other()
    {
        var statuses = Enum.GetValues<CaseStatus>();
        var documented = Allowed.Select(row => ((CaseStatus)row[0], (CaseStatus)row[1])).Order().ToList();

        var allowedByLifecycle = statuses.SelectMany(from => statuses.Select(to => (from, to)))
            .Where(move => CaseLifecycle.CanMove(move.from, move.to))
            .Order()
            .ToList();

        Assert.Equal(28, documented.Distinct().Count());
        Assert.Equal(documented, allowedByLifecycle);
    }

    [Fact]
    public void A_closed_case_can_go_nowhere()
    {
        Assert.All(Enum.GetValues<CaseStatus>(), to => Assert.False(CaseLifecycle.CanMove(CaseStatus.Closed, to)));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void Closing_a_case_needs_a_resultaat(string? resultaat)
    {
        var ex = Assert.Throws<ArgumentException>(() => Case(status: CaseStatus.InContact).MoveTo(CaseStatus.Closed, Later, resultaat));

        Assert.Equal("resultaat", ex.ParamName);
    }

    [Fact]
    public void Closing_records_the_resultaat_and_the_moment()
    {
        var closed = Case(status: CaseStatus.InContact).MoveTo(CaseStatus.Closed, Later, "Vervolghulp en/of verwijzing financieel");

        Assert.Equal("Vervolghulp en/of verwijzing financieel", closed.Resultaat);
        Assert.Equal(Later, closed.ClosedAt);
    }

    [Fact]
    public void Other_moves_leave_resultaat_and_closing_time_alone()
    {
        var moved = Case(status: CaseStatus.Triaged).MoveTo(CaseStatus.TaskDispatched, Later, "ignored");

        Assert.Null(moved.Resultaat);
        Assert.Null(moved.ClosedAt);
    }

    [Fact]
    public void Moving_returns_a_new_case_and_leaves_the_original_unchanged()
    {
        var original = Case(status: CaseStatus.New);

        _ = original.MoveTo(CaseStatus.Triaged, Later);

        Assert.Equal(CaseStatus.New, original.Status);
        Assert.Equal(Now, original.UpdatedAt);
    }
}

public class CaseResultaatTests
{
    [Fact]
    public void A_case_closes_only_with_a_resultaat_from_the_ddas_list()
    {
        var @case = new HouseholdCase("c-x-1", 1, CaseStatus.InContact, new VroegSignalering.Core.Routing.AreaCodes("0363", "036301", "03630101"),
            DateTimeOffset.UnixEpoch, new DateOnly(2026, 11, 1), new DateOnly(2026, 11, 1), [], 1, null, null, null, 0, 0, null, null, DateTimeOffset.UnixEpoch);

        Assert.Throws<ArgumentException>(() => @case.MoveTo(CaseStatus.Closed, DateTimeOffset.UnixEpoch, "Hulpaanbod geaccepteerd"));
        Assert.Equal(15, CaseLifecycle.Resultaten.Count);
        Assert.All(CaseLifecycle.Resultaten, r => Assert.Equal(CaseStatus.Closed, @case.MoveTo(CaseStatus.Closed, DateTimeOffset.UnixEpoch, r).Status));
    }
}
