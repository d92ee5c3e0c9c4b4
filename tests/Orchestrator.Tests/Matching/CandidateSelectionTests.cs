using Orchestrator.Matching;
using Orchestrator.Protocol.Model;
using static Orchestrator.Tests.Fixtures;

namespace Orchestrator.Tests.Matching;

public class CandidateSelectionTests
{
    private static readonly ProviderCapability[] Network =
        Enumerable.Range(0, 300).Select(i => Provider($"cp-{i:D3}", cpu: i % 3 == 0 ? 1 : 8)).ToArray();

    [Fact]
    public void A_search_asks_at_most_the_bound_all_of_them_eligible_and_the_same_ones_for_the_same_job()
    {
        var pool = new ProviderPool(Network);
        var first = CandidateSelection.Choose(pool, JobOf(Needs(cpu: 4)), Needs(cpu: 4), 16, seed: "job-a");
        var again = CandidateSelection.Choose(new ProviderPool(Network), JobOf(Needs(cpu: 4)), Needs(cpu: 4), 16, seed: "job-a");

        Assert.Equal(16, first.Candidates.Count);
        Assert.Equal(16, first.Candidates.Distinct().Count());
        Assert.All(first.Candidates, id => Assert.NotEqual(0, int.Parse(id[3..]) % 3));
        Assert.Equal(first.Candidates, again.Candidates);
        Assert.Equal(300, first.Considered);
        Assert.Equal(100, first.Prefiltered["insufficient-cpu"]);
    }

    [Fact]
    public void Different_jobs_spread_over_the_eligible_providers()
    {
        var pool = new ProviderPool(Network);
        var asked = Enumerable.Range(0, 20)
            .SelectMany(i => CandidateSelection.Choose(pool, JobOf(Needs(cpu: 4)), Needs(cpu: 4), 16, seed: $"job-{i}").Candidates)
            .ToHashSet();
        // 20 jobs x 16 asks over 200 eligible providers: well over a single job's 16 are used.
        Assert.InRange(asked.Count, 120, 200);
    }

    [Fact]
    public void A_remembered_pre_filter_answers_exactly_as_a_fresh_one_for_every_shape()
    {
        var pool = new ProviderPool(Network);
        foreach (var cpu in new[] { 1, 4, 8, 9, 4, 1 })
        {
            var remembered = CandidateSelection.Choose(pool, JobOf(Needs(cpu: cpu)), Needs(cpu: cpu), 500, seed: "job-x");
            var fresh = CandidateSelection.Choose(Network, JobOf(Needs(cpu: cpu)), Needs(cpu: cpu), 500, seed: "job-x");
            Assert.Equal(fresh.Candidates, remembered.Candidates);
            Assert.Equal(fresh.Prefiltered, remembered.Prefiltered);
        }
    }

    [Fact]
    public void Fewer_eligible_providers_than_the_bound_are_all_asked_in_id_order()
    {
        var choice = CandidateSelection.Choose(Network.Take(5).ToArray(), JobOf(Needs(cpu: 4)), Needs(cpu: 4), 16, seed: "job-b");
        Assert.Equal(["cp-001", "cp-002", "cp-004"], choice.Candidates);
    }
}
