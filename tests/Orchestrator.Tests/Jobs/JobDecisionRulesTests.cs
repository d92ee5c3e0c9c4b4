using Orchestrator.Configuration;
using Orchestrator.Jobs;
using Orchestrator.Matching;
using Orchestrator.Protocol.Events;
using Orchestrator.Protocol.Messages;
using Orchestrator.Protocol.Model;
using Orchestrator.Trust;
using static Orchestrator.Tests.Fixtures;

namespace Orchestrator.Tests.Jobs;

/// <summary>
/// The decisions' rules one by one, with the words a user reads: the defaults a post takes, which way a search
/// ends (retry, fail, and with which reason and message), the notes a shortlisting writes, the contract proposed.
/// </summary>
public class JobDecisionRulesTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);
    private static readonly OrchestratorSettings Node = Settings();
    private static readonly ParticipantTrust ByList = ParticipantTrust.ByList(new ApprovalPolicy([]));

    private static Job Searching(JobDescription? description = null, OrchestratorSettings? settings = null, CandidateChoice? choice = null)
    {
        var post = JobDecisions.Post(Job.New("job-1"), new PostJob("job-1", description ?? JobOf(), "user"), settings ?? Node, T0);
        var job = Job.New("job-1").Apply(Assert.IsType<PostDecision.Accept>(post).Event);
        return job.Apply(JobDecisions.StartSearch(job, choice ?? new CandidateChoice(["cp-a", "cp-b", "cp-c"], 3, new Dictionary<string, int>()), T0));
    }

    private static DeclineMessage Decline(string provider, DeclineReason reason, string detail, ExchangePhase phase = ExchangePhase.Bid) =>
        new("job-1", provider, phase, reason, detail);

    private static TimeoutResponse Timeout(string provider, ExchangePhase phase = ExchangePhase.Bid, double seconds = 2.5) =>
        new("job-1", provider, phase, TimeSpan.FromSeconds(seconds));

    private static Job Complete(Job job, Bid[] bids, DeclineMessage[]? declines = null, TimeoutResponse[]? timeouts = null) =>
        job.Apply(JobDecisions.CompleteSearch(job, bids, declines ?? [], timeouts ?? [], Node, T0));

    // ---- posting -------------------------------------------------------------------------------------------

    [Fact]
    public void A_post_takes_the_nodes_defaults_for_what_it_leaves_out()
    {
        var node = Node with { DefaultJobDuration = TimeSpan.FromSeconds(61), DefaultSelection = SelectionCriterion.LowestPrice };
        var posted = Assert.IsType<PostDecision.Accept>(JobDecisions.Post(Job.New("job-1"), new PostJob("job-1", JobOf(), "user"), node, T0)).Event;
        Assert.Equal((2, SelectionCriterion.LowestPrice, T0 + node.JobDeadline, T0, OrchestrationType.Pull),
            (posted.Requirements.DurationMinutes, posted.Selection, posted.Deadline, posted.At, posted.OrchestrationType));
        Assert.Null(posted.Description.Requirements.DurationMinutes);
        Assert.Equal(["lower price", "spare capacity"], posted.Preferences.Select(PreferenceScoring.Describe));
        Assert.Equal([10, 5], posted.Preferences.Select(p => p.Weight));
    }

    [Fact]
    public void A_post_keeps_what_it_states()
    {
        var description = JobOf(Needs() with { DurationMinutes = 7 }) with
        {
            Selection = SelectionCriterion.EarliestBid, DeadlineSeconds = 90, OrchestrationType = OrchestrationType.Push, TargetProviders = ["cp-a"],
        };
        var node = Node with { DefaultOrchestrationType = OrchestrationType.Pull };
        var posted = Assert.IsType<PostDecision.Accept>(JobDecisions.Post(Job.New("job-1"), new PostJob("job-1", description, "user"), node, T0)).Event;
        Assert.Equal((7, SelectionCriterion.EarliestBid, T0.AddSeconds(90), OrchestrationType.Push),
            (posted.Requirements.DurationMinutes, posted.Selection, posted.Deadline, posted.OrchestrationType));
    }

    [Fact]
    public void A_push_node_makes_a_job_naming_no_type_a_push_job()
    {
        var node = Node with { DefaultOrchestrationType = OrchestrationType.Push };
        var posted = JobDecisions.Post(Job.New("job-1"), new PostJob("job-1", JobOf() with { TargetProviders = ["cp-a"] }, "user"), node, T0);
        Assert.Equal(OrchestrationType.Push, Assert.IsType<PostDecision.Accept>(posted).Event.OrchestrationType);
        var refused = Assert.IsType<PostDecision.Reject>(JobDecisions.Post(Job.New("job-1"), new PostJob("job-1", JobOf(), "user"), node, T0));
        Assert.Equal(["this node defaults to push orchestration: name the target providers, or set orchestrationType to pull"], refused.Errors["targetProviders"]);
    }

    [Fact]
    public void An_id_is_checked_once_and_a_missing_one_is_named()
    {
        var bad = Assert.IsType<PostDecision.Reject>(JobDecisions.Post(Job.New("a b"), new PostJob("a b", JobOf(), "user"), Node, T0));
        Assert.Equal(["may contain only letters and digits (any script) and . _ - : (found ' ')"], bad.Errors["jobId"]);
        var missing = Assert.IsType<PostDecision.Reject>(JobDecisions.Post(Job.New(""), new PostJob(null!, JobOf(), "user"), Node, T0));
        Assert.Equal(["must not be empty"], missing.Errors["jobId"]);
    }

    [Fact]
    public void A_repost_answers_with_the_state_or_the_conflict_in_words()
    {
        var job = Searching();
        var again = JobDecisions.Post(job, new PostJob("job-1", JobOf() with { JobId = "another-id" }, "someone"), Node, T0.AddHours(1));
        Assert.Equal(JobState.Searching, Assert.IsType<PostDecision.AlreadyPosted>(again).State);
        var conflict = JobDecisions.Post(job, new PostJob("job-1", JobOf() with { DeadlineSeconds = 5 }, "user"), Node, T0);
        Assert.Equal("job 'job-1' already exists with a different description", Assert.IsType<PostDecision.Conflict>(conflict).Detail);
    }

    [Fact]
    public void Built_in_preferences_of_weight_zero_are_left_out_and_a_stated_one_is_not_doubled()
    {
        Assert.Empty(JobDecisions.EffectivePreferences([], Node with { LowerPriceWeight = 0, SpareCapacityWeight = 0 }));
        var own = new Preference { Weight = 70, SpareCapacity = true };
        Assert.Equal([(70, "spare capacity"), (10, "lower price")],
            JobDecisions.EffectivePreferences([own], Node).Select(p => (p.Weight, PreferenceScoring.Describe(p))));
    }

    // ---- starting a search --------------------------------------------------------------------------------

    [Fact]
    public void A_search_names_whom_the_directory_ruled_out_only_when_it_ruled_out_anyone()
    {
        var job = Searching();
        var plain = new CandidateChoice(["cp-a"], 4, new Dictionary<string, int> { ["insufficient-cpu"] = 3 });
        var started = Assert.IsType<SearchStarted>(Assert.Single(JobDecisions.StartSearch(job, plain, T0)));
        Assert.Equal((2, 4, 3), (started.Attempt, started.Considered, started.Prefiltered["insufficient-cpu"]));

        var verdict = new ProviderVerdict("cp-x", ProviderOutcomes.RuledOut, "insufficient-cpu", "too small");
        var named = JobDecisions.StartSearch(job, plain with { RuledOut = [verdict] }, T0);
        var ruledOut = Assert.IsType<ProvidersRuledOut>(named[1]);
        Assert.Equal(("job-1", 2, 0, T0), (ruledOut.JobId, ruledOut.Attempt, ruledOut.Unnamed, ruledOut.At));
        Assert.Equal([verdict], ruledOut.Verdicts);
        var unnamed = JobDecisions.StartSearch(job, plain with { RuledOutUnnamed = 3 }, T0);
        Assert.Equal(3, Assert.IsType<ProvidersRuledOut>(unnamed[1]).Unnamed);
    }

    // ---- the selected provider answers ------------------------------------------------------------------------

    [Fact]
    public void A_job_request_answered_without_a_lock_is_a_decline_saying_so()
    {
        var job = Complete(Searching(), [BidFrom("cp-a", 1m), BidFrom("cp-b", 2m)]);
        var events = JobDecisions.OnJobRequestAnswer(job, BidFrom("cp-a", 1m), Node, T0);
        var dropped = Assert.IsType<CandidateDropped>(events[0]);
        Assert.Equal(Decline("cp-a", DeclineReason.NotLocked, "answered the job request without locking resources", ExchangePhase.JobRequest), dropped.Decline);
        Assert.Equal("cp-b", Assert.IsType<ProviderShortlisted>(events[1]).ProviderId);
    }

    [Fact]
    public void A_locked_answer_is_kept_without_the_capability_and_proof_it_carried()
    {
        var job = Complete(Searching(), [BidFrom("cp-a", 1m)]);
        var answer = BidFrom("cp-a", 1m, locked: true) with { Capability = Provider("cp-a"), Proof = new Proof("sig", null!) };
        var confirmed = Assert.IsType<ResourcesConfirmed>(Assert.Single(JobDecisions.OnJobRequestAnswer(job, answer, Node, T0)));
        Assert.Equal(answer with { Capability = null, Proof = null }, confirmed.Bid);
        Assert.True(job.Apply(confirmed).ResourcesLocked);
        Assert.Equal(confirmed.Bid, job.Apply(confirmed).Selected);
    }

    [Fact]
    public void An_answer_of_the_wrong_kind_for_the_phase_changes_nothing()
    {
        var job = Complete(Searching(), [BidFrom("cp-a", 1m)]);
        Assert.Empty(JobDecisions.OnJobRequestAnswer(job, new ContractSigned(JobDecisions.ProposeContract(job, Node, T0)), Node, T0));
        Assert.Empty(JobDecisions.OnContractAnswer(job, BidFrom("cp-a", 1m, locked: true), ByList, Node, T0));
    }

    [Fact]
    public void A_contract_signed_on_other_terms_is_refused_with_the_term_named()
    {
        var job = Complete(Searching(), [BidFrom("cp-a", 1m, locked: true)]);
        var terms = JobDecisions.ProposeContract(job, Node, T0) with { PricePerHour = 9m };
        var dropped = Assert.IsType<CandidateDropped>(JobDecisions.OnContractAnswer(job, new ContractSigned(terms), ByList, Node, T0)[0]);
        Assert.Equal(Decline("cp-a", DeclineReason.VerificationFailed, "terms-mismatch: the contract's price per hour is 9, not the agreed 1", ExchangePhase.ContractClosure),
            dropped.Decline);
    }

    [Fact]
    public void A_timeout_at_contract_closure_drops_the_provider_with_the_timeout()
    {
        var job = Complete(Searching(), [BidFrom("cp-a", 1m, locked: true), BidFrom("cp-b", 2m, locked: true)]);
        var events = JobDecisions.OnContractAnswer(job, Timeout("cp-a", ExchangePhase.ContractClosure), ByList, Node, T0);
        Assert.Equal(new CandidateDropped("job-1", "cp-a", null, Timeout("cp-a", ExchangePhase.ContractClosure), T0), events[0]);
        Assert.Equal("cp-b", Assert.IsType<ProviderShortlisted>(events[1]).ProviderId);
    }

    [Fact]
    public void Without_an_authority_a_bid_is_taken_as_it_is_and_with_one_an_unsigned_bid_becomes_a_decline()
    {
        var bid = BidFrom("cp-a", 1m);
        Assert.Same(bid, JobDecisions.Vetted(bid, ByList, "n-1", ExchangePhase.Bid, T0));

        var authority = KeyPair.Create();
        var key = KeyPair.Create();
        var credential = Credential.Issue(authority, key.PublicKey, [ParticipantRole.ServiceProvider], ["sp-test"], T0.AddDays(-1), T0.AddDays(1));
        var signed = ParticipantTrust.Signed(key, credential, new TrustStore([authority.PublicKey]));
        Assert.Equal(Decline("cp-a", DeclineReason.VerificationFailed, "unsigned: compute-provider 'cp-a' sent no signature, and this network requires one", ExchangePhase.JobRequest),
            JobDecisions.Vetted(bid, signed, "n-1", ExchangePhase.JobRequest, T0));
        var decline = Decline("cp-b", DeclineReason.InsufficientCpu, "busy");
        Assert.Same(decline, JobDecisions.Vetted(decline, signed, "n-1", ExchangePhase.Bid, T0));

        // With an authority the provider's signature is what counts at closure, not the approved list.
        var job = Complete(Searching(), [BidFrom("cp-a", 1m, locked: true)]);
        Assert.Empty(JobDecisions.VerifyProvider(job, signed, Node, T0));
        var notListed = Assert.IsType<CandidateDropped>(JobDecisions.VerifyProvider(job, ByList, Node, T0)[0]);
        Assert.Equal("not-approved: compute provider 'cp-a' is not approved by the network authority (not on the approved list)", notListed.Decline!.Detail);
    }

    [Fact]
    public void The_proposed_contract_runs_for_the_jobs_duration_or_the_nodes_default()
    {
        var job = Complete(Searching(JobOf(Needs() with { DurationMinutes = 45 })), [BidFrom("cp-a", 1.25m, locked: true)]);
        Assert.Equal(new Contract("job-1@cp-a", "job-1", "sp-test", "cp-a", job.Requirements!.Resources, [], 1.25m, T0, T0, T0.AddMinutes(45)) { Currency = "USD" },
            JobDecisions.ProposeContract(job, Node, T0) with { AssignedGpus = [] });
        var noDuration = job with { Requirements = job.Requirements with { DurationMinutes = null } };
        Assert.Equal(T0 + Node.DefaultJobDuration, JobDecisions.ProposeContract(noDuration, Node, T0).EndsAt);
    }

    // ---- deadline, cancellation, backoff --------------------------------------------------------------------

    [Fact]
    public void At_the_deadline_a_job_fails_saying_where_it_was_or_what_its_last_search_found()
    {
        var matched = Complete(Searching(), [BidFrom("cp-a", 1m, locked: true)]);
        Assert.Equal(new JobFailed("job-1", FailureReason.DeadlinePassed,
                "the job did not reach a contract by its deadline 2026-11-27T12:01:00.0000000+00:00 (it was Matched)", T0.AddMinutes(1)),
            Assert.Single(JobDecisions.DeadlinePassed(matched, T0.AddMinutes(1))));

        var waiting = Complete(Searching(), [], [Decline("cp-a", DeclineReason.InsufficientCpu, "small")], [Timeout("cp-b"), Timeout("cp-c")]);
        Assert.Equal(new JobFailed("job-1", FailureReason.NoEligibleProvider,
                "no provider was eligible: 3 considered, ruled out by insufficient-cpu (1); 2 did not answer in time " +
                "(still so after 1 search(es), when the deadline 2026-11-27T12:01:00.0000000+00:00 passed)", T0.AddMinutes(1)),
            Assert.Single(JobDecisions.DeadlinePassed(waiting, T0.AddMinutes(1))));

        var failed = matched.Apply(JobDecisions.Cancel(matched, "no longer needed", T0));
        Assert.Empty(JobDecisions.DeadlinePassed(failed, T0.AddMinutes(1)));
    }

    [Fact]
    public void A_cancellation_says_where_the_job_was_and_why_and_a_finished_job_ignores_it()
    {
        var job = Searching();
        Assert.Equal(new JobFailed("job-1", FailureReason.Cancelled, "cancelled while Searching: no longer needed", T0),
            Assert.Single(JobDecisions.Cancel(job, "no longer needed", T0)));
        Assert.Empty(JobDecisions.Cancel(job.Apply(JobDecisions.Cancel(job, "x", T0)), "again", T0));
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(1, 1)]
    [InlineData(2, 2)]
    [InlineData(3, 4)]
    [InlineData(5, 16)]
    [InlineData(6, 30)]
    [InlineData(1000, 30)]
    public void The_wait_before_another_search_doubles_up_to_the_cap(int attempt, int seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), JobDecisions.Backoff(attempt, Node));

    // ---- shortlisting ---------------------------------------------------------------------------------------

    [Fact]
    public void A_shortlisting_note_says_the_rank_the_criterion_the_score_the_price_and_the_lock()
    {
        // Built-in preferences: lower price (10) and spare capacity (5); both bids have spare 0.5.
        var job = Complete(Searching(), [BidFrom("cp-b", 2m), BidFrom("cp-a", 1m, locked: true)]);
        Assert.Equal("shortlisted cp-a (rank 1 of 2 by score, score 0.833, 1/h × 60 min = 1, resources locked with the bid)", job.History[^1].Note);
        job = job.Apply(JobDecisions.OnContractAnswer(job, Decline("cp-a", DeclineReason.LeaseExpired, "gone", ExchangePhase.ContractClosure), ByList, Node, T0));
        Assert.Equal("shortlisted cp-b (rank 2 of 2 by score, score 0.5, 2/h × 60 min = 2)", job.History[^1].Note);

        var cheapest = Complete(Searching(JobOf() with { Selection = SelectionCriterion.LowestPrice }), [BidFrom("cp-a", 1m)]);
        Assert.Equal("shortlisted cp-a (rank 1 of 1 by lowest-price, score 0.833, 1/h × 60 min = 1)", cheapest.History[^1].Note);

        var push = Complete(Searching(JobOf() with { OrchestrationType = OrchestrationType.Push, TargetProviders = ["cp-a"] },
            choice: new CandidateChoice(["cp-a"], 1, new Dictionary<string, int>())), [BidFrom("cp-a", 1.5m)]);
        Assert.Equal("shortlisted cp-a (rank 1 of 1, the user's choice, score 0.833, 1.5/h × 60 min = 1.5)", push.History[^1].Note);

        var unexplained = job with { Explanation = null, Dropped = [] };
        Assert.Equal("shortlisted cp-b (rank 1 of 2 by score, 2/h × 60 min = 2)",
            Assert.IsType<ProviderShortlisted>(JobDecisions.NextCandidate(unexplained with { Bids = [.. unexplained.Bids.Reverse()] }, Node, T0)).Note);
    }

    // ---- how a search ends without a contract ---------------------------------------------------------------------

    [Fact]
    public void With_no_providers_known_a_pull_job_waits_and_says_so()
    {
        var job = Searching(choice: new CandidateChoice([], 0, new Dictionary<string, int>()));
        var retry = Assert.IsType<SearchRetryScheduled>(JobDecisions.CompleteSearch(job, [], [], [], Node, T0)[^1]);
        Assert.Equal(new SearchRetryScheduled("job-1", 2, T0.AddSeconds(1), FailureReason.NoEligibleProvider,
            "no provider was eligible: no providers are known to this node", T0), retry);
    }

    [Fact]
    public void What_ruled_providers_out_is_counted_from_the_directory_and_the_answers_zeros_left_out()
    {
        var choice = new CandidateChoice(["cp-a", "cp-b", "cp-c"], 6, new Dictionary<string, int> { ["locality-mismatch"] = 2, ["insufficient-ram"] = 0 });
        var job = Searching(choice: choice);
        var retry = Assert.IsType<SearchRetryScheduled>(JobDecisions.CompleteSearch(job, [],
            [Decline("cp-b", DeclineReason.VerificationFailed, "bad"), Decline("cp-a", DeclineReason.InsufficientCpu, "small")], [Timeout("cp-c")], Node, T0)[^1]);
        Assert.Equal("no provider was eligible: 6 considered, ruled out by insufficient-cpu (1), locality-mismatch (2), verification-failed (1); 1 did not answer in time",
            retry.Message);

        var silent = Searching();
        var none = Assert.IsType<SearchRetryScheduled>(JobDecisions.CompleteSearch(silent, [], [], [Timeout("cp-a"), Timeout("cp-b"), Timeout("cp-c")], Node, T0)[^1]);
        Assert.Equal("no provider was eligible: 3 considered, none ruled out by a constraint; 3 did not answer in time", none.Message);
        var quiet = silent with { Explanation = null, Prefiltered = new Dictionary<string, int> { ["label-mismatch"] = 3 } };
        Assert.Equal("no provider was eligible: 3 considered, ruled out by label-mismatch (3)",
            Assert.IsType<SearchRetryScheduled>(JobDecisions.NextCandidate(quiet, Node, T0)).Message);
    }

    [Fact]
    public void When_every_bidder_failed_verification_the_job_fails_at_once_naming_each()
    {
        var job = Searching();
        var failed = Assert.IsType<JobFailed>(JobDecisions.CompleteSearch(job, [],
            [Decline("cp-a", DeclineReason.VerificationFailed, "bad-signature: forged"), Decline("cp-b", DeclineReason.VerificationFailed, "revoked: gone")],
            [Timeout("cp-c")], Node, T0)[^1]);
        Assert.Equal(new JobFailed("job-1", FailureReason.VerificationFailed,
            "verification failed for every provider that bid (2): cp-a: bad-signature: forged; cp-b: revoked: gone", T0), failed);
    }

    [Fact]
    public void When_every_shortlisted_provider_failed_verification_the_job_fails_at_once_naming_each()
    {
        var job = Complete(Searching(), [BidFrom("cp-a", 1m, locked: true), BidFrom("cp-b", 2m, locked: true)],
            [Decline("cp-c", DeclineReason.InsufficientCpu, "small")]);
        job = job.Apply(JobDecisions.VerifyProvider(job, ByList, Node, T0));
        var events = JobDecisions.VerifyProvider(job, ByList, Node, T0);
        Assert.Equal(new JobFailed("job-1", FailureReason.VerificationFailed,
            "verification failed for every eligible provider (2): " +
            "cp-a: not-approved: compute provider 'cp-a' is not approved by the network authority (not on the approved list); " +
            "cp-b: not-approved: compute provider 'cp-b' is not approved by the network authority (not on the approved list)", T0), events[^1]);
    }

    [Fact]
    public void When_the_shortlisted_providers_dropped_out_otherwise_a_pull_job_waits_saying_how_each_did()
    {
        var job = Complete(Searching(), [BidFrom("cp-a", 1m), BidFrom("cp-b", 2m, locked: true)]);
        job = job.Apply(new JobRequestSent("job-1", "cp-a", T0));
        job = job.Apply(JobDecisions.OnJobRequestAnswer(job, Decline("cp-a", DeclineReason.InsufficientCpu, "taken", ExchangePhase.JobRequest), Node, T0));
        var events = JobDecisions.VerifyProvider(job with { }, ParticipantTrust.ByList(new ApprovalPolicy(["cp-b"])), Node, T0);
        Assert.Empty(events);
        var last = JobDecisions.OnContractAnswer(job, Timeout("cp-b", ExchangePhase.ContractClosure, 2.25), ByList, Node, T0);
        Assert.Equal(new SearchRetryScheduled("job-1", 2, T0.AddSeconds(1), FailureReason.AllCandidatesDeclined,
            "all 2 eligible provider(s) dropped out: cp-a declined at job-request (insufficient-cpu: taken); cp-b timed out at contract-closure after 2.25 s", T0),
            last[^1]);
    }

    [Fact]
    public void A_verification_failure_beside_a_timeout_is_not_a_verification_failure_of_all()
    {
        var job = Complete(Searching(), [BidFrom("cp-a", 1m, locked: true), BidFrom("cp-b", 2m, locked: true)]);
        job = job.Apply(JobDecisions.VerifyProvider(job, ByList, Node, T0));
        var last = JobDecisions.OnContractAnswer(job, Timeout("cp-b", ExchangePhase.ContractClosure), ByList, Node, T0);
        Assert.Equal(FailureReason.AllCandidatesDeclined, Assert.IsType<SearchRetryScheduled>(last[^1]).Reason);
    }

    [Fact]
    public void A_pull_job_without_time_for_another_search_fails_and_says_so()
    {
        // The next search would start exactly at the deadline: too late.
        var job = Searching() with { Deadline = T0.AddSeconds(1) };
        var failed = Assert.IsType<JobFailed>(JobDecisions.CompleteSearch(job, [], [Decline("cp-a", DeclineReason.InsufficientCpu, "small")], [], Node, T0)[^1]);
        Assert.Equal("no provider was eligible: 3 considered, ruled out by insufficient-cpu (1) " +
                     "(after 1 search(es); no time for another before the deadline 2026-11-27T12:00:01.0000000+00:00)", failed.Message);
        var justInTime = Searching() with { Deadline = T0.AddSeconds(1).AddTicks(1) };
        Assert.IsType<SearchRetryScheduled>(JobDecisions.CompleteSearch(justInTime, [], [], [], Node, T0)[^1]);
    }

    [Fact]
    public void A_push_job_whose_providers_all_dropped_out_fails_at_once()
    {
        var job = Complete(Searching(JobOf() with { OrchestrationType = OrchestrationType.Push, TargetProviders = ["cp-a"] },
            choice: new CandidateChoice(["cp-a"], 1, new Dictionary<string, int>())), [BidFrom("cp-a", 1m, locked: true)]);
        var last = JobDecisions.OnContractAnswer(job, Decline("cp-a", DeclineReason.LeaseExpired, "expired", ExchangePhase.ContractClosure), ByList, Node, T0);
        Assert.Equal(new JobFailed("job-1", FailureReason.AllCandidatesDeclined,
            "all 1 eligible provider(s) dropped out: cp-a declined at contract-closure (lease-expired: expired)", T0), last[^1]);
    }

    [Fact]
    public void Candidates_gone_without_a_word_read_as_none_answered()
    {
        var job = Complete(Searching(), [BidFrom("cp-a", 1m)]) with { Dropped = ["cp-a"], OrchestrationType = OrchestrationType.Push };
        Assert.Equal("all 1 eligible provider(s) dropped out: none answered", Assert.IsType<JobFailed>(JobDecisions.NextCandidate(job, Node, T0)).Message);
    }

    [Fact]
    public void A_verification_failure_beside_another_decline_is_not_a_verification_failure_of_all()
    {
        var job = Complete(Searching(), [BidFrom("cp-a", 1m, locked: true), BidFrom("cp-b", 2m, locked: true)]);
        job = job.Apply(JobDecisions.VerifyProvider(job, ByList, Node, T0));
        var last = JobDecisions.OnContractAnswer(job, Decline("cp-b", DeclineReason.LeaseExpired, "late", ExchangePhase.ContractClosure), ByList, Node, T0);
        Assert.Equal(FailureReason.AllCandidatesDeclined, Assert.IsType<SearchRetryScheduled>(last[^1]).Reason);
    }

    [Fact]
    public void A_bid_the_explanation_does_not_rank_is_shortlisted_without_a_score()
    {
        var job = Complete(Searching(), [BidFrom("cp-a", 1m)]);
        var unranked = job with { Explanation = job.Explanation! with { Ranking = [] } };
        Assert.Equal("shortlisted cp-a (rank 1 of 1 by score, 1/h × 60 min = 1)", Assert.IsType<ProviderShortlisted>(JobDecisions.NextCandidate(unranked, Node, T0)).Note);
    }

    [Fact]
    public void With_an_authority_a_contract_closes_holding_both_signatures_and_without_one_it_holds_none()
    {
        using var authority = KeyPair.Create();
        using var node = KeyPair.Create();
        using var provider = KeyPair.Create();
        var store = new TrustStore([authority.PublicKey]);
        var nodeCredential = Credential.Issue(authority, node.PublicKey, [ParticipantRole.ServiceProvider], ["sp-test"], T0.AddDays(-1), T0.AddDays(1));
        var providerCredential = Credential.Issue(authority, provider.PublicKey, [ParticipantRole.ComputeProvider], ["cp-a"], T0.AddDays(-1), T0.AddDays(1));
        var signed = ParticipantTrust.Signed(node, nodeCredential, store);

        var job = Complete(Searching(), [BidFrom("cp-a", 1m, locked: true)]);
        var terms = JobDecisions.ProposeContract(job, Node, T0);
        var providerProof = Signing.Sign(provider, providerCredential, Signing.ContractBytes(terms));
        var closed = Assert.IsType<ContractClosed>(Assert.Single(JobDecisions.OnContractAnswer(job, new ContractSigned(terms, providerProof), signed, Node, T0)));
        Assert.Equal(terms, closed.Contract);
        Assert.Same(providerProof, closed.Signatures!.Provider);
        Assert.True(Signing.Verify(store, closed.Signatures.Requester, ParticipantRole.ServiceProvider, "sp-test", Signing.ContractBytes(terms), T0).IsTrusted);

        var unsigned = Assert.IsType<ContractClosed>(Assert.Single(JobDecisions.OnContractAnswer(job, new ContractSigned(terms), ByList, Node, T0)));
        Assert.Null(unsigned.Signatures);
    }
}
