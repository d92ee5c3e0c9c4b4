using Orchestrator.Protocol.Events;
using Orchestrator.Protocol.Model;

namespace Orchestrator.Persistence.Journal;

// The events as version 1 of the journal format stores them, one record per manifest (JournalEventSerializer.Formats).
// A record is never changed in a way that changes what an old row means: a new version is a new record beside it
// (JobPostedV2), and the old one keeps mapping its rows to the current event.

internal sealed record JobPostedV1(
    string JobId,
    DescriptionRecord Description,
    OrchestrationType OrchestrationType,
    SelectionCriterion Selection,
    PreferenceRecord[] Preferences,
    RequirementsRecord Requirements,
    string Requester,
    DateTimeOffset Deadline,
    DateTimeOffset At)
{
    public static JobPostedV1 From(JobPosted e) => new(e.JobId, DescriptionRecord.From(e.Description), e.OrchestrationType, e.Selection,
        e.Preferences.Select(PreferenceRecord.From).ToArray(), RequirementsRecord.From(e.Requirements), e.Requester, e.Deadline, e.At);

    public JobPosted ToEvent() => new(JobId, Description.ToModel(), OrchestrationType, Selection, Preferences.Select(p => p.ToModel()).ToArray(),
        Requirements.ToModel(), Requester, Deadline, At);
}

internal sealed record SearchStartedV1(string JobId, int Attempt, string[] Candidates, int Considered, Dictionary<string, int> Prefiltered, DateTimeOffset At)
{
    public static SearchStartedV1 From(SearchStarted e) =>
        new(e.JobId, e.Attempt, e.Candidates.ToArray(), e.Considered, new Dictionary<string, int>(e.Prefiltered, StringComparer.Ordinal), e.At);

    public SearchStarted ToEvent() => new(JobId, Attempt, Candidates, Considered, Prefiltered, At);
}

internal sealed record ProvidersRuledOutV1(string JobId, int Attempt, VerdictRecord[] Verdicts, int Unnamed, DateTimeOffset At)
{
    public static ProvidersRuledOutV1 From(ProvidersRuledOut e) => new(e.JobId, e.Attempt, e.Verdicts.Select(VerdictRecord.From).ToArray(), e.Unnamed, e.At);

    public ProvidersRuledOut ToEvent() => new(JobId, Attempt, Verdicts.Select(v => v.ToMessage()).ToArray(), Unnamed, At);
}

internal sealed record SearchCompletedV1(
    string JobId,
    BidRecord[] Bids,
    DeclineRecord[] Declines,
    TimeoutRecord[] Timeouts,
    ExplanationRecord Explanation,
    DateTimeOffset At)
{
    public static SearchCompletedV1 From(SearchCompleted e) => new(e.JobId, e.Bids.Select(BidRecord.From).ToArray(), e.Declines.Select(DeclineRecord.From).ToArray(),
        e.Timeouts.Select(TimeoutRecord.From).ToArray(), ExplanationRecord.From(e.Explanation), e.At);

    public SearchCompleted ToEvent() => new(JobId, Bids.Select(b => b.ToMessage()).ToArray(), Declines.Select(d => d.ToMessage()).ToArray(),
        Timeouts.Select(t => t.ToMessage()).ToArray(), Explanation.ToMessage(), At);
}

internal sealed record SearchRetryScheduledV1(string JobId, int Attempt, DateTimeOffset RetryAt, FailureReason Reason, string Message, DateTimeOffset At)
{
    public static SearchRetryScheduledV1 From(SearchRetryScheduled e) => new(e.JobId, e.Attempt, e.RetryAt, e.Reason, e.Message, e.At);

    public SearchRetryScheduled ToEvent() => new(JobId, Attempt, RetryAt, Reason, Message, At);
}

internal sealed record ProviderShortlistedV1(string JobId, string ProviderId, string Note, DateTimeOffset At)
{
    public static ProviderShortlistedV1 From(ProviderShortlisted e) => new(e.JobId, e.ProviderId, e.Note, e.At);

    public ProviderShortlisted ToEvent() => new(JobId, ProviderId, Note, At);
}

