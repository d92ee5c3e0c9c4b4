using Orchestrator.Protocol.Model;

namespace Orchestrator.Protocol.Messages;

/// <summary>
/// What became of one provider in a job's latest search — "why not this provider?": <c>eligible</c> (it bid),
/// <c>ruled-out</c> (its advertised capability fails a hard constraint, so it was not asked), <c>declined</c>,
/// <c>timed-out</c>. <see cref="Reason"/> is the first hard constraint it failed (or the decline's reason), in the
/// API's words; <see cref="Detail"/> the values compared.
/// </summary>
public sealed record ProviderVerdict(string ProviderId, string Outcome, string? Reason = null, string? Detail = null);

/// <summary>One preference's part in a provider's score.</summary>
public sealed record ScoreTerm(string Preference, int Weight, double Score, double Contribution);

/// <summary>
/// An eligible provider in rank order, with its score broken down per preference, and where the scores the provider
/// claimed with its bid differ from the job's own (<see cref="Disagreements"/>; the rank is the job's).
/// </summary>
public sealed record RankedProvider(
    int Rank,
    string ProviderId,
    double Score,
    decimal PricePerHour,
    bool ResourcesLocked,
    IReadOnlyList<ScoreTerm> Breakdown)
{
    /// <summary>What the job expects to pay this provider (what <c>lowest-price</c> compares), and how it was computed.</summary>
    public decimal ExpectedTotal { get; init; }

    public string PriceBasis { get; init; } = "";

    public IReadOnlyList<ScoreDisagreement> Disagreements { get => _disagreements; init => _disagreements = Wire.Array(value); }
    private readonly ScoreDisagreement[] _disagreements = [];
}

/// <summary>
/// Why a search came out as it did: how many providers were considered, how many each hard constraint filtered
/// out (on the directory before asking, and in the providers' own answers), and the eligible ones ranked.
/// </summary>
public sealed record SearchExplanation(
    OrchestrationType OrchestrationType,
    SelectionCriterion Selection,
    int Attempt,
    int Considered,
    int Asked,
    IReadOnlyDictionary<string, int> FilteredOut,
    int TimedOut,
    int Eligible,
    IReadOnlyList<RankedProvider> Ranking);

/// <summary>A dry run of search and match (<c>POST /orchestrator/plan</c>): nothing locked, nothing persisted.</summary>
public sealed record PlanJob(string JobId, JobDescription Description) : IOrchestratorMessage;

public sealed record PlanResult(string JobId, SearchExplanation Explanation, IReadOnlyList<DeclineMessage> Declines,
    IReadOnlyList<TimeoutResponse> Timeouts) : IOrchestratorMessage
{
    /// <summary>Every provider the search considered, by name, with what became of it (bounded; see <see cref="ProvidersNotNamed"/>).</summary>
    public IReadOnlyList<ProviderVerdict> Providers { get; init; } = [];

    public int ProvidersNotNamed { get; init; }
}
