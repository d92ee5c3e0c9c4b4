using Orchestrator.Protocol.Messages;

namespace Orchestrator.Matching;

/// <summary>
/// Selection of the preferred provider: lowest price, then most spare capacity, then provider id, so the same
/// bids always give the same order.
/// </summary>
public static class BidRanking
{
    public static IReadOnlyList<Bid> Rank(IEnumerable<Bid> bids) =>
        bids.OrderBy(b => b.PricePerHour)
            .ThenByDescending(b => b.SpareCapacity)
            .ThenBy(b => b.ProviderId, StringComparer.Ordinal)
            .ToArray();
}
