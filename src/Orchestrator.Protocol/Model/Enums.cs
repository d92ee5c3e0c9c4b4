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
}

/// <summary>The lifecycle of a job. <see cref="Contracted"/> and <see cref="Failed"/> are terminal.</summary>
public enum JobState
{
    Posted,
    Searching,
    Matched,
    Requested,
    Contracted,
    Failed,
}

/// <summary>Why a job ended in <see cref="JobState.Failed"/>; stable, machine-readable.</summary>
public enum FailureReason
{
    NoEligibleProvider,
    AllCandidatesDeclined,
    VerificationFailed,
    DeadlinePassed,
    Cancelled,
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
    VerificationFailed,
    LeaseExpired,
    NotLocked,
}

/// <summary>Which exchange with a provider an answer (or its absence) belongs to.</summary>
public enum ExchangePhase
{
    Bid,
    JobRequest,
    ContractClosure,
}
