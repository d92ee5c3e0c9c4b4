using System.Text.Json.Serialization;

namespace Orchestrator.Protocol.Model;

/// <summary>The seed's two orchestration mechanisms; <c>pull</c> (providers bid) is the default.</summary>
public enum OrchestrationType
{
    Pull,
    Push,
}

public enum ExecutorType
{
    Docker,
    Firecracker,
    Wasm,
    // Persisted as numbers: new executors go at the end.
    /// <summary>Built in for tests and the benchmark: runs for a stated time, prints what it is told, exits with a stated code.</summary>
    Simulated,
}

/// <summary>NuNet's job types; a provider lists those it accepts.</summary>
public enum JobType
{
    [JsonStringEnumMemberName("batch")] Batch,
    [JsonStringEnumMemberName("single_run")] SingleRun,
    [JsonStringEnumMemberName("recurring")] Recurring,
    [JsonStringEnumMemberName("long_running")] LongRunning,
}

/// <summary>How the preferred provider is picked from the eligible bids.</summary>
public enum SelectionCriterion
{
    /// <summary>Highest weighted preference score (then lower price, more spare capacity, provider id).</summary>
    Score,
    LowestPrice,
    EarliestBid,
}

/// <summary>Operators of label constraints.</summary>
public enum LabelOperator
{
    [JsonStringEnumMemberName("=")] Equals,
    [JsonStringEnumMemberName("!=")] NotEquals,
    [JsonStringEnumMemberName("in")] In,
    [JsonStringEnumMemberName("not in")] NotIn,
    [JsonStringEnumMemberName("exists")] Exists,
    [JsonStringEnumMemberName("<")] LessThan,
    [JsonStringEnumMemberName("<=")] LessThanOrEqual,
    [JsonStringEnumMemberName(">")] GreaterThan,
    [JsonStringEnumMemberName(">=")] GreaterThanOrEqual,
}

/// <summary>Provider dimensions a preference can ask "more of".</summary>
public enum ResourceDimension
{
    [JsonStringEnumMemberName("cpuCores")] CpuCores,
    [JsonStringEnumMemberName("cpuClockMhz")] CpuClockMhz,
    [JsonStringEnumMemberName("ramMb")] RamMb,
    [JsonStringEnumMemberName("diskGb")] DiskGb,
    [JsonStringEnumMemberName("gpuVramMb")] GpuVramMb,
}

/// <summary>
/// The lifecycle of a job. <see cref="Failed"/>, <see cref="Completed"/> and <see cref="Cancelled"/> are terminal; so is
/// <see cref="Contracted"/> for a reservation (a job without an execution part). A job that runs something goes on from
/// <see cref="Contracted"/> to <see cref="Running"/> and ends <see cref="Completed"/>, <see cref="Failed"/> or
/// <see cref="Cancelled"/>.
/// </summary>
public enum JobState
{
    Posted,
    Searching,
    Matched,
    Requested,
    Contracted,
    Failed,
    // Stored by name; new states go at the end.
    /// <summary>The contracted provider runs the job's program (its allocation started).</summary>
    Running,
    /// <summary>The program exited with 0.</summary>
    Completed,
    /// <summary>The job was cancelled while its program ran: the provider stopped it and freed the resources.</summary>
    Cancelled,
}

/// <summary>Why a job ended in <see cref="JobState.Failed"/>; stable, machine-readable.</summary>
public enum FailureReason
{
    NoEligibleProvider,
    AllCandidatesDeclined,
    VerificationFailed,
    DeadlinePassed,
    Cancelled,
    // Stored by name; new reasons go at the end. The reasons a run fails (see RunFailure):
    /// <summary>The program exited with a code other than 0.</summary>
    ExitCode,
    /// <summary>The executor could not run the program, or the program trapped.</summary>
    ExecutorError,
    /// <summary>The program needed more memory than the contract's RAM.</summary>
    MemoryLimit,
    /// <summary>The program ran past its timeout and was stopped.</summary>
    DurationExceeded,
    /// <summary>The provider's node was lost (left, or stopped reporting) while the program ran.</summary>
    ProviderLost,
    /// <summary>The provider's node restarted while the program ran.</summary>
    Interrupted,
}

/// <summary>Why a provider said no; each names the constraint or check that failed.</summary>
public enum DeclineReason
{
    InsufficientCpu,
    InsufficientRam,
    InsufficientDisk,
    GpuUnavailable,
    ExecutorUnsupported,
    LocalityMismatch,
    PriceAboveMaximum,
    JobTypeUnsupported,
    ArchitectureMismatch,
    CpuClockTooLow,
    DiskTypeMismatch,
    LibraryMissing,
    StorageUnavailable,
    ConnectivityMismatch,
    CurrencyMismatch,
    BudgetExceeded,
    DurationTooLong,
    LabelMismatch,
    UnknownProvider,
    VerificationFailed,
    LeaseExpired,
    NotLocked,
    // Persisted as numbers: new reasons go at the end.
    /// <summary>The library is installed, but in no version the job's constraint allows.</summary>
    LibraryVersion,
    /// <summary>The provider is being offboarded: it honours its contracts and takes no new jobs.</summary>
    ProviderOffboarding,
    /// <summary>
    /// The provider left the directory (its member left or was removed, or the provider stopped): declined for it, with
    /// the member named, rather than waiting out an answer that cannot come.
    /// </summary>
    ProviderGone,
    /// <summary>The job runs a program on an executor the provider declares but its node has not registered.</summary>
    ExecutorNotRegistered,
}

/// <summary>Which exchange with a provider an answer (or its absence) belongs to.</summary>
public enum ExchangePhase
{
    Bid,
    JobRequest,
    ContractClosure,
}
