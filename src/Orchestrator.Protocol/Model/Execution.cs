namespace Orchestrator.Protocol.Model;

/// <summary>
/// What a job runs once contracted (the <c>execution</c> part of a job description). A job without one is a reservation:
/// its contract holds the resources for the duration and nothing runs.
/// <para>
/// For <c>wasm</c>: the WebAssembly module (WASI preview 1, its <c>_start</c> is run) inline as base64 in
/// <see cref="Module"/>, or uploaded beforehand (<c>POST /orchestrator/modules</c>) and named by <see cref="ModuleSha256"/>.
/// For <c>simulated</c>:
/// <see cref="Args"/> say what to do (<c>sleep-ms=N</c>, <c>print=TEXT</c>, <c>exit=N</c>, in any order).
/// </para>
/// </summary>
public sealed record JobExecution
{
    public required ExecutorType Executor { get; init; }

    /// <summary>The module's bytes, base64 (at most the node's inline limit, orchestrator.execution.inlineModuleLimit).</summary>
    public string? Module { get; init; }

    /// <summary>
    /// The sha256 (64 lowercase hex digits) of a module uploaded with <c>POST /orchestrator/modules</c> to the node the job is
    /// posted to; the provider's node fetches it from whichever node holds it, checks the hash and keeps it.
    /// </summary>
    public string? ModuleSha256 { get; init; }

    /// <summary>The program's arguments (after its name).</summary>
    public IReadOnlyList<string> Args { get => _args; init => _args = Wire.Array(value); }
    private readonly string[] _args = [];

    /// <summary>The program's environment: nothing of the provider's own is passed.</summary>
    public IReadOnlyDictionary<string, string> Env { get => _env; init => _env = Wire.Map(value); }
    private readonly Dictionary<string, string> _env = new(StringComparer.Ordinal);

    /// <summary>What the program reads on its standard input (UTF-8); empty when absent.</summary>
    public string? Stdin { get; init; }

    /// <summary>Files the program leaves in its scratch folder (<c>/scratch</c>) to keep as outputs, by name.</summary>
    public IReadOnlyList<string> Outputs { get => _outputs; init => _outputs = Wire.Array(value); }
    private readonly string[] _outputs = [];

    /// <summary>The most the run may take, in seconds; the contract's duration when absent, and never more.</summary>
    public int? TimeoutSeconds { get; init; }

    /// <summary>What happens when a run fails; the node's default (orchestrator.execution.restart) when absent.</summary>
    public RestartPolicy? Restart { get; init; }
}

/// <summary>
/// Whether a failed run is tried again: <see cref="RestartMode.Never"/>, or <see cref="RestartMode.OnFailure"/> up to
/// <see cref="MaxAttempts"/> runs in all, each on a new contract with a provider that has not failed the job before.
/// A cancelled run is never tried again.
/// </summary>
public sealed record RestartPolicy(RestartMode Mode, int MaxAttempts);

public enum RestartMode
{
    Never,
    OnFailure,
}

/// <summary>A file the program left in its scratch folder, kept as an output.</summary>
public sealed record OutputFile(string Name, long Bytes, string Sha256);

/// <summary>
/// How a run ended: its exit code (absent when it did not exit on its own), why it failed (absent when it succeeded), in
/// words, how much it printed (and how much of that was past the log's bound and dropped), and the outputs kept.
/// </summary>
public sealed record RunOutcome(int? ExitCode, RunFailure? Failure, string Detail)
{
    public long StdoutBytes { get; init; }
    public long StderrBytes { get; init; }
    public long StdoutDropped { get; init; }
    public long StderrDropped { get; init; }

    public IReadOnlyList<OutputFile> Outputs { get => _outputs; init => _outputs = Wire.Array(value); }
    private readonly OutputFile[] _outputs = [];

    public bool Succeeded => Failure is null;
}

/// <summary>Which of a program's output streams a log line came from.</summary>
public enum LogStream
{
    Stdout,
    Stderr,
}

/// <summary>Why a run did not succeed, in the user's words (kebab-case on the API: <c>exit-code</c>, <c>memory-limit</c>, …).</summary>
public enum RunFailure
{
    /// <summary>The program exited with a code other than 0.</summary>
    ExitCode,
    /// <summary>The executor could not run the program, or the program trapped (the detail names the trap).</summary>
    ExecutorError,
    /// <summary>The program needed more memory than the contract's RAM.</summary>
    MemoryLimit,
    /// <summary>The program ran past its timeout (or the contract's duration) and was stopped.</summary>
    DurationExceeded,
    /// <summary>The provider's node left the cluster, or stopped reporting, while the program ran.</summary>
    ProviderLost,
    /// <summary>The job was cancelled while its program ran.</summary>
    Cancelled,
    /// <summary>The provider's node restarted while the program ran, and the run could not be resumed.</summary>
    Interrupted,
}

/// <summary>One run of a job: on which contract, provider and node, when, and (once ended) how it ended.</summary>
public sealed record RunRecord(int Run, string ContractId, string ProviderId, string Node, DateTimeOffset StartedAt, DateTimeOffset? EndedAt,
    RunOutcome? Outcome);

/// <summary>Which states end a job's life.</summary>
public static class JobStates
{
    /// <summary>
    /// Failed, Completed and Cancelled always; Contracted for a reservation (<paramref name="runsProgram"/> false): a job that
    /// runs something goes on from there.
    /// </summary>
    public static bool IsFinal(JobState state, bool runsProgram) =>
        state is JobState.Failed or JobState.Completed or JobState.Cancelled || (state == JobState.Contracted && !runsProgram);
}

/// <summary>The words for why a run failed, and the job failure each stands for.</summary>
public static class RunFailures
{
    /// <summary>The kebab-case code the API and the CLI show (<c>exit-code</c>, <c>memory-limit</c>, …).</summary>
    public static string Code(RunFailure failure) => System.Text.Json.JsonNamingPolicy.KebabCaseLower.ConvertName(failure.ToString());

    /// <summary>The job's failure reason for a run's outcome; null when the run succeeded.</summary>
    public static FailureReason? Reason(RunOutcome outcome) => outcome.Failure switch
    {
        null => null,
        RunFailure.ExitCode => FailureReason.ExitCode,
        RunFailure.ExecutorError => FailureReason.ExecutorError,
        RunFailure.MemoryLimit => FailureReason.MemoryLimit,
        RunFailure.DurationExceeded => FailureReason.DurationExceeded,
        RunFailure.ProviderLost => FailureReason.ProviderLost,
        RunFailure.Cancelled => FailureReason.Cancelled,
        _ => FailureReason.Interrupted,
    };
}
