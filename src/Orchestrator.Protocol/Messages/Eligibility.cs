using Orchestrator.Protocol.Model;

namespace Orchestrator.Protocol.Messages;

/// <summary>
/// One hard constraint of a job as a provider compared it with its capability and what it had free: the constraint (in
/// the API's words: <c>cpu-cores</c>, <c>locality</c>, <c>library:cuda</c> …), whether it held, what the job required and
/// what the provider offered. <see cref="Reason"/> is the decline reason it stands for (<c>insufficient-cpu</c> …).
/// </summary>
public sealed record ConstraintCheck(string Constraint, bool Passed, string Required, string Offered, DeclineReason Reason);

/// <summary>
/// One soft constraint (the job's preference at <see cref="Index"/>) as a provider scored itself, in [0, 1]. Null for a
/// preference relative to the other bids (lower price; "more of" without a target), which only the job can score.
/// </summary>
public sealed record SoftConstraintScore(int Index, string Preference, int Weight, double? Score);

/// <summary>
/// The seed's EligibleComputeProvidersData, one entry per job a provider was asked about: its comparison of its
/// capability with the job's hard constraints (each with the values compared) and its scores for the soft ones, as of
/// the latest time it was asked, and what it answered (<c>bid</c>, <c>locked</c> or <c>declined</c>).
/// </summary>
public sealed record EligibilityEntry(
    string JobId,
    string RequesterNodeId,
    ExchangePhase Phase,
    bool DryRun,
    DateTimeOffset FirstAskedAt,
    DateTimeOffset LastAskedAt,
    int Asked,
    bool Eligible,
    string Answer,
    DeclineReason? DeclinedFor,
    IReadOnlyList<ConstraintCheck> HardConstraints,
    IReadOnlyList<SoftConstraintScore> SoftConstraints)
{
    // Stored as arrays whatever the caller passed (see Wire): the entries travel between nodes.
    public IReadOnlyList<ConstraintCheck> HardConstraints { get => _hard; init => _hard = Wire.Array(value); }
    private readonly ConstraintCheck[] _hard = Wire.Array(HardConstraints);

    public IReadOnlyList<SoftConstraintScore> SoftConstraints { get => _soft; init => _soft = Wire.Array(value); }
    private readonly SoftConstraintScore[] _soft = Wire.Array(SoftConstraints);
}

/// <summary>Ask a provider for its EligibleComputeProvidersData (one job's entry, or all, newest first).</summary>
public sealed record GetEligibility(string ProviderId, string? JobId = null) : IProviderMessage;

/// <summary>
/// A provider's EligibleComputeProvidersData: its entries (newest first) and its bounds — at most <see cref="KeptAtMost"/>
/// jobs, none asked about longer than <see cref="KeptFor"/> ago — with how many entries those bounds have let go.
/// </summary>
public sealed record ProviderEligibility(
    string ProviderId,
    IReadOnlyList<EligibilityEntry> Entries,
    int KeptAtMost,
    TimeSpan KeptFor,
    long Forgotten) : IProviderMessage
{
    public IReadOnlyList<EligibilityEntry> Entries { get => _entries; init => _entries = Wire.Array(value); }
    private readonly EligibilityEntry[] _entries = Wire.Array(Entries);
}

/// <summary>
/// Where a provider's own claim for a soft constraint and the job's computation disagree. The job ranks by its own
/// numbers (a provider's claim is not trusted); the disagreement is recorded with the bid's ranking.
/// </summary>
public sealed record ScoreDisagreement(int Index, string Preference, double Claimed, double Computed);
