using Akka.Actor;
using Orchestrator.Protocol.Messages;
using Orchestrator.Protocol.Model;
using Xunit.Abstractions;
using static Orchestrator.Tests.Fixtures;

namespace Orchestrator.Tests.Actors;

/// <summary>
/// The compute provider's EligibleComputeProvidersData after real searches: one entry per job it was asked about, with
/// its per-constraint comparison and its soft scores; the scores travel with the bid, and the job, which ranks by its
/// own numbers, shows where a provider's claim differs.
/// </summary>
public class EligibilityDataTests(ITestOutputHelper output) : ActorTestBase(output)
{
    private static readonly Preference[] Preferences =
    [
        new() { Weight = 40, Localities = [new Locality("country", "DE")] },
        new() { Weight = 10, LowerPrice = true },
    ];

    private ProviderEligibility EligibilityOf(IActorRef provider, string? jobId = null)
    {
        provider.Tell(new GetEligibility("any", jobId), TestActor);
        return ExpectMsg<ProviderEligibility>();
    }

    private IActorRef Post(string jobId, JobRequirements needs, Orchestrator.Configuration.OrchestratorSettings settings, params string[] approved)
    {
        Directory.Tell(Orchestrator.Providers.ListProviders.Instance, TestActor);
        ExpectMsg<Orchestrator.Providers.KnownProviders>();
        var job = StartJob(jobId, settings, Approve(settings, approved));
        job.Tell(new PostJob(jobId, JobOf(needs) with { Preferences = Preferences }, "test"), TestActor);
        Assert.True(ExpectMsg<JobAccepted>().Created);
        return job;
    }

    [Fact]
    public void After_searches_each_provider_holds_one_entry_per_job_it_was_asked_about_with_its_comparison_and_soft_scores()
    {
        var settings = Settings();
        var german = RealProvider(Provider("cp-de", price: 1m), settings);
        var french = RealProvider(Provider("cp-fr", price: 2m, localities: [new Locality("country", "FR")]), settings);
        var small = RealProvider(Provider("cp-small", cpu: 4, price: 0.5m), settings);
        // Three of the small provider's four CPUs are locked for another job: it is asked (its advertised capacity would
        // do) and declines for what is free.
        small.Tell(new JobRequest("job-other", "cp-small", "sp-test", Needs(cpu: 3)), TestActor);
        Assert.True(ExpectMsg<Bid>().ResourcesLocked);

        var first = Post("job-e1", Needs(cpu: 4), settings, "cp-de", "cp-fr", "cp-small");
        Assert.Equal("cp-de", AwaitState(first, JobState.Contracted).Contract!.ProviderId);
        var second = Post("job-e2", Needs(cpu: 1), settings, "cp-de", "cp-fr", "cp-small");
        AwaitState(second, JobState.Contracted);

        // The winner: asked about both jobs, newest first; for the first, a bid then the job request that locked it.
        var de = EligibilityOf(german);
        Assert.Equal(["job-e2", "job-e1"], de.Entries.Select(e => e.JobId));
        Assert.Equal((256, TimeSpan.FromHours(1), 0L), (de.KeptAtMost, de.KeptFor, de.Forgotten));
        var won = EligibilityOf(german, "job-e1").Entries.Single();
        Assert.True(won.Eligible);
        Assert.Equal(("sp-test", ExchangePhase.JobRequest, 2, "locked"), (won.RequesterNodeId, won.Phase, won.Asked, won.Answer));
        Assert.Equal(new ConstraintCheck("cpu-cores", true, "4", "8 free of 8", DeclineReason.InsufficientCpu), won.HardConstraints.Single(c => c.Constraint == "cpu-cores"));
        Assert.All(won.HardConstraints, c => Assert.True(c.Passed));
        // The job request carried no preferences: the scores it gave with its bid stay.
        Assert.Equal(new SoftConstraintScore(0, "locality country=DE", 40, 1.0), won.SoftConstraints[0]);

        // The French provider bid on both, and scored itself 0 on the locality preference; lower price is the job's to score;
        // the node's built-in spare-capacity preference (weight 5) comes last, scored with what it would leave free.
        var fr = EligibilityOf(french, "job-e1").Entries.Single();
        Assert.Equal(("bid", true), (fr.Answer, fr.Eligible));
        Assert.Equal([new SoftConstraintScore(0, "locality country=DE", 40, 0.0), new SoftConstraintScore(1, "lower price", 10, null)], fr.SoftConstraints.Take(2));
        Assert.Equal(("spare capacity", 5), (fr.SoftConstraints[2].Preference, fr.SoftConstraints[2].Weight));
        Assert.InRange(fr.SoftConstraints[2].Score!.Value, 0.5, 1.0);

        // The small provider declined the first job, the comparison saying why; it bid on the second.
        var declined = EligibilityOf(small, "job-e1").Entries.Single();
        Assert.Equal(("declined", DeclineReason.InsufficientCpu, false), (declined.Answer, declined.DeclinedFor, declined.Eligible));
        Assert.Equal(new ConstraintCheck("cpu-cores", false, "4", "1 free of 4", DeclineReason.InsufficientCpu), declined.HardConstraints.Single(c => !c.Passed));
        Assert.Equal(1.0, declined.SoftConstraints[0].Score);
        Assert.True(EligibilityOf(small, "job-e2").Entries.Single().Eligible);

        // A job the provider was never asked about has no entry.
        Assert.Empty(EligibilityOf(german, "job-never").Entries);
    }

