using Orchestrator.Protocol.Model;

namespace Orchestrator.Protocol.Messages;

/// <summary>
/// The seed's BidRequest: a job asks a provider whether, and at what price, it would run it. A dry run (a plan)
/// gets the same answer but never locks anything.
/// </summary>
public sealed record BidRequest(string JobId, string ProviderId, string RequesterNodeId, JobRequirements Requirements, bool DryRun = false)
    : IProviderMessage;

/// <summary>
/// The seed's job request: the shortlisted provider is asked to lock the resources (when its bid did not).
/// Idempotent per job: asking again returns the existing lock.
/// </summary>
public sealed record JobRequest(string JobId, string ProviderId, string RequesterNodeId, JobRequirements Requirements)
    : IProviderMessage;

/// <summary>
/// A provider's offer. <see cref="SpareCapacity"/> is the share of its capacity left free if it takes the job;
/// <see cref="Capability"/> is what it offers as of this bid, which the job scores its preferences against.
/// </summary>
public sealed record Bid(
    string JobId,
    string ProviderId,
    decimal PricePerHour,
    bool ResourcesLocked,
    DateTimeOffset? LockExpiresAt,
    double SpareCapacity,
    DateTimeOffset BidAt,
    ProviderCapability? Capability = null,
    IReadOnlyList<int>? FreeGpuIndices = null) : IProviderMessage;

/// <summary>The seed's DeclineMessage: a provider (or the job, at verification) says no, and why.</summary>
public sealed record DeclineMessage(string JobId, string ProviderId, ExchangePhase Phase, DeclineReason Reason, string Detail)
    : IProviderMessage;

/// <summary>The seed's TimeoutResponse: no answer from the provider within the phase's timeout.</summary>
public sealed record TimeoutResponse(string JobId, string ProviderId, ExchangePhase Phase, TimeSpan After) : IProviderMessage;

/// <summary>Contract closure: the job has verified the provider and proposes the terms for it to verify and sign.</summary>
public sealed record ContractProposal(Contract Contract) : IProviderMessage
{
    public string ProviderId => Contract.ProviderId;
}

/// <summary>The provider verified the requester and committed the resources to the contract.</summary>
public sealed record ContractSigned(Contract Contract) : IProviderMessage
{
    public string ProviderId => Contract.ProviderId;
}

/// <summary>Release any lock this job holds on the provider (decline, loss to another provider, job ended).</summary>
public sealed record ReleaseLock(string JobId, string ProviderId, string Reason) : IProviderMessage;