internal sealed record JobRequestSentV1(string JobId, string ProviderId, DateTimeOffset At)
{
    public static JobRequestSentV1 From(JobRequestSent e) => new(e.JobId, e.ProviderId, e.At);

    public JobRequestSent ToEvent() => new(JobId, ProviderId, At);
}

internal sealed record ResourcesConfirmedV1(string JobId, BidRecord Bid, DateTimeOffset At)
{
    public static ResourcesConfirmedV1 From(ResourcesConfirmed e) => new(e.JobId, BidRecord.From(e.Bid), e.At);

    public ResourcesConfirmed ToEvent() => new(JobId, Bid.ToMessage(), At);
}

internal sealed record CandidateDroppedV1(string JobId, string ProviderId, DeclineRecord? Decline, TimeoutRecord? Timeout, DateTimeOffset At)
{
    public static CandidateDroppedV1 From(CandidateDropped e) => new(e.JobId, e.ProviderId, e.Decline is null ? null : DeclineRecord.From(e.Decline),
        e.Timeout is null ? null : TimeoutRecord.From(e.Timeout), e.At);

    public CandidateDropped ToEvent() => new(JobId, ProviderId, Decline?.ToMessage(), Timeout?.ToMessage(), At);
}

internal sealed record ContractClosedV1(string JobId, ContractRecord Contract, DateTimeOffset At, SignaturesRecord? Signatures = null)
{
    public static ContractClosedV1 From(ContractClosed e) =>
        new(e.JobId, ContractRecord.From(e.Contract), e.At, e.Signatures is null ? null : SignaturesRecord.From(e.Signatures));

    public ContractClosed ToEvent() => new(JobId, Contract.ToModel(), At, Signatures?.ToModel());
}

internal sealed record JobFailedV1(string JobId, FailureReason Reason, string Message, DateTimeOffset At)
{
    public static JobFailedV1 From(JobFailed e) => new(e.JobId, e.Reason, e.Message, e.At);

    public JobFailed ToEvent() => new(JobId, Reason, Message, At);
}

internal sealed record ResourcesLockedV1(
    string ProviderId,
    string JobId,
    string RequesterNodeId,
    ResourceNeedsRecord Resources,
    int[] GpuIndices,
    decimal PricePerHour,
    DateTimeOffset ExpiresAt,
    DateTimeOffset At,
    decimal? PricePerResult = null)
{
    public static ResourcesLockedV1 From(ResourcesLocked e) => new(e.ProviderId, e.JobId, e.RequesterNodeId, ResourceNeedsRecord.From(e.Resources),
        e.GpuIndices.ToArray(), e.PricePerHour, e.ExpiresAt, e.At, e.PricePerResult);

    public ResourcesLocked ToEvent() => new(ProviderId, JobId, RequesterNodeId, Resources.ToModel(), GpuIndices, PricePerHour, ExpiresAt, At)
    {
        PricePerResult = PricePerResult,
    };
}

internal sealed record LockReleasedV1(string ProviderId, string JobId, string Reason, DateTimeOffset At)
{
    public static LockReleasedV1 From(LockReleased e) => new(e.ProviderId, e.JobId, e.Reason, e.At);

    public LockReleased ToEvent() => new(ProviderId, JobId, Reason, At);
}

internal sealed record ContractCommittedV1(string ProviderId, ContractRecord Contract, int[] GpuIndices, DateTimeOffset At, ProofRecord? RequesterProof = null,
    EligibilityRecord? Eligibility = null)
{
    public static ContractCommittedV1 From(ContractCommitted e) => new(e.ProviderId, ContractRecord.From(e.Contract), e.GpuIndices.ToArray(), e.At,
        e.RequesterProof is null ? null : ProofRecord.From(e.RequesterProof), e.Eligibility is null ? null : EligibilityRecord.From(e.Eligibility));

    public ContractCommitted ToEvent() => new(ProviderId, Contract.ToModel(), GpuIndices, At, RequesterProof?.ToModel(), Eligibility?.ToMessage());
}

internal sealed record ContractEndedV1(string ProviderId, string JobId, DateTimeOffset At, ReceiptRecord? Receipt = null, ProofRecord? ReceiptProof = null)
{
    public static ContractEndedV1 From(ContractEnded e) => new(e.ProviderId, e.JobId, e.At, ReceiptRecord.FromOptional(e.Receipt), OptionalProof.From(e.ReceiptProof));

