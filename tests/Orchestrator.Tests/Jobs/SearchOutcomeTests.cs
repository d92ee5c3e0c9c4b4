using Orchestrator.Jobs;
using Orchestrator.Protocol.Messages;
using Orchestrator.Protocol.Model;
using static Orchestrator.Tests.Fixtures;

namespace Orchestrator.Tests.Jobs;

/// <summary>One search's answers, ranked and explained; and a round that collects them.</summary>
public class SearchOutcomeTests
{
    private static readonly Preference[] Cheaper = [new() { Weight = 10, LowerPrice = true }];

    private static DeclineMessage Decline(string provider, DeclineReason reason) => new("job-1", provider, ExchangePhase.Bid, reason, "no");

    [Fact]
    public void The_explanation_counts_the_directorys_and_the_providers_refusals_and_ranks_the_bids()
    {
        var bids = new[]
        {
            BidFrom("cp-b", 2m) with { Capability = Provider("cp-b"), Proof = new Proof("s", null!) },
            BidFrom("cp-a", 1m, locked: true) with { Capability = Provider("cp-a") },
        };
        var declines = new[] { Decline("cp-d", DeclineReason.InsufficientRam), Decline("cp-c", DeclineReason.InsufficientCpu), Decline("cp-e", DeclineReason.InsufficientCpu) };
        var timeouts = new[] { new TimeoutResponse("job-1", "cp-g", ExchangePhase.Bid, TimeSpan.FromSeconds(5)), new TimeoutResponse("job-1", "cp-f", ExchangePhase.Bid, TimeSpan.FromSeconds(5)) };
        var outcome = SearchOutcome.Of(JobOf(), OrchestrationType.Pull, SelectionCriterion.Score, Cheaper, attempt: 2, considered: 12,
            new Dictionary<string, int> { ["insufficient-cpu"] = 4, ["locality-mismatch"] = 1 }, asked: 7, bids, declines, timeouts);

        var e = outcome.Explanation;
        Assert.Equal((OrchestrationType.Pull, SelectionCriterion.Score, 2, 12, 7, 2, 2), (e.OrchestrationType, e.Selection, e.Attempt, e.Considered, e.Asked, e.TimedOut, e.Eligible));
        Assert.Equal(["insufficient-cpu", "insufficient-ram", "locality-mismatch"], e.FilteredOut.Keys);
        Assert.Equal([6, 1, 1], e.FilteredOut.Values);
        Assert.Equal([(1, "cp-a", 1.0, 1m, true), (2, "cp-b", 0.5, 2m, false)], e.Ranking.Select(r => (r.Rank, r.ProviderId, r.Score, r.PricePerHour, r.ResourcesLocked)));
        Assert.Equal("lower price", e.Ranking[1].Breakdown.Single().Preference);

        Assert.Equal(["cp-a", "cp-b"], outcome.RankedBids.Select(b => b.ProviderId));
        Assert.All(outcome.RankedBids, b => Assert.True(b.Capability is null && b.Proof is null));
        Assert.Equal(["cp-c", "cp-d", "cp-e"], outcome.Declines.Select(d => d.ProviderId));
        Assert.Equal(["cp-f", "cp-g"], outcome.Timeouts.Select(t => t.ProviderId));
    }

    [Fact]
    public void A_push_search_ranks_by_the_users_order_and_a_pull_search_ignores_any_targets()
    {
        var description = JobOf() with { TargetProviders = ["cp-b", "cp-a"] };
        var bids = new[] { BidFrom("cp-a", 1m), BidFrom("cp-b", 2m) };
        var push = SearchOutcome.Of(description, OrchestrationType.Push, SelectionCriterion.Score, Cheaper, 1, 2, new Dictionary<string, int>(), 2, bids, [], []);
        Assert.Equal(["cp-b", "cp-a"], push.RankedBids.Select(b => b.ProviderId));
        var pull = SearchOutcome.Of(description, OrchestrationType.Pull, SelectionCriterion.Score, Cheaper, 1, 2, new Dictionary<string, int>(), 2, bids, [], []);
        Assert.Equal(["cp-a", "cp-b"], pull.RankedBids.Select(b => b.ProviderId));
    }

    [Fact]
    public void A_round_takes_one_answer_per_asked_provider_and_is_complete_when_all_answered()
    {
        var round = new SearchRound(["cp-b", "cp-a", "cp-c"], "nonce-1");
        Assert.Equal(("nonce-1", false), (round.Nonce, round.IsComplete));
        Assert.Equal(["cp-a", "cp-b", "cp-c"], round.Waiting.Providers);

        var first = round;
        round = round.Record(BidFrom("cp-a", 1m));
        Assert.Equal(["cp-a", "cp-b", "cp-c"], first.Waiting.Providers); // a value: the round before is as it was
        Assert.Same(round, round.Record(BidFrom("cp-a", 0.5m)));                  // a second answer from cp-a is not taken
        Assert.Same(round, round.Record(Decline("cp-x", DeclineReason.InsufficientCpu))); // nor one from a provider not asked
        round = round.Record(Decline("cp-b", DeclineReason.InsufficientCpu));
        Assert.Equal(["cp-c"], round.Waiting.Providers);
        Assert.False(round.IsComplete);
        round = round.Record(new TimeoutResponse("job-1", "cp-c", ExchangePhase.Bid, TimeSpan.FromSeconds(3)));

        Assert.True(round.IsComplete);
        Assert.Equal(1m, Assert.Single(round.Bids).PricePerHour);
        Assert.Equal("cp-b", Assert.Single(round.Declines).ProviderId);
        Assert.Equal("cp-c", Assert.Single(round.Timeouts).ProviderId);
        Assert.Empty(round.Waiting.Providers);
    }

    [Fact]
    public void A_round_asks_every_known_candidate_and_declines_an_unknown_one_on_the_spot()
    {
        var asked = new List<string>();
        var providers = new Dictionary<string, Akka.Actor.IActorRef> { ["cp-a"] = Akka.Actor.ActorRefs.Nobody, ["cp-c"] = Akka.Actor.ActorRefs.Nobody };
        var until = DateTimeOffset.UnixEpoch.AddSeconds(5);
        var round = SearchRound.Start("job-1", ["cp-a", "cp-gone", "cp-c"], providers, "n-7", until, (id, _) => asked.Add(id));

        Assert.Equal(["cp-a", "cp-c"], asked);
        Assert.Equal(new DeclineMessage("job-1", "cp-gone", ExchangePhase.Bid, DeclineReason.UnknownProvider, "no provider with this id is known to the directory"),
            Assert.Single(round.Declines));
        Assert.Equal(until, round.Waiting.Until);
        Assert.Equal(["cp-a", "cp-c"], round.Waiting.Providers);
        Assert.Equal(("n-7", until), (round.Nonce, round.Until));
        Assert.True(SearchRound.Start("job-1", ["cp-gone"], providers, "n", until, (_, _) => { }).IsComplete);
    }
}
