namespace Orchestrator.Protocol.Model;

/// <summary>
/// What a job runs once contracted (the <c>execution</c> part of a job description). A job without one is a reservation:
/// its contract holds the resources for the duration and nothing runs.
/// <para>
/// For <c>wasm</c>: the WebAssembly module (WASI preview 1, its <c>_start</c> is run) inline as base64 in
/// <see cref="Module"/>, or uploaded beforehand and named by <see cref="ModuleSha256"/>. For <c>simulated</c>:
/// <see cref="Args"/> say what to do (<c>sleep-ms=N</c>, <c>print=TEXT</c>, <c>exit=N</c>, in any order).
/// </para>
/// </summary>
public sealed record JobExecution
{
    public required ExecutorType Executor { get; init; }

    /// <summary>The module's bytes, base64 (at most the node's inline limit; larger modules are uploaded).</summary>
    public string? Module { get; init; }

    /// <summary>The sha256 (hex) of a module uploaded with <c>POST /orchestrator/modules</c>.</summary>
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
