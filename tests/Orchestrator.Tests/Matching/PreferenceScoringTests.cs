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

    private static readonly ProviderCapability Full = Provider("cp-full", cpu: 16, ramMb: 32768, diskGb: 400, price: 4m,
        gpus: [new Gpu("nvidia", "T4", 16384), new Gpu("nvidia", "A100", 40960)], executors: [ExecutorType.Wasm]) with
    {
        Resources = new Resources
        {
            CpuCores = 16, CpuClockMhz = 3000, RamMb = 32768, DiskGb = 400, DiskType = "nvme",
            Gpus = [new Gpu("nvidia", "T4", 16384), new Gpu("nvidia", "A100", 40960)],
        },
        Libraries = [new Library("cuda", "12.2")],
        Labels = new Dictionary<string, string> { ["tier"] = "gold" },
        Localities = [new Locality("country", "DE"), new Locality("city", "Munich")],
    };

    private static readonly ProviderCapability Small = Provider("cp-small", cpu: 4, ramMb: 8192, diskGb: 100, price: 1m) with
    {
        Resources = new Resources { CpuCores = 4, CpuClockMhz = 4000, RamMb = 8192, DiskGb = 100 },
    };

    /// <summary>Each preference, and how it reads, scored for <see cref="Full"/> (price 4, spare 0.3) and <see cref="Small"/> (price 1, spare 0.8).</summary>
    public static TheoryData<Preference, string, double, double> Scores => new()
    {
        { new Preference { Weight = 1, LowerPrice = true }, "lower price", 0.25, 1 },
        { new Preference { Weight = 1, SpareCapacity = true }, "spare capacity", 0.3, 0.8 },
        { new Preference { Weight = 1, Localities = [new Locality("country", "de"), new Locality("city", "Rome")] }, "locality country=de or city=Rome", 1, 1 },
        { new Preference { Weight = 1, Localities = [new Locality("city", "DE")] }, "locality city=DE", 0, 0 },
        { new Preference { Weight = 1, Executor = ExecutorType.Wasm }, "executor wasm", 1, 0 },
        { new Preference { Weight = 1, Gpu = new GpuRequirement { Model = "a100", VramMb = 40000 } }, "gpu any a100 >=40000 MB", 1, 0 },
        { new Preference { Weight = 1, Label = new LabelConstraint { Key = "tier", Op = LabelOperator.NotEquals, Value = "gold" } }, "label tier != gold", 0, 1 },
        { new Preference { Weight = 1, Library = new LibraryRequirement("CUDA", ">=12") }, "library CUDA >=12", 1, 0 },
        { new Preference { Weight = 1, Library = new LibraryRequirement("cuda", ">=13") }, "library cuda >=13", 0, 0 },
        { new Preference { Weight = 1, Library = new LibraryRequirement("cuda") }, "library cuda", 1, 0 },
        { new Preference { Weight = 1, Library = new LibraryRequirement("cuda", ">=twelve") }, "library cuda >=twelve", 0, 0 },
        { new Preference { Weight = 1, DiskType = "NVMe" }, "disk type NVMe", 1, 0 },
        { new Preference { Weight = 1, More = new MorePreference(ResourceDimension.CpuCores) }, "more cpuCores", 1, 0.25 },
        { new Preference { Weight = 1, More = new MorePreference(ResourceDimension.CpuClockMhz) }, "more cpuClockMhz", 0.75, 1 },
        { new Preference { Weight = 1, More = new MorePreference(ResourceDimension.RamMb, Target: 16384) }, "more ramMb (target 16384)", 1, 0.5 },
        { new Preference { Weight = 1, More = new MorePreference(ResourceDimension.DiskGb) }, "more diskGb", 1, 0.25 },
        { new Preference { Weight = 1, More = new MorePreference(ResourceDimension.GpuVramMb) }, "more gpuVramMb", 1, 0 },
        { new Preference { Weight = 1, More = new MorePreference(ResourceDimension.GpuVramMb, 40960) }, "more gpuVramMb (target 40960)", 1, 0 },
        { new Preference { Weight = 1, Localities = [new Locality("city", "munich")] }, "locality city=munich", 1, 0 },
        { new Preference { Weight = 1 }, "nothing", 0, 0 },
    };

    [Theory]
    [MemberData(nameof(Scores))]
    public void Each_preference_reads_and_scores_as_documented(Preference preference, string reads, double full, double small)
    {
        var bids = new[] { BidOf(Full, spare: 0.3), BidOf(Small, spare: 0.8) };
        var context = PreferenceScoring.Context.Of(bids);
        Assert.Equal(reads, PreferenceScoring.Describe(preference));
        Assert.Equal(full, PreferenceScoring.Score(preference, bids[0], context), 9);
        Assert.Equal(small, PreferenceScoring.Score(preference, bids[1], context), 9);
    }

    [Fact]
    public void A_gpu_preference_counts_only_the_gpus_free_when_the_provider_bid()
    {
        var prefer = new Preference { Weight = 1, Gpu = new GpuRequirement { Model = "A100" } };
        var bid = BidOf(Full) with { FreeGpuIndices = [0] };
        Assert.Equal(0, PreferenceScoring.Score(prefer, bid, PreferenceScoring.Context.Of([bid])));
        Assert.Equal(1, PreferenceScoring.Score(prefer, bid with { FreeGpuIndices = [1] }, PreferenceScoring.Context.Of([bid])));
    }

    [Fact]
    public void A_bid_without_its_capability_scores_only_price_and_spare_capacity()
    {
        var bare = BidFrom("cp-bare", 2m, spare: 0.6);
        var context = PreferenceScoring.Context.Of([bare, BidOf(Small)]);
        Assert.Equal(0.5, PreferenceScoring.Score(new Preference { Weight = 1, LowerPrice = true }, bare, context), 9);
        Assert.Equal(0.6, PreferenceScoring.Score(new Preference { Weight = 1, SpareCapacity = true }, bare, context), 9);
        Assert.Equal(0, PreferenceScoring.Score(new Preference { Weight = 1, Executor = ExecutorType.Docker }, bare, context));
        Assert.Equal(0, PreferenceScoring.Score(new Preference { Weight = 1, More = new MorePreference(ResourceDimension.CpuCores, 1) }, bare, context));
        Assert.Equal(0, PreferenceScoring.Value(bare, ResourceDimension.RamMb));
    }

    [Fact]
    public void A_free_offer_is_the_cheapest_and_more_of_nothing_is_worth_nothing()
    {
        var free = BidOf(Small, price: 0m);
        var context = PreferenceScoring.Context.Of([free]);
        Assert.Equal(1, PreferenceScoring.Score(new Preference { Weight = 1, LowerPrice = true }, free, context));
        // No bid has a GPU: the best VRAM is 0, and a share of nothing scores 0 rather than dividing by it.
        Assert.Equal(0, PreferenceScoring.Score(new Preference { Weight = 1, More = new MorePreference(ResourceDimension.GpuVramMb) }, free, context));
        Assert.Equal(1, PreferenceScoring.Score(new Preference { Weight = 1, More = new MorePreference(ResourceDimension.CpuCores, 3) }, free, context));
    }

    [Fact]
    public void The_context_of_no_bids_is_zero_everywhere()
    {
        var context = PreferenceScoring.Context.Of([]);
        Assert.Equal(0m, context.CheapestPrice);
        Assert.All(Enum.GetValues<ResourceDimension>(), d => Assert.Equal(0, context.Best[d]));
    }

    [Fact]
    public void The_breakdown_weighs_each_clamped_score_and_the_total_is_the_weighted_mean()
    {
        var bids = new[] { BidOf(Full, spare: 0.3), BidOf(Small, spare: 0.8) };
        var preferences = new[]
        {
            new Preference { Weight = 30, LowerPrice = true },
            new Preference { Weight = 10, More = new MorePreference(ResourceDimension.RamMb, Target: 16384) },
            new Preference { Weight = 60, Executor = ExecutorType.Wasm },
        };
        var terms = PreferenceScoring.Breakdown(preferences, bids[1], PreferenceScoring.Context.Of(bids));
        Assert.Equal(
        [
            new ScoreTerm("lower price", 30, 1, 30),
            new ScoreTerm("more ramMb (target 16384)", 10, 0.5, 5),
            new ScoreTerm("executor wasm", 60, 0, 0),
        ], terms);
        Assert.Equal(0.35, PreferenceScoring.Total(terms));
        Assert.Equal(0.333333, PreferenceScoring.Total([new ScoreTerm("a", 1, 1, 1), new ScoreTerm("b", 2, 0, 0)]));
        Assert.Equal(0, PreferenceScoring.Total([]));
    }
}
