using Orchestrator.Protocol.Model;

namespace Orchestrator.Protocol.Messages;

// A contract's settlement (docs/settlement.md). The provider signs a receipt of what its allocation used and sends it to the
// job (with the run's end report, then again until the settlement is recorded on its side); the job checks it against
// its own record, computes the amount the contract's terms give, signs and proposes it (again until countersigned); the
// provider checks the amount the same way, countersigns and records it; the job records the countersignature. Each side
// keys everything by contract id: a repeated message gets the same answer, and nothing is recorded twice.

/// <summary>Provider → job: the signed receipt of a run that ended under <see cref="ContractId"/>; settle it.</summary>
public sealed record SettleContract(string JobId, string ProviderId, string ContractId, UsageReceipt Receipt, Proof? ReceiptProof) : IJobMessage;

/// <summary>Job → provider: the settlement the job computed and signed (<see cref="RequesterProof"/>), for the provider to countersign.</summary>
public sealed record ProposeSettlement(Settlement Settlement, Proof? RequesterProof) : IProviderMessage
{
    public string ProviderId => Settlement.ProviderId;
}

/// <summary>Provider → job: the provider agrees and recorded the settlement, with its signature over it.</summary>
public sealed record SettlementCountersigned(string JobId, string ProviderId, string ContractId, Proof? ProviderProof) : IJobMessage;

/// <summary>Provider → job: the provider does not sign the proposed settlement, and why; both sides record the dispute.</summary>
public sealed record SettlementRejected(string JobId, string ProviderId, string ContractId, string Reason) : IJobMessage;

/// <summary>Job → provider: the job disputes the settlement of <see cref="ContractId"/> (or recorded the provider's rejection), and why.</summary>
public sealed record DisputeSettlement(string JobId, string ProviderId, string ContractId, string DisputedBy, string Reason) : IProviderMessage;

/// <summary>Job → provider: a receipt the job cannot attribute to its provider or contract (forged, altered, another contract's): refused, and why.</summary>
public sealed record ReceiptRefused(string JobId, string ProviderId, string ContractId, string Reason) : IProviderMessage;

/// <summary>Ask a provider for the settlements it holds (answered with <see cref="ProviderSettlements"/>).</summary>
public sealed record GetProviderSettlements(string ProviderId) : IProviderMessage;

public sealed record ProviderSettlements(string ProviderId, IReadOnlyList<SettlementRecord> Settlements) : IProviderMessage;

/// <summary>One contract's settlement in the job listing (the ledger's row, without the signatures).</summary>
public sealed record SettlementLine(string ContractId, string ProviderId, SettlementState State, string Currency, decimal Amount, DateTimeOffset UpdatedAt)
{
    /// <summary>The settlement provider handled the settled amount.</summary>
    public bool Transferred { get; init; }
}
