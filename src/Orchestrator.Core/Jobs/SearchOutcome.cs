using Orchestrator.Matching;
using Orchestrator.Protocol.Messages;
using Orchestrator.Protocol.Model;

namespace Orchestrator.Jobs;

/// <summary>
/// The result of one search, ranked and explained. Shared by the job and the dry run, so a plan shows exactly
/// the ranking the job would use.
/// </summary>
public sealed record SearchOutcome(
    IReadOnlyList<Bid> RankedBids,
    IReadOnlyList<DeclineMessage> Declines,
    IReadOnlyList<TimeoutResponse> Timeouts,
    SearchExplanation Explanation)
{
    public static SearchOutcome Of(
        JobDescription description, OrchestrationType type, SelectionCriterion selection, IReadOnlyList<Preference> preferences,
        int attempt, int considered, IReadOnlyDictionary<string, int> prefiltered, int asked,
        IEnumerable<Bid> bids, IEnumerable<DeclineMessage> declines, IEnumerable<TimeoutResponse> timeouts, int? jobMinutes = null)
    {
        var userOrder = type == OrchestrationType.Push ? description.TargetProviders : null;
        var ranked = BidRanking.Rank(bids, preferences, selection, userOrder, jobMinutes);
        var sortedDeclines = declines.OrderBy(d => d.ProviderId, StringComparer.Ordinal).ToArray();
        var sortedTimeouts = timeouts.OrderBy(t => t.ProviderId, StringComparer.Ordinal).ToArray();

        var filtered = new SortedDictionary<string, int>(prefiltered.ToDictionary(), StringComparer.Ordinal);
        foreach (var d in sortedDeclines)
            filtered[Reasons.Code(d.Reason)] = filtered.GetValueOrDefault(Reasons.Code(d.Reason)) + 1;

        var explanation = new SearchExplanation(type, selection, attempt, considered, asked,
            new Dictionary<string, int>(filtered), sortedTimeouts.Length, ranked.Count,
            ranked.Select((r, i) => new RankedProvider(i + 1, r.Bid.ProviderId, r.Score, r.Bid.PricePerHour, r.Bid.ResourcesLocked, r.Breakdown)
                {
                    // The rank is the job's own computation; where the provider claimed otherwise, it is said here.
                    Disagreements = EligibilityComparison.Disagreements(r.Bid.Claims, r.Breakdown),
                    ExpectedTotal = Pricing.ExpectedTotal(r.Bid, jobMinutes),
                    PriceBasis = Pricing.Basis(r.Bid, jobMinutes),
                })
                .ToArray());
        // The capability each bid carried served the ranking, its claims the disagreements; what is kept (and journaled) is the offer itself.
        return new SearchOutcome(ranked.Select(r => r.Bid with { Capability = null, Proof = null, Claims = null }).ToArray(), sortedDeclines, sortedTimeouts,
            explanation);
    }
}