    [Fact]
    public void The_comparison_behind_a_contract_is_journaled_with_it_and_is_back_after_the_provider_restarts_the_others_are_not()
    {
        var settings = Settings();
        var capability = Provider("cp-kept", price: 1m);
        var provider = RealProvider(capability, settings);
        var job = Post("job-kept", Needs(cpu: 2), settings, "cp-kept");
        Assert.Equal("cp-kept", AwaitState(job, JobState.Contracted).Contract!.ProviderId);
        // A bid request for another job: compared and answered, never contracted.
        provider.Tell(new BidRequest("job-only-asked", "cp-kept", "sp-test", Needs(cpu: 1)), TestActor);
        ExpectMsg<Bid>();
        var before = EligibilityOf(provider, "job-kept").Entries.Single();

        Watch(provider);
        Sys.Stop(provider);
        ExpectTerminated(provider);
        var restarted = Sys.ActorOf(Orchestrator.Providers.ProviderActor.Props(capability, settings, Approve(settings, "cp-kept")));

        var after = EligibilityOf(restarted);
        var kept = Assert.Single(after.Entries);
        Assert.Equal(("job-kept", before.Answer, before.Asked, before.LastAskedAt), (kept.JobId, kept.Answer, kept.Asked, kept.LastAskedAt));
        Assert.Equal(before.HardConstraints, kept.HardConstraints);
        Assert.Equal(before.SoftConstraints, kept.SoftConstraints);
    }

    [Fact]
    public void A_bid_whose_claims_differ_from_the_jobs_computation_is_ranked_by_the_jobs_numbers_and_the_job_shows_the_disagreement()
    {
        var settings = Settings();
        // A French provider that claims to be in Germany, and is cheaper: by its own claims it would win.
        var boastful = ProbeProvider("cp-boastful");
        RealProvider(Provider("cp-honest", price: 2m), settings);
        var job = Post("job-claims", Needs(), settings, "cp-honest", "cp-boastful");

        var request = boastful.ExpectMsg<BidRequest>();
        // The job's preferences travel with the request: its own two and the built-in spare capacity.
        Assert.Equal(["locality country=DE", "lower price", "spare capacity"], request.Preferences!.Select(Orchestrator.Matching.PreferenceScoring.Describe));
        boastful.Reply(BidFrom("cp-boastful", 1.9m, job: "job-claims") with
        {
            Capability = Provider("cp-boastful", price: 1.9m, localities: [new Locality("country", "FR")]),
            Claims = [new SoftConstraintScore(0, "locality country=DE", 40, 1.0), new SoftConstraintScore(1, "lower price", 10, null)],
        });

        var status = AwaitState(job, JobState.Contracted);
        Assert.Equal("cp-honest", status.Contract!.ProviderId);
        var ranking = status.Explanation!.Ranking;
        Assert.Equal(["cp-honest", "cp-boastful"], ranking.Select(r => r.ProviderId));
        Assert.Empty(ranking[0].Disagreements);
        Assert.Equal([new ScoreDisagreement(0, "locality country=DE", 1.0, 0.0)], ranking[1].Disagreements);
    }
}
