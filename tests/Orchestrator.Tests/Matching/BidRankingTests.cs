using Orchestrator.Matching;
using Orchestrator.Protocol.Messages;
using Orchestrator.Protocol.Model;
using static Orchestrator.Tests.Fixtures;

namespace Orchestrator.Tests.Matching;

/// <summary>
/// Each criterion's keys in order, each in its direction: every pair below ties on all keys before one and differs
/// at that one, the other keys pulling the wrong way, so a swapped key or direction fails.
/// </summary>
public class BidRankingTests
{
    private static readonly Preference[] GoldFirst = [new() { Weight = 10, Label = new LabelConstraint { Key = "tier", Value = "gold" } }];

    /// <summary>A bid; <paramref name="gold"/> scores 1 under <see cref="GoldFirst"/>, otherwise 0.</summary>
    private static Bid B(string id, decimal price, bool gold, double spare, int bidAtSecond) =>
        BidFrom(id, price, spare) with
        {
            BidAt = DateTimeOffset.UnixEpoch.AddSeconds(bidAtSecond),
            Capability = Provider(id, price: price) with { Labels = gold ? new Dictionary<string, string> { ["tier"] = "gold" } : [] },
        };

    public static TheoryData<string, SelectionCriterion, Bid, Bid> FirstWins => new()
    {
        { "lowest price: price", SelectionCriterion.LowestPrice, B("z", 1m, false, 0.1, 9), B("a", 2m, true, 0.9, 0) },
        { "lowest price: then score", SelectionCriterion.LowestPrice, B("z", 1m, true, 0.1, 9), B("a", 1m, false, 0.9, 0) },
        { "lowest price: then spare", SelectionCriterion.LowestPrice, B("z", 1m, true, 0.9, 9), B("a", 1m, true, 0.1, 0) },
        { "lowest price: then id", SelectionCriterion.LowestPrice, B("B", 1m, true, 0.5, 9), B("a", 1m, true, 0.5, 0) },
        { "earliest: time", SelectionCriterion.EarliestBid, B("z", 9m, false, 0.1, 0), B("a", 1m, true, 0.9, 1) },
        { "earliest: then score", SelectionCriterion.EarliestBid, B("z", 9m, true, 0.1, 0), B("a", 1m, false, 0.9, 0) },
        { "earliest: then spare", SelectionCriterion.EarliestBid, B("z", 9m, true, 0.9, 0), B("a", 1m, true, 0.1, 0) },
        { "earliest: then id", SelectionCriterion.EarliestBid, B("B", 9m, true, 0.5, 0), B("a", 1m, true, 0.5, 0) },
        { "score: score", SelectionCriterion.Score, B("z", 9m, true, 0.1, 9), B("a", 1m, false, 0.9, 0) },
        { "score: then price", SelectionCriterion.Score, B("z", 1m, true, 0.1, 9), B("a", 2m, true, 0.9, 0) },
        { "score: then spare", SelectionCriterion.Score, B("z", 1m, true, 0.9, 9), B("a", 1m, true, 0.1, 0) },
        { "score: then id", SelectionCriterion.Score, B("B", 1m, true, 0.5, 9), B("a", 1m, true, 0.5, 0) },
    };

    [Theory]
    [MemberData(nameof(FirstWins))]
    public void Keys_and_directions_of_each_criterion(string name, SelectionCriterion selection, Bid winner, Bid loser)
    {
        Assert.Equal([winner.ProviderId, loser.ProviderId], BidRanking.Rank([loser, winner], GoldFirst, selection).Select(r => r.Bid.ProviderId));
        Assert.True(BidRanking.Rank([winner, loser], GoldFirst, selection)[0].Bid == winner, name);
    }

    [Fact]
    public void Push_follows_the_users_order_then_ids_for_providers_it_does_not_name()
    {
        var bids = new[] { B("c", 1m, true, 1, 0), B("b", 5m, false, 0, 9), B("a", 2m, true, 1, 0), B("x", 1m, true, 1, 0), B("d", 0m, true, 1, 0) };
        var ranked = BidRanking.Rank(bids, GoldFirst, SelectionCriterion.LowestPrice, userOrder: ["b", "c", "a"]);
        Assert.Equal(["b", "c", "a", "d", "x"], ranked.Select(r => r.Bid.ProviderId));
        // An empty order is no order: the criterion decides.
        Assert.Equal(["d", "c", "x", "a", "b"], BidRanking.Rank(bids, GoldFirst, SelectionCriterion.LowestPrice, userOrder: []).Select(r => r.Bid.ProviderId));
    }

    [Fact]
    public void Each_ranked_bid_carries_its_score_and_breakdown()
    {
        var ranked = BidRanking.Rank([B("plain", 1m, false, 0.5, 0), B("gold", 2m, true, 0.5, 0)], GoldFirst, SelectionCriterion.Score);
        Assert.Equal(("gold", 1.0, new ScoreTerm("label tier = gold", 10, 1, 10)), (ranked[0].Bid.ProviderId, ranked[0].Score, ranked[0].Breakdown.Single()));
        Assert.Equal(("plain", 0.0, new ScoreTerm("label tier = gold", 10, 0, 0)), (ranked[1].Bid.ProviderId, ranked[1].Score, ranked[1].Breakdown.Single()));
    }

    [Fact]
    public void Lowest_price_first_then_most_spare_capacity_then_provider_id()
    {
        var ranked = BidRanking.Rank([
            BidFrom("cp-c", 1.0m, spare: 0.9),
            BidFrom("cp-b", 0.5m, spare: 0.1),
            BidFrom("cp-d", 0.5m, spare: 0.7),
            BidFrom("cp-a", 1.0m, spare: 0.9),
        ]);
        Assert.Equal(["cp-d", "cp-b", "cp-a", "cp-c"], ranked.Select(b => b.ProviderId));
    }

    [Fact]
    public void The_same_bids_in_any_order_rank_the_same()
    {
        var bids = new[] { BidFrom("x", 2m), BidFrom("y", 1m, 0.2), BidFrom("z", 1m, 0.2) };
        Assert.Equal(BidRanking.Rank(bids).Select(b => b.ProviderId), BidRanking.Rank(bids.Reverse()).Select(b => b.ProviderId));
    }
}