    public ContractEnded ToEvent() => new(ProviderId, JobId, At, Receipt?.ToModel(), ReceiptProof?.ToModel());
}

internal sealed record ContractsConfirmedV1(string ProviderId, string[] JobIds, DateTimeOffset At)
{
    public static ContractsConfirmedV1 From(ContractsConfirmed e) => new(e.ProviderId, e.JobIds.ToArray(), e.At);

    public ContractsConfirmed ToEvent() => new(ProviderId, JobIds, At);
}

internal sealed record ContractRevokedV1(string ProviderId, string JobId, string Reason, DateTimeOffset At, ReceiptRecord? Receipt = null,
    ProofRecord? ReceiptProof = null)
{
    public static ContractRevokedV1 From(ContractRevoked e) => new(e.ProviderId, e.JobId, e.Reason, e.At, ReceiptRecord.FromOptional(e.Receipt),
        OptionalProof.From(e.ReceiptProof));

    public ContractRevoked ToEvent() => new(ProviderId, JobId, Reason, At, Receipt?.ToModel(), ReceiptProof?.ToModel());
}

internal sealed record ProviderOffboardingV1(string ProviderId, DateTimeOffset At)
{
    public static ProviderOffboardingV1 From(ProviderOffboarding e) => new(e.ProviderId, e.At);

    public ProviderOffboarding ToEvent() => new(ProviderId, At);
}

internal sealed record ProviderOffboardedV1(string ProviderId, DateTimeOffset At)
{
    public static ProviderOffboardedV1 From(ProviderOffboarded e) => new(e.ProviderId, e.At);

    public ProviderOffboarded ToEvent() => new(ProviderId, At);
}

internal sealed record ProviderOnboardedV1(string ProviderId, CapabilityRecord Capability, DateTimeOffset At)
{
    public static ProviderOnboardedV1 From(ProviderOnboarded e) => new(e.ProviderId, CapabilityRecord.From(e.Capability), e.At);

    public ProviderOnboarded ToEvent() => new(ProviderId, Capability.ToModel(), At);
}

internal sealed record RunStartedV1(string JobId, string ContractId, string ProviderId, int Run, string Node, DateTimeOffset At)
{
    public static RunStartedV1 From(RunStarted e) => new(e.JobId, e.ContractId, e.ProviderId, e.Run, e.Node, e.At);

    public RunStarted ToEvent() => new(JobId, ContractId, ProviderId, Run, Node, At);
}

internal sealed record RunEndedV1(string JobId, string ContractId, string ProviderId, int Run, RunOutcomeRecord Outcome, bool Retry, DateTimeOffset At)
{
    public static RunEndedV1 From(RunEnded e) => new(e.JobId, e.ContractId, e.ProviderId, e.Run, RunOutcomeRecord.From(e.Outcome), e.Retry, e.At);

    public RunEnded ToEvent() => new(JobId, ContractId, ProviderId, Run, Outcome.ToModel(), Retry, At);
}

internal sealed record ContractAllocatedV1(string ProviderId, string JobId, string ContractId, DateTimeOffset At)
{
    public static ContractAllocatedV1 From(ContractAllocated e) => new(e.ProviderId, e.JobId, e.ContractId, e.At);

    public ContractAllocated ToEvent() => new(ProviderId, JobId, ContractId, At);
}

internal sealed record AllocationStartedV1(string ProviderId, string JobId, string ContractId, int Run, ExecutorType Executor, DateTimeOffset At)
{
    public static AllocationStartedV1 From(AllocationStarted e) => new(e.ProviderId, e.JobId, e.ContractId, e.Run, e.Executor, e.At);

    public AllocationStarted ToEvent() => new(ProviderId, JobId, ContractId, Run, Executor, At);
}

