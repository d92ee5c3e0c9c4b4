using FsCheck;
using FsCheck.Fluent;
using Orchestrator.Matching;
using Orchestrator.Protocol.Messages;
using Orchestrator.Protocol.Model;
using static Orchestrator.Tests.Fixtures;

namespace Orchestrator.Tests.Matching;

/// <summary>The laws of matching and ranking, checked on generated providers and bids.</summary>
public class RankingPropertyTests
{
    private static readonly Preference[] Preferences =
    [
        new() { Weight = 40, More = new MorePreference(ResourceDimension.CpuCores) },
        new() { Weight = 30, More = new MorePreference(ResourceDimension.RamMb, Target: 65536) },
        new() { Weight = 20, LowerPrice = true },
        new() { Weight = 10, SpareCapacity = true },
        new() { Weight = 25, Localities = [new Locality("country", "DE")] },
    ];

    private static Bid MakeBid(int i, int cpu, int ram, int priceCents, int sparePercent, bool inGermany) =>
        BidFrom($"cp-{i:D3}", priceCents / 100m, sparePercent / 100.0) with
        {
            Capability = Provider($"cp-{i:D3}", cpu: cpu, ramMb: ram, price: priceCents / 100m,
                localities: [new Locality("country", inGermany ? "DE" : "FR")]),
        };

    private static Gen<Bid[]> Bids =>
        from count in Gen.Choose(1, 12)
        from parts in Gen.ArrayOf(
            from cpu in Gen.Choose(1, 128)
            from ram in Gen.Choose(512, 262144)
            from price in Gen.Choose(0, 1000)
            from spare in Gen.Choose(0, 100)
            from de in Gen.Elements(true, false)
            select (cpu, ram, price, spare, de), count)
        select parts.Select((p, i) => MakeBid(i, p.cpu, p.ram, p.price, p.spare, p.de)).ToArray();

    [Fact]
    public void The_ranking_does_not_depend_on_the_order_bids_arrive_in() =>
        Prop.ForAll(Bids.ToArbitrary(), Gen.Choose(0, int.MaxValue).ToArbitrary(), (bids, seed) =>
        {
            var shuffled = bids.OrderBy(_ => new Random(seed).Next()).ToArray();
            foreach (var selection in Enum.GetValues<SelectionCriterion>())
            {
                var a = BidRanking.Rank(bids, Preferences, selection).Select(r => r.Bid.ProviderId);
                var b = BidRanking.Rank(shuffled, Preferences, selection).Select(r => r.Bid.ProviderId);
                if (!a.SequenceEqual(b)) return false;
            }

            return true;
        }).QuickCheckThrowOnFailure();

    [Fact]
    public void Raising_a_value_in_a_preferred_dimension_never_lowers_that_providers_score() =>
        Prop.ForAll(Bids.ToArbitrary(), Gen.Choose(1, 64).ToArbitrary(), (bids, extra) =>
        {
            var before = BidRanking.Rank(bids, Preferences, SelectionCriterion.Score).Single(r => r.Bid.ProviderId == bids[0].ProviderId).Score;
            var capability = bids[0].Capability!;
            var raised = bids.ToArray();
            raised[0] = bids[0] with
            {
                Capability = capability with { Resources = capability.Resources with { CpuCores = capability.Resources.CpuCores + extra } },
            };
            var after = BidRanking.Rank(raised, Preferences, SelectionCriterion.Score).Single(r => r.Bid.ProviderId == bids[0].ProviderId).Score;
            return after >= before;
        }).QuickCheckThrowOnFailure();

    [Fact]
    public void Lowering_a_price_never_lowers_that_providers_score() =>
        Prop.ForAll(Bids.ToArbitrary(), (bids) =>
        {
            var before = BidRanking.Rank(bids, Preferences, SelectionCriterion.Score).Single(r => r.Bid.ProviderId == bids[0].ProviderId).Score;
            var cheaper = bids.ToArray();
            cheaper[0] = bids[0] with { PricePerHour = bids[0].PricePerHour / 2 };
            var after = BidRanking.Rank(cheaper, Preferences, SelectionCriterion.Score).Single(r => r.Bid.ProviderId == bids[0].ProviderId).Score;
            return after >= before;
        }).QuickCheckThrowOnFailure();

    [Fact]
    public void A_hard_constraint_failure_always_excludes_whatever_else_holds() =>
        Prop.ForAll(Gen.Choose(1, 64).ToArbitrary(), Gen.Choose(1, 64).ToArbitrary(), Gen.Elements(true, false).ToArbitrary(), (have, need, lockOnBid) =>
        {
            var provider = Provider("cp", cpu: have, lockOnBid: lockOnBid);
            var result = CapabilityMatcher.Match(provider, AllFree(provider), Needs(cpu: need, executors: [ExecutorType.Firecracker]));
            var byCpu = CapabilityMatcher.Match(provider, AllFree(provider), Needs(cpu: need));
            // An executor mismatch excludes however well the amounts fit; an amount shortfall excludes on its own.
            return result is MatchResult.Ineligible && (need <= have) == byCpu is MatchResult.Eligible;
        }).QuickCheckThrowOnFailure();
}
