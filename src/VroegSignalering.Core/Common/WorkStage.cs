namespace VroegSignalering.Core.Common;

/// <summary>
/// The pipeline stage the current flow of work belongs to, so every storage request can be counted by
/// stage (vroeg.storage.requests). Set at the entry of each use case with <see cref="Enter"/>; it flows
/// with async calls and is restored when the scope ends. Work outside any stage counts as <see cref="Other"/>.
/// </summary>
public static class WorkStage
{
    public const string Intake = "intake";
    public const string Processing = "processing";
    public const string Triage = "triage";
    public const string Dispatch = "dispatch";
    public const string Report = "report";
    public const string Other = "other";

    /// <summary>
    /// The teams' outcome requests (contact attempts, help decisions, results): work after the pipeline, not part of
    /// what a signal costs to process, so the run report shows it beside the pipeline's stages and leaves it out of the
    /// total per accepted signal. Not in <see cref="All"/>, the pipeline's stages.
    /// </summary>
    public const string Outcomes = "outcomes";

    /// <summary>Every stage, in pipeline order.</summary>
    public static IReadOnlyList<string> All { get; } = [Intake, Processing, Triage, Dispatch, Report, Other];

    private static readonly AsyncLocal<string?> CurrentStage = new();

    /// <summary>The stage of the current flow, or <see cref="Other"/>.</summary>
    public static string Current => CurrentStage.Value ?? Other;

    /// <summary>Enters <paramref name="stage"/> until the returned scope is disposed.</summary>
    public static Scope Enter(string stage)
    {
        var previous = CurrentStage.Value;
        CurrentStage.Value = stage;
        return new Scope(previous);
    }

    /// <summary>Restores the stage that was current before <see cref="Enter"/>.</summary>
    public readonly struct Scope(string? previous) : IDisposable
    {
        public void Dispose() => CurrentStage.Value = previous;
    }
}
