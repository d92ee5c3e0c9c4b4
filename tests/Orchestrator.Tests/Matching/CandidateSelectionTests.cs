using Orchestrator.Matching;
using Orchestrator.Protocol.Messages;
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

    [Fact]
    public void A_push_search_considers_exactly_the_named_providers_once_each()
    {
        var job = JobOf() with { OrchestrationType = OrchestrationType.Push, TargetProviders = ["cp-b", "cp-zzz", "cp-b", "cp-a"] };
        var choice = CandidateSelection.Choose(Network, job, Needs(cpu: 99), 1, seed: "job-p");
        Assert.Equal(["cp-b", "cp-zzz", "cp-a"], choice.Candidates);
        Assert.Equal(3, choice.Considered);
        Assert.Empty(choice.Prefiltered);
        Assert.Empty(choice.RuledOut);
    }

    [Fact]
    public void The_providers_a_job_asks_are_pinned_so_every_node_and_version_chooses_alike()
    {
        // A plan made on one node shows what the job will ask on another, during a rolling upgrade too: the
        // rendezvous weights (xxHash64 of the ids, mixed by SplitMix64's finaliser) are part of the protocol.
        var choice = CandidateSelection.Choose(Network, JobOf(Needs(cpu: 4)), Needs(cpu: 4), 5, seed: "job-pinned");
        Assert.Equal(PinnedChoice, choice.Candidates);
    }

    private static readonly string[] PinnedChoice = ["cp-023", "cp-095", "cp-140", "cp-151", "cp-184"];

    [Fact]
    public void Rendezvous_choices_nest_and_a_new_provider_displaces_at_most_one()
    {
        var pool = new ProviderPool(Network);
        for (var j = 0; j < 20; j++)
        {
            var seed = $"job-{j}";
            var smaller = CandidateSelection.Choose(pool, JobOf(Needs(cpu: 4)), Needs(cpu: 4), 10, seed).Candidates;
            var larger = CandidateSelection.Choose(pool, JobOf(Needs(cpu: 4)), Needs(cpu: 4), 11, seed).Candidates;
            Assert.Equal(10, smaller.Count);
            Assert.Empty(smaller.Except(larger));

            var grown = new ProviderPool([.. Network, Provider("cp-new", cpu: 8)]);
            var after = CandidateSelection.Choose(grown, JobOf(Needs(cpu: 4)), Needs(cpu: 4), 10, seed).Candidates;
            Assert.Equal(10, after.Count);
            Assert.True(smaller.Except(after).Count() <= 1, seed);
            Assert.True(after.Except(smaller).All(id => id == "cp-new"), seed);
        }
    }

    [Fact]
    public void Ruled_out_providers_are_named_up_to_the_bound_and_counted_beyond_it()
    {
        var small = Enumerable.Range(0, 130).Select(i => Provider($"cp-{i:D3}", cpu: 1)).Append(Provider("cp-big", cpu: 8)).ToArray();
        var choice = CandidateSelection.Choose(small, JobOf(Needs(cpu: 4)), Needs(cpu: 4), 16, seed: "job-n");
        Assert.Equal(["cp-big"], choice.Candidates);
        Assert.Equal(ProviderPool.MaxNamed, choice.RuledOut.Count);
        Assert.Equal(30, choice.RuledOutUnnamed);
        Assert.Equal(new ProviderVerdict("cp-000", ProviderOutcomes.RuledOut, "insufficient-cpu", "requires 4 CPU cores; provider has 1 in total"), choice.RuledOut[0]);
        Assert.Equal(130, choice.Prefiltered["insufficient-cpu"]);
        Assert.Equal(131, choice.Considered);
        Assert.Empty(CandidateSelection.Choose(ProviderPool.Empty, JobOf(), Needs(), 16, "job-e").Candidates);
    }

    [Fact]
    public void The_pool_remembers_the_answer_per_shape_up_to_its_bound_and_no_further()
    {
        var pool = new ProviderPool(Network.Take(3).ToArray());
        var shapes = Enumerable.Range(1, 1025).Select(ram => Needs(ramMb: ram)).ToArray();
        Assert.Same(pool.PrefilterFor(shapes[0]), pool.PrefilterFor(Needs(ramMb: 1)));
        foreach (var shape in shapes[1..1024]) pool.PrefilterFor(shape);
        Assert.Same(pool.PrefilterFor(shapes[1023]), pool.PrefilterFor(shapes[1023]));
        // The 1,025th shape is answered afresh each time: memory stays bounded however many shapes jobs have.
        Assert.NotSame(pool.PrefilterFor(shapes[1024]), pool.PrefilterFor(shapes[1024]));
        Assert.Equal(pool.PrefilterFor(shapes[1024]).Eligible, new ProviderPool(Network.Take(3).ToArray()).PrefilterFor(shapes[1024]).Eligible);
    }
}
