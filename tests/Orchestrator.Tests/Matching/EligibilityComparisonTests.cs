using Orchestrator.Matching;
using Orchestrator.Protocol.Messages;
using Orchestrator.Protocol.Model;
using Orchestrator.Providers;
using static Orchestrator.Tests.Fixtures;

namespace Orchestrator.Tests.Matching;

/// <summary>
/// A provider's full comparison with a job (its EligibleComputeProvidersData): every hard constraint with the values
/// compared, in agreement with the matcher that decides; its own soft scores; and where a bid's claims and the job's
/// computation disagree.
/// </summary>
public class EligibilityComparisonTests
{
    [Theory]
    [MemberData(nameof(HardConstraintTests.Cases), MemberType = typeof(HardConstraintTests))]
    public void The_comparison_agrees_with_the_matcher_on_every_constraint_case(string name, JobRequirements needs, DeclineReason? expected, string? detail) =>
        Agrees(HardConstraintTests.Rich, needs, expected, name, detail);

    [Theory]
    [MemberData(nameof(HardConstraintTests.Undeclared), MemberType = typeof(HardConstraintTests))]
    public void The_comparison_agrees_with_the_matcher_for_a_provider_that_declares_nothing(string name, JobRequirements needs, DeclineReason? expected, string? detail) =>
        Agrees(HardConstraintTests.Plain, needs, expected, name, detail);

    private static void Agrees(ProviderCapability provider, JobRequirements needs, DeclineReason? expected, string name, string? detail)
    {
        _ = detail;
        var checks = EligibilityComparison.HardConstraints(provider, AllFree(provider), needs);
        var firstFailed = checks.FirstOrDefault(c => !c.Passed);
        // Eligible exactly when every check passed; otherwise the first failed check is the reason the provider declines with.
        Assert.True(expected == firstFailed?.Reason, $"{name}: matcher says {expected?.ToString() ?? "eligible"}, comparison {firstFailed?.Constraint ?? "all passed"}");
        Assert.Equal(CapabilityMatcher.Match(provider, AllFree(provider), needs) is MatchResult.Eligible, checks.All(c => c.Passed));
    }

    [Fact]
    public void Every_constraint_the_job_sets_is_listed_with_the_values_compared_the_failed_ones_too()
    {
        var rich = HardConstraintTests.Rich;
        var needs = Needs(cpu: 4) with
        {
            Localities = [new Locality("country", "FR")],
            MaxPricePerHour = 3m,
            Libraries = [new LibraryRequirement("cuda", ">=12.0")],
            Labels = [new LabelConstraint { Key = "tier", Op = LabelOperator.Equals, Value = "silver" }],
        };
        // Half the CPUs are held by other jobs.
        var free = AllFree(rich) with { CpuCores = 3 };

        var checks = EligibilityComparison.HardConstraints(rich, free, needs).ToDictionary(c => c.Constraint);

        Assert.Equal(["cpu-cores", "disk-gb", "label:tier", "library:cuda", "locality", "max-price-per-hour", "ram-mb"], checks.Keys.Order());
        Assert.Equal(new ConstraintCheck("locality", false, "country=FR", "country=DE", DeclineReason.LocalityMismatch), checks["locality"]);
        Assert.Equal(new ConstraintCheck("max-price-per-hour", true, "at most 3/h", "2/h", DeclineReason.PriceAboveMaximum), checks["max-price-per-hour"]);
        Assert.Equal(new ConstraintCheck("library:cuda", true, ">=12.0", "11.8, 12.2", DeclineReason.LibraryVersion), checks["library:cuda"]);
        Assert.Equal(new ConstraintCheck("label:tier", false, "tier = silver", "tier=gold", DeclineReason.LabelMismatch), checks["label:tier"]);
        Assert.Equal(new ConstraintCheck("cpu-cores", false, "4", "3 free of 16", DeclineReason.InsufficientCpu), checks["cpu-cores"]);
        Assert.True(checks["ram-mb"].Passed);
    }

    private static readonly Preference[] Preferences =
    [
        new() { Weight = 30, Localities = [new Locality("country", "DE")] },
        new() { Weight = 20, LowerPrice = true },
        new() { Weight = 10, More = new MorePreference(ResourceDimension.CpuCores, Target: 16) },
        new() { Weight = 10, More = new MorePreference(ResourceDimension.RamMb) },
        new() { Weight = 5, SpareCapacity = true },
    ];

