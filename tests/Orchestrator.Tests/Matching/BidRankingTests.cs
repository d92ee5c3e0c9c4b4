using Orchestrator.Matching;
using static Orchestrator.Tests.Fixtures;

namespace Orchestrator.Tests.Matching;

public class BidRankingTests
{
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