internal sealed record AllocationEndedV1(string ProviderId, string JobId, string ContractId, RunOutcomeRecord Outcome, DateTimeOffset At,
    ReceiptRecord? Receipt = null, ProofRecord? ReceiptProof = null)
{
    public static AllocationEndedV1 From(AllocationEnded e) => new(e.ProviderId, e.JobId, e.ContractId, RunOutcomeRecord.From(e.Outcome), e.At,
        ReceiptRecord.FromOptional(e.Receipt), OptionalProof.From(e.ReceiptProof));

    public AllocationEnded ToEvent() => new(ProviderId, JobId, ContractId, Outcome.ToModel(), At, Receipt?.ToModel(), ReceiptProof?.ToModel());
}

internal sealed record SettlementProposedV1(string JobId, SettlementShapeRecord Settlement, ProofRecord? ReceiptProof, ProofRecord? RequesterProof, DateTimeOffset At)
{
    public static SettlementProposedV1 From(SettlementProposed e) => new(e.JobId, SettlementShapeRecord.From(e.Settlement), OptionalProof.From(e.ReceiptProof),
        OptionalProof.From(e.RequesterProof), e.At);

    public SettlementProposed ToEvent() => new(JobId, Settlement.ToModel(), ReceiptProof?.ToModel(), RequesterProof?.ToModel(), At);
}

internal sealed record ContractSettledV1(string JobId, SettlementShapeRecord Settlement, ProofRecord? ReceiptProof, ProofRecord? RequesterProof,
    ProofRecord? ProviderProof, DateTimeOffset At)
{
    public static ContractSettledV1 From(ContractSettled e) => new(e.JobId, SettlementShapeRecord.From(e.Settlement), OptionalProof.From(e.ReceiptProof),
        OptionalProof.From(e.RequesterProof), OptionalProof.From(e.ProviderProof), e.At);

    public ContractSettled ToEvent() => new(JobId, Settlement.ToModel(), ReceiptProof?.ToModel(), RequesterProof?.ToModel(), ProviderProof?.ToModel(), At);
}

internal sealed record SettlementDisputedV1(string JobId, string ContractId, string ProviderId, string DisputedBy, string Reason, ReceiptRecord? Receipt,
    ProofRecord? ReceiptProof, DateTimeOffset At)
{
    public static SettlementDisputedV1 From(SettlementDisputed e) => new(e.JobId, e.ContractId, e.ProviderId, e.DisputedBy, e.Reason,
        ReceiptRecord.FromOptional(e.Receipt), OptionalProof.From(e.ReceiptProof), e.At);

    public SettlementDisputed ToEvent() => new(JobId, ContractId, ProviderId, DisputedBy, Reason, Receipt?.ToModel(), ReceiptProof?.ToModel(), At);
}

internal sealed record SettlementTransferredV1(string JobId, string ContractId, string Provider, string Reference, DateTimeOffset TransferredAt, DateTimeOffset At)
{
    public static SettlementTransferredV1 From(SettlementTransferred e) => new(e.JobId, e.ContractId, e.Transfer.Provider, e.Transfer.Reference, e.Transfer.At, e.At);

    public SettlementTransferred ToEvent() => new(JobId, ContractId, new SettlementTransfer(Provider, Reference, TransferredAt), At);
}

internal sealed record ProviderContractSettledV1(string ProviderId, SettlementShapeRecord Settlement, ProofRecord? ReceiptProof, ProofRecord? RequesterProof,
    ProofRecord? ProviderProof, DateTimeOffset At)
{
    public static ProviderContractSettledV1 From(ProviderContractSettled e) => new(e.ProviderId, SettlementShapeRecord.From(e.Settlement),
        OptionalProof.From(e.ReceiptProof), OptionalProof.From(e.RequesterProof), OptionalProof.From(e.ProviderProof), e.At);

    public ProviderContractSettled ToEvent() => new(ProviderId, Settlement.ToModel(), ReceiptProof?.ToModel(), RequesterProof?.ToModel(), ProviderProof?.ToModel(), At);
}

internal sealed record ProviderSettlementDisputedV1(string ProviderId, string JobId, string ContractId, string DisputedBy, string Reason, DateTimeOffset At)
{
    public static ProviderSettlementDisputedV1 From(ProviderSettlementDisputed e) => new(e.ProviderId, e.JobId, e.ContractId, e.DisputedBy, e.Reason, e.At);

    public ProviderSettlementDisputed ToEvent() => new(ProviderId, JobId, ContractId, DisputedBy, Reason, At);
}