    [Fact]
    public void A_provider_scores_itself_on_every_preference_it_can_and_leaves_open_those_relative_to_the_other_bids()
    {
        var bid = BidFrom("cp-a", 2m, spare: 0.25) with { Capability = Provider("cp-a", cpu: 8, price: 2m) };

        var scores = EligibilityComparison.SoftConstraints(Preferences, bid);

        Assert.Equal([0, 1, 2, 3, 4], scores.Select(s => s.Index));
        Assert.Equal([1.0, null, 0.5, null, 0.25], scores.Select(s => s.Score));
        Assert.Equal(["locality country=DE", "lower price", "more cpuCores (target 16)", "more ramMb", "spare capacity"], scores.Select(s => s.Preference));
        Assert.Equal([30, 20, 10, 10, 5], scores.Select(s => s.Weight));
        Assert.Empty(EligibilityComparison.SoftConstraints([], bid));
    }

    [Fact]
    public void A_bid_that_claims_better_scores_is_ranked_by_the_jobs_numbers_and_the_disagreement_is_recorded()
    {
        var honest = BidFrom("cp-honest", 2m, spare: 0.5) with { Capability = Provider("cp-honest", price: 2m) };
        var france = Provider("cp-boastful", price: 2m, localities: [new Locality("country", "FR")]);
        var boastful = BidFrom("cp-boastful", 2m, spare: 0.5) with { Capability = france };
        // It claims to be in Germany (1 where the job computes 0) and to leave everything free.
        boastful = boastful with
        {
            Claims = [new SoftConstraintScore(0, "locality country=DE", 30, 1.0), new SoftConstraintScore(1, "lower price", 20, null),
                new SoftConstraintScore(4, "spare capacity", 5, 1.0), new SoftConstraintScore(9, "nothing the job asked", 1, 1.0)],
        };
        honest = honest with { Claims = EligibilityComparison.SoftConstraints(Preferences, honest) };

        var outcome = Orchestrator.Jobs.SearchOutcome.Of(JobOf(), OrchestrationType.Pull, SelectionCriterion.Score, Preferences, 1, 2,
            new Dictionary<string, int>(), 2, [boastful, honest], [], []);

        var ranking = outcome.Explanation.Ranking;
        Assert.Equal(["cp-honest", "cp-boastful"], ranking.Select(r => r.ProviderId));
        Assert.Empty(ranking[0].Disagreements);
        Assert.Equal([new ScoreDisagreement(0, "locality country=DE", 1.0, 0.0), new ScoreDisagreement(4, "spare capacity", 1.0, 0.5)],
            ranking[1].Disagreements);
        // What is kept of the bids is the offer: the claims live on in the explanation.
        Assert.All(outcome.RankedBids, b => Assert.Null(b.Claims));
    }

    [Fact]
    public void The_data_keeps_one_entry_per_job_the_latest_ask_first_bounded_by_count_and_by_age()
    {
        var p = Provider("cp-a");
        var t0 = DateTimeOffset.UnixEpoch;
        var data = new EligibilityData(keptAtMost: 2, keptFor: TimeSpan.FromMinutes(10));
        void Ask(string job, DateTimeOffset at, string answer = "bid") =>
            data.Record(job, "sp-1", ExchangePhase.Bid, false, at, answer, null, p, AllFree(p), Needs(), []);

        Ask("job-1", t0);
        Ask("job-2", t0.AddMinutes(1));
        Ask("job-1", t0.AddMinutes(2), "locked");
        Assert.Equal(["job-1", "job-2"], data.Read(t0.AddMinutes(2)).Select(e => e.JobId));
        var job1 = data.Read(t0.AddMinutes(2), "job-1").Single();
        Assert.Equal((2, t0, t0.AddMinutes(2), "locked", true), (job1.Asked, job1.FirstAskedAt, job1.LastAskedAt, job1.Answer, job1.Eligible));

        // A third job: the least recently asked (job-2) goes.
        Ask("job-3", t0.AddMinutes(3));
        Assert.Equal(["job-3", "job-1"], data.Read(t0.AddMinutes(3)).Select(e => e.JobId));
        Assert.Equal(1, data.Forgotten);

        // Asked again about a held job: counted, moved to the newest, its comparison unchanged.
        data.AskedAgain("job-1", ExchangePhase.JobRequest, t0.AddMinutes(4));
        var again = data.Read(t0.AddMinutes(4)).First();
        Assert.Equal(("job-1", 3, ExchangePhase.JobRequest, "locked"), (again.JobId, again.Asked, again.Phase, again.Answer));

        // Ten minutes after job-3 was last asked about, it goes; job-1 (asked a minute later) stays a minute more.
        Assert.Equal(["job-1"], data.Read(t0.AddMinutes(13).AddSeconds(1)).Select(e => e.JobId));
        Assert.Empty(data.Read(t0.AddMinutes(14).AddSeconds(1)));
        Assert.Equal(3, data.Forgotten);

        var none = new EligibilityData(0, TimeSpan.FromHours(1));
        none.Record("job-1", "sp-1", ExchangePhase.Bid, false, t0, "bid", null, p, AllFree(p), Needs(), []);
        Assert.Empty(none.Read(t0));
    }
}
