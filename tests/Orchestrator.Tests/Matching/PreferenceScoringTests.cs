using Orchestrator.Matching;
using Orchestrator.Protocol.Messages;
using Orchestrator.Protocol.Model;
using static Orchestrator.Tests.Fixtures;

namespace Orchestrator.Tests.Matching;

public class PreferenceScoringTests
{
    private static Bid BidOf(ProviderCapability p, decimal? price = null, double spare = 0.5) =>
        BidFrom(p.Id, price ?? p.PricePerHour, spare) with { Capability = p };

    private static readonly ProviderCapability Berlin = Provider("cp-berlin", cpu: 8, price: 2m, localities: [new Locality("city", "Berlin")],
        gpus: [new Gpu("nvidia", "A100", 40960)]) with { Labels = new Dictionary<string, string> { ["tier"] = "gold" } };

    private static readonly ProviderCapability Paris = Provider("cp-paris", cpu: 32, price: 1m, localities: [new Locality("city", "Paris")]);

    public static TheoryData<Preference, double, double> Cases => new()
    {
        { new Preference { Weight = 10, Localities = [new Locality("city", "berlin")] }, 1, 0 },
        { new Preference { Weight = 10, Gpu = new GpuRequirement { Model = "A100" } }, 1, 0 },
        { new Preference { Weight = 10, Label = new LabelConstraint { Key = "tier", Value = "gold" } }, 1, 0 },
        { new Preference { Weight = 10, Executor = ExecutorType.Docker }, 1, 1 },
        { new Preference { Weight = 10, More = new MorePreference(ResourceDimension.CpuCores) }, 0.25, 1 },
        { new Preference { Weight = 10, More = new MorePreference(ResourceDimension.CpuCores, Target: 16) }, 0.5, 1 },
        { new Preference { Weight = 10, LowerPrice = true }, 0.5, 1 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Each_preference_scores_in_zero_to_one(Preference preference, double berlin, double paris)
    {
        var bids = new[] { BidOf(Berlin), BidOf(Paris) };
        var context = PreferenceScoring.Context.Of(bids);
        Assert.Equal(berlin, PreferenceScoring.Score(preference, bids[0], context), 6);
        Assert.Equal(paris, PreferenceScoring.Score(preference, bids[1], context), 6);
    }

    [Fact]
    public void A_strong_preference_is_not_drowned_by_an_unrelated_dimension()
    {
        // Paris is cheaper and much bigger, but the user cares most about being in Berlin.
        var preferences = new[]
        {
            new Preference { Weight = 90, Localities = [new Locality("city", "Berlin")] },
            new Preference { Weight = 10, More = new MorePreference(ResourceDimension.CpuCores) },
            new Preference { Weight = 10, LowerPrice = true },
        };
        var ranked = BidRanking.Rank([BidOf(Paris), BidOf(Berlin)], preferences, SelectionCriterion.Score);
        Assert.Equal("cp-berlin", ranked[0].Bid.ProviderId);
        var top = ranked[0];
        Assert.Equal(3, top.Breakdown.Count);
        Assert.Equal(new ScoreTerm("locality city=Berlin", 90, 1, 90), top.Breakdown[0]);
        Assert.Equal(Math.Round((90 + 2.5 + 5) / 110.0, 6), top.Score);
    }

    [Fact]
    public void Selection_criteria_order_the_same_bids_differently()
    {
        var early = BidOf(Berlin) with { BidAt = DateTimeOffset.UnixEpoch };
        var late = BidOf(Paris) with { BidAt = DateTimeOffset.UnixEpoch.AddSeconds(1) };
        var berlinFirst = new[] { new Preference { Weight = 50, Localities = [new Locality("city", "Berlin")] } };
        Assert.Equal("cp-berlin", BidRanking.Rank([late, early], berlinFirst, SelectionCriterion.Score)[0].Bid.ProviderId);
        Assert.Equal("cp-paris", BidRanking.Rank([late, early], berlinFirst, SelectionCriterion.LowestPrice)[0].Bid.ProviderId);
        Assert.Equal("cp-berlin", BidRanking.Rank([late, early], [], SelectionCriterion.EarliestBid)[0].Bid.ProviderId);
        Assert.Equal("cp-paris", BidRanking.Rank([early, late], berlinFirst, SelectionCriterion.Score, userOrder: ["cp-paris", "cp-berlin"])[0].Bid.ProviderId);
    }
}
