using Orchestrator.Protocol.Messages;
using Orchestrator.Protocol.Model;

namespace Orchestrator.Matching;

/// <summary>
/// Selection of the preferred provider. The order depends only on the bids and the criterion, never on the
/// order the bids arrived in: every criterion ends in the provider id.
/// </summary>
public static class BidRanking
{
    public sealed record Ranked(Bid Bid, double Score, IReadOnlyList<ScoreTerm> Breakdown);

    /// <summary>Ranks bids by <paramref name="selection"/>; for push, <paramref name="userOrder"/> (the targets) decides.</summary>
    public static IReadOnlyList<Ranked> Rank(
        IEnumerable<Bid> bids, IReadOnlyList<Preference> preferences, SelectionCriterion selection, IReadOnlyList<string>? userOrder = null,
        int? jobMinutes = null)
    {
        var all = bids.ToArray();
        var context = PreferenceScoring.Context.Of(all, jobMinutes);
        var scored = all.Select(b =>
        {
            var terms = PreferenceScoring.Breakdown(preferences, b, context);
            return new Ranked(b, PreferenceScoring.Total(terms), terms);
        });

        if (userOrder is { Count: > 0 })
            return scored.OrderBy(r => IndexIn(userOrder, r.Bid.ProviderId)).ThenBy(r => r.Bid.ProviderId, StringComparer.Ordinal).ToArray();

        return (selection switch
        {
            // Expected totals, so an hourly price and a price per result compare as what the job would pay.
            SelectionCriterion.LowestPrice => scored.OrderBy(r => Pricing.ExpectedTotal(r.Bid, jobMinutes)).ThenByDescending(r => r.Score),
            SelectionCriterion.EarliestBid => scored.OrderBy(r => r.Bid.BidAt).ThenByDescending(r => r.Score),
            _ => scored.OrderByDescending(r => r.Score).ThenBy(r => Pricing.ExpectedTotal(r.Bid, jobMinutes)),
        }).ThenByDescending(r => r.Bid.SpareCapacity).ThenBy(r => r.Bid.ProviderId, StringComparer.Ordinal).ToArray();
    }

    /// <summary>Without preferences: lowest price, then most spare capacity, then provider id.</summary>
    public static IReadOnlyList<Bid> Rank(IEnumerable<Bid> bids) =>
        Rank(bids, [], SelectionCriterion.LowestPrice).Select(r => r.Bid).ToArray();

    private static int IndexIn(IReadOnlyList<string> order, string id)
    {
        for (var i = 0; i < order.Count; i++)
            if (order[i] == id) return i;
        return int.MaxValue;
    }
}
