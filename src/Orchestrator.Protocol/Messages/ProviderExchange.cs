using Orchestrator.Protocol.Model;

namespace Orchestrator.Protocol.Messages;

/// <summary>
/// The seed's BidRequest: a job asks a provider whether, and at what price, it would run it. A dry run (a plan)
/// gets the same answer but never locks anything. A signing provider signs its bid over <see cref="Nonce"/>, fresh
/// for each round, so a bid cannot be replayed into another job or round. <see cref="Preferences"/> are the job's soft
/// constraints: the provider scores itself against them, keeps the comparison and sends its scores with the bid.
/// </summary>
public sealed record BidRequest(string JobId, string ProviderId, string RequesterNodeId, JobRequirements Requirements, bool DryRun = false, string Nonce = "",
    IReadOnlyList<Preference>? Preferences = null)
    : IProviderMessage
{
    public IReadOnlyList<Preference>? Preferences { get => _preferences; init => _preferences = value is null ? null : Wire.Array(value); }
    private readonly Preference[]? _preferences = Preferences is null ? null : Wire.Array(Preferences);
}

/// <summary>
/// The seed's job request: the shortlisted provider is asked to lock the resources (when its bid did not).
/// Idempotent per job: asking again returns the existing lock, signed over this request's <see cref="Nonce"/>.
/// </summary>
public sealed record JobRequest(string JobId, string ProviderId, string RequesterNodeId, JobRequirements Requirements, string Nonce = "")
    : IProviderMessage;

/// <summary>
/// A provider's offer. <see cref="SpareCapacity"/> is the share of its capacity left free if it takes the job;
/// <see cref="Capability"/> is what it offers as of this bid, which the job scores its preferences against.
/// <see cref="Proof"/>, on a network with an authority, is the provider's signature over the bid and the request's
/// nonce, with its credential; the job checks it before ranking. <see cref="Claims"/> are the provider's own scores for
/// the job's soft constraints (its EligibleComputeProvidersData): informative only — the job ranks by its own
/// computation and records where they disagree. They are not part of what the proof signs.
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
    IReadOnlyList<int>? FreeGpuIndices = null,
    Proof? Proof = null,
    IReadOnlyList<SoftConstraintScore>? Claims = null) : IProviderMessage
{
    /// <summary>Set when the provider charges per result: this amount for a completed run (and <see cref="PricePerHour"/> is 0).</summary>
    public decimal? PricePerResult { get; init; }

    /// <summary>The provider's estimate of how long the job will run, minutes (NuNet's TimeBid); the job's duration when absent.</summary>
    public int? EstimatedMinutes { get; init; }

    /// <summary>The currency of the prices (the provider's capability's).</summary>
    public string? Currency { get; init; }

    // Stored as an array whatever the caller passed (see Wire): a provider may be another program's actor.
    public IReadOnlyList<SoftConstraintScore>? Claims { get => _claims; init => _claims = value is null ? null : Wire.Array(value); }
    private readonly SoftConstraintScore[]? _claims = Claims is null ? null : Wire.Array(Claims);
}

/// <summary>The seed's DeclineMessage: a provider (or the job, at verification) says no, and why.</summary>
public sealed record DeclineMessage(string JobId, string ProviderId, ExchangePhase Phase, DeclineReason Reason, string Detail)
    : IProviderMessage;

/// <summary>The seed's TimeoutResponse: no answer from the provider within the phase's timeout.</summary>
public sealed record TimeoutResponse(string JobId, string ProviderId, ExchangePhase Phase, TimeSpan After) : IProviderMessage;

/// <summary>
/// Contract closure: the job has verified the provider and proposes the terms, signed by the requester (on a
/// network with an authority), for the provider to verify and sign.
/// </summary>
public sealed record ContractProposal(Contract Contract, Proof? RequesterProof = null) : IProviderMessage
{
    public string ProviderId => Contract.ProviderId;
}

/// <summary>
/// The provider verified the requester and committed the resources to the contract: the proposed terms with the
/// GPUs it assigned, signed by the provider.
/// </summary>
public sealed record ContractSigned(Contract Contract, Proof? ProviderProof = null) : IProviderMessage
{
    public string ProviderId => Contract.ProviderId;
}

/// <summary>
/// Release any lock this job holds on the provider (decline, loss to another provider, job ended). With a
/// <see cref="Nonce"/>, only the lock as last given under the request of that nonce: a release for a late answer of an
/// earlier exchange cannot take away a lock the job has been given again since, in a later round.
/// </summary>
public sealed record ReleaseLock(string JobId, string ProviderId, string Reason, string Nonce = "") : IProviderMessage;
