using Orchestrator.Protocol.Model;

namespace Orchestrator.Execution;

/// <summary>
/// How a run ended. <see cref="Failure"/> is null when the workload exited with 0; otherwise it says why, in the user's
/// words, with <see cref="Detail"/> (the trap, the limit, the executor's error).
/// </summary>
public sealed record ExecutionOutcome(int? ExitCode, RunFailure? Failure, string Detail)
{
    public static ExecutionOutcome Exited(int code) =>
        code == 0 ? new(0, null, "exited with 0") : new(code, RunFailure.ExitCode, $"exited with {code}");

    public static ExecutionOutcome Failed(RunFailure failure, string detail) => new(null, failure, detail);

    public bool Succeeded => Failure is null;

    /// <summary>The CPU time the program used, as the executor measured it (zero when it cannot).</summary>
    public TimeSpan CpuTime { get; init; }

    /// <summary>The most memory the program held at once, bytes (zero when the executor cannot tell).</summary>
    public long PeakMemoryBytes { get; init; }
}
