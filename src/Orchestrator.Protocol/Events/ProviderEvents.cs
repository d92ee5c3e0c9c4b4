using Orchestrator.Protocol.Messages;
using Orchestrator.Protocol.Model;

namespace Orchestrator.Protocol.Events;

// The journal: written by JournalEventSerializer (JSON, one manifest per event and version); journals from before it
// hold Hyperion rows, which name these types. How to change an event: CONTRIBUTING.md, "Changing an event".

/// <summary>Resources held for a job until <see cref="ExpiresAt"/> unless a contract takes them over first.</summary>
public sealed record ResourcesLocked(
    string ProviderId,
    string JobId,
    string RequesterNodeId,
    ResourceRequirements Resources,
    IReadOnlyList<int> GpuIndices,
    decimal PricePerHour,
    DateTimeOffset ExpiresAt,
    DateTimeOffset At) : IProviderEvent
{
    /// <summary>Set when the provider charges per result (see <see cref="Model.ProviderCapability.PricePerResult"/>).</summary>
    public decimal? PricePerResult { get; init; }
}

public sealed record LockReleased(string ProviderId, string JobId, string Reason, DateTimeOffset At) : IProviderEvent;

/// <summary>
/// The job's lock became a contract; the resources stay committed until the contract ends. With an authority,
/// <see cref="RequesterProof"/> is the requester's signature over the terms it proposed (the contract before the
/// provider assigned its GPUs): the provider's evidence of what the requester agreed to.
/// </summary>
/// <summary>
/// The provider committed its resources to the contract. <see cref="Eligibility"/>: its comparison with the job (its
/// EligibleComputeProvidersData entry) as it stood, kept at rest with the commitment it led to.
/// </summary>
public sealed record ContractCommitted(string ProviderId, Contract Contract, IReadOnlyList<int> GpuIndices, DateTimeOffset At, Proof? RequesterProof = null,
    EligibilityEntry? Eligibility = null)
    : IProviderEvent;

/// <summary>
/// The contract ended (its time was up, or its allocation's run ended). After a run, with the allocation's signed
/// <see cref="Receipt"/>: the contract then stays unsettled on the provider until its settlement is recorded.
/// </summary>
public sealed record ContractEnded(string ProviderId, string JobId, DateTimeOffset At, UsageReceipt? Receipt = null, Proof? ReceiptProof = null) : IProviderEvent;

/// <summary>
/// The jobs of these contracts said they hold them (the second phase of closure), recorded together every second or
/// so: after a restart the provider asks only about the contracts not confirmed yet, not about every one it holds.
/// </summary>
public sealed record ContractsConfirmed(string ProviderId, IReadOnlyList<string> JobIds, DateTimeOffset At) : IProviderEvent;

/// <summary>
/// A committed contract reverted before its time because its job does not hold it (the job moved on, failed, or
/// never recorded it): the resources are free again. <see cref="Reason"/> is the job's word for why.
/// </summary>
public sealed record ContractRevoked(string ProviderId, string JobId, string Reason, DateTimeOffset At, UsageReceipt? Receipt = null, Proof? ReceiptProof = null)
    : IProviderEvent;

/// <summary>The provider takes no new jobs from now on (offboarding); it leaves once its holdings have ended.</summary>
public sealed record ProviderOffboarding(string ProviderId, DateTimeOffset At) : IProviderEvent;

/// <summary>An offboarded provider left this node: it is not started again, even if the providers file lists it.</summary>
public sealed record ProviderOffboarded(string ProviderId, DateTimeOffset At) : IProviderEvent;

/// <summary>A provider onboarded on this node at run time (not from the providers file); it comes back after a restart.</summary>
public sealed record ProviderOnboarded(string ProviderId, ProviderCapability Capability, DateTimeOffset At) : IProviderEvent;

/// <summary>
/// Several of a provider's events written as one journal row: a contract, with the confirmations that arrived since the
/// provider last wrote (they ride along instead of costing a row of their own). Applied in order.
/// </summary>
public sealed record ProviderStepsRecorded(string ProviderId, IReadOnlyList<IProviderEvent> Steps) : IProviderEvent
{
    private readonly IProviderEvent[] _steps = Wire.Array(Steps);

    /// <summary>The steps in the order they happened (a plain array, whatever the caller passed: see <c>Wire</c>).</summary>
    public IReadOnlyList<IProviderEvent> Steps { get => _steps; init => _steps = Wire.Array(value); }

    /// <summary>When the last of the steps happened.</summary>
    public DateTimeOffset At => Steps.Count == 0 ? DateTimeOffset.MinValue : Steps[^1].At;
}

/// <summary>The provider started the allocation for this contract (it is an allocation's from now: after a restart the allocation reports how it stands).</summary>
public sealed record ContractAllocated(string ProviderId, string JobId, string ContractId, DateTimeOffset At) : IProviderEvent;

/// <summary>An allocation's first event (in its own journal, <c>allocation-{contract id}</c>): the run was started.</summary>
public sealed record AllocationStarted(string ProviderId, string JobId, string ContractId, int Run, ExecutorType Executor, DateTimeOffset At) : IProviderEvent;

/// <summary>An allocation's last event: how the run ended. Written before the provider lets the resources go.</summary>
/// <remarks>With the provider's signed receipt of what the run used (its usage, measured by the allocation).</remarks>
public sealed record AllocationEnded(string ProviderId, string JobId, string ContractId, RunOutcome Outcome, DateTimeOffset At, UsageReceipt? Receipt = null,
    Proof? ReceiptProof = null) : IProviderEvent;

/// <summary>
/// The provider countersigned the job's settlement of one of its contracts: its side of the ledger, with the amount, the
/// usage and both signatures (the contract stays unsettled on this side until this is written).
/// </summary>
public sealed record ProviderContractSettled(string ProviderId, Settlement Settlement, Proof? ReceiptProof, Proof? RequesterProof, Proof? ProviderProof,
    DateTimeOffset At) : IProviderEvent;

/// <summary>A side disputed the settlement of <see cref="ContractId"/> (<see cref="DisputedBy"/>: <c>requester</c> or <c>provider</c>), and why.</summary>
public sealed record ProviderSettlementDisputed(string ProviderId, string JobId, string ContractId, string DisputedBy, string Reason, DateTimeOffset At)
    : IProviderEvent;
