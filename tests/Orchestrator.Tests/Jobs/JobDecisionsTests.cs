using Orchestrator.Configuration;
using Orchestrator.Jobs;
using Orchestrator.Matching;
using Orchestrator.Protocol.Events;
using Orchestrator.Protocol.Messages;
using Orchestrator.Protocol.Model;
using Orchestrator.Trust;
using static Orchestrator.Tests.Fixtures;

namespace Orchestrator.Tests.Jobs;

public class JobDecisionsTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);
    private readonly OrchestratorSettings _settings = Settings();

    // Approval by list (no authority): the contract's parties were checked before it was proposed.
    private static readonly ParticipantTrust Unsigned = ParticipantTrust.ByList(new ApprovalPolicy([]));

    private Job Posted(string id = "job-1", JobRequirements? needs = null)
    {
        var accept = Assert.IsType<PostDecision.Accept>(JobDecisions.Post(Job.New(id), new PostJob(id, Fixtures.JobOf(needs), "user"), _settings, T0));
        return Job.New(id).Apply(accept.Event).Apply(JobDecisions.StartSearch(Job.New(id), new CandidateChoice(["cp-a", "cp-b", "cp-c"], 3, new Dictionary<string, int>()), T0));
    }

    [Fact]
    public void Posting_records_metadata_and_the_default_orchestration_type()
    {
        var accept = Assert.IsType<PostDecision.Accept>(
            JobDecisions.Post(Job.New("job-1"), new PostJob("job-1", Fixtures.JobOf(), "user-7"), _settings, T0));
        Assert.Equal(OrchestrationType.Pull, accept.Event.OrchestrationType);
        Assert.Equal("user-7", accept.Event.Requester);
        Assert.Equal(T0 + _settings.JobDeadline, accept.Event.Deadline);
        Assert.Equal("job-1", accept.Event.Description.JobId);
    }

    [Fact]
    public void Reposting_the_same_description_is_idempotent_and_a_different_one_conflicts()
    {
        var job = Posted();
        Assert.IsType<PostDecision.AlreadyPosted>(JobDecisions.Post(job, new PostJob("job-1", Fixtures.JobOf(), "other"), _settings, T0));
        Assert.IsType<PostDecision.Conflict>(JobDecisions.Post(job, new PostJob("job-1", Fixtures.JobOf(Needs(cpu: 3)), "user"), _settings, T0));
    }

    [Fact]
    public void An_invalid_description_is_rejected_with_the_field_named()
    {
        var reject = Assert.IsType<PostDecision.Reject>(
            JobDecisions.Post(Job.New("job-1"), new PostJob("job-1", Fixtures.JobOf(Needs(cpu: 0)), "user"), _settings, T0));
        Assert.Contains("requirements.resources.cpuCores", reject.Errors.Keys);
    }

    [Fact]
    public void A_search_without_bids_near_the_deadline_fails_with_no_eligible_provider_and_keeps_every_decline()
    {
        var job = Posted() with { Deadline = T0.AddMilliseconds(500) };
        var declines = new[] { "cp-a", "cp-b" }.Select(p =>
            new DeclineMessage("job-1", p, ExchangePhase.Bid, DeclineReason.InsufficientCpu, "too small")).ToArray();
        var timeout = new TimeoutResponse("job-1", "cp-c", ExchangePhase.Bid, TimeSpan.FromSeconds(5));
        var events = JobDecisions.CompleteSearch(job, [], declines, [timeout], _settings, T0);
        var failed = Assert.IsType<JobFailed>(events[^1]);
        Assert.Equal(FailureReason.NoEligibleProvider, failed.Reason);
        Assert.Equal("no provider was eligible: 3 considered, ruled out by insufficient-cpu (2); 1 did not answer in time (after 1 search(es); no time for another before the deadline 2026-11-27T12:00:00.5000000+00:00)", failed.Message);
        var after = job.Apply(events);
        Assert.Equal(JobState.Failed, after.State);
        Assert.Equal(2, after.Declines.Count);
        Assert.Single(after.Timeouts);
    }

    [Fact]
    public void The_cheapest_bid_is_shortlisted_and_a_decline_moves_to_the_next()
    {
        var job = Posted();
        job = job.Apply(JobDecisions.CompleteSearch(job, [BidFrom("cp-b", 2m), BidFrom("cp-a", 1m)], [], [], _settings, T0));
        Assert.Equal(JobState.Matched, job.State);
        Assert.Equal("cp-a", job.Selected!.ProviderId);

        job = job.Apply(new JobRequestSent("job-1", "cp-a", T0));
        var decline = new DeclineMessage("job-1", "cp-a", ExchangePhase.JobRequest, DeclineReason.InsufficientCpu, "taken");
        job = job.Apply(JobDecisions.OnJobRequestAnswer(job, decline, _settings, T0));
        Assert.Equal(JobState.Matched, job.State);
        Assert.Equal("cp-b", job.Selected!.ProviderId);
        Assert.Contains(job.Declines, d => d.ProviderId == "cp-a" && d.Phase == ExchangePhase.JobRequest);
    }

    [Fact]
    public void When_every_eligible_provider_drops_out_near_the_deadline_the_job_fails_with_all_candidates_declined()
    {
        var job = Posted() with { Deadline = T0.AddMilliseconds(500) };
        job = job.Apply(JobDecisions.CompleteSearch(job, [BidFrom("cp-a", 1m)], [], [], _settings, T0));
        job = job.Apply(new JobRequestSent("job-1", "cp-a", T0));
        job = job.Apply(JobDecisions.OnJobRequestAnswer(job, new TimeoutResponse("job-1", "cp-a", ExchangePhase.JobRequest, TimeSpan.FromSeconds(5)), _settings, T0));
        Assert.Equal(JobState.Failed, job.State);
        Assert.Equal(FailureReason.AllCandidatesDeclined, job.Failure!.Reason);
        Assert.Contains("cp-a timed out at job-request", job.Failure.Message);
    }

    [Fact]
    public void An_unapproved_provider_fails_verification_and_the_job_fails_when_none_is_left()
    {
        var job = Posted();
        job = job.Apply(JobDecisions.CompleteSearch(job, [BidFrom("cp-a", 1m, locked: true), BidFrom("cp-b", 2m, locked: true)], [], [], _settings, T0));
        var approval = ParticipantTrust.ByList(new ApprovalPolicy(["cp-b"]));
        job = job.Apply(JobDecisions.VerifyProvider(job, approval, _settings, T0));
        Assert.Equal("cp-b", job.Selected!.ProviderId);
        Assert.Empty(JobDecisions.VerifyProvider(job, approval, _settings, T0));

        job = job.Apply(JobDecisions.OnContractAnswer(job, new DeclineMessage("job-1", "cp-b", ExchangePhase.ContractClosure,
            DeclineReason.VerificationFailed, "service provider 'sp' is not approved"), approval, _settings, T0));
        Assert.Equal(FailureReason.VerificationFailed, job.Failure!.Reason);
    }

    [Fact]
    public void A_signed_contract_closes_the_job_and_the_deadline_then_changes_nothing()
    {
        var job = Posted(needs: Needs() with { DurationMinutes = 30 });
        job = job.Apply(JobDecisions.CompleteSearch(job, [BidFrom("cp-a", 1m, locked: true)], [], [], _settings, T0));
        var contract = JobDecisions.ProposeContract(job, _settings, T0);
        Assert.Equal(T0.AddMinutes(30), contract.EndsAt);
        Assert.Equal("sp-test", contract.RequesterNodeId);
        job = job.Apply(JobDecisions.OnContractAnswer(job, new ContractSigned(contract), Unsigned, _settings, T0));
        Assert.Equal(JobState.Contracted, job.State);
        Assert.Empty(JobDecisions.DeadlinePassed(job, T0.AddHours(1)));
    }

    [Fact]
    public void A_job_past_its_deadline_fails_with_the_reason()
    {
        var failed = Assert.IsType<JobFailed>(Assert.Single(JobDecisions.DeadlinePassed(Posted(), T0.AddHours(1))));
        Assert.Equal(FailureReason.DeadlinePassed, failed.Reason);
    }

    [Fact]
    public void History_records_each_state_in_order()
    {
        var job = Posted();
        job = job.Apply(JobDecisions.CompleteSearch(job, [BidFrom("cp-a", 1m)], [], [], _settings, T0));
        job = job.Apply(new JobRequestSent("job-1", "cp-a", T0));
        job = job.Apply(JobDecisions.OnJobRequestAnswer(job, BidFrom("cp-a", 1m, locked: true), _settings, T0));
        job = job.Apply(JobDecisions.OnContractAnswer(job, new ContractSigned(JobDecisions.ProposeContract(job, _settings, T0)), Unsigned, _settings, T0));
        Assert.Equal([JobState.Posted, JobState.Searching, JobState.Matched, JobState.Requested, JobState.Contracted],
            job.History.Select(h => h.State));
    }

    [Fact]
    public void A_pull_job_that_finds_nothing_waits_and_searches_again_with_doubling_backoff_until_its_deadline()
    {
        var job = Posted();
        var decline = new DeclineMessage("job-1", "cp-a", ExchangePhase.Bid, DeclineReason.InsufficientCpu, "too small");
        var retry = Assert.IsType<SearchRetryScheduled>(JobDecisions.CompleteSearch(job, [], [decline], [], _settings, T0)[^1]);
        Assert.Equal((2, T0 + _settings.SearchRetryMinBackoff, FailureReason.NoEligibleProvider), (retry.Attempt, retry.RetryAt, retry.Reason));

        job = job.Apply(JobDecisions.CompleteSearch(job, [], [decline], [], _settings, T0));
        Assert.Equal(JobState.Searching, job.State);
        Assert.NotNull(job.Waiting);
        Assert.Equal(TimeSpan.FromSeconds(4), JobDecisions.Backoff(3, _settings));
        Assert.Equal(_settings.SearchRetryMaxBackoff, JobDecisions.Backoff(30, _settings));

        // At the deadline the job fails with what its last search found, not a bare "deadline passed".
        var failed = Assert.IsType<JobFailed>(Assert.Single(JobDecisions.DeadlinePassed(job, T0.AddHours(1))));
        Assert.Equal(FailureReason.NoEligibleProvider, failed.Reason);
        Assert.Contains("still so after 1 search(es)", failed.Message);
    }

    [Fact]
    public void A_push_job_does_not_wait_it_fails_at_once_with_the_reason()
    {
        var description = JobOf() with { OrchestrationType = OrchestrationType.Push, TargetProviders = ["cp-a"] };
        var accept = Assert.IsType<PostDecision.Accept>(JobDecisions.Post(Job.New("job-p"), new PostJob("job-p", description, "u"), _settings, T0));
        var job = Job.New("job-p").Apply(accept.Event);
        job = job.Apply(JobDecisions.StartSearch(job, new CandidateChoice(["cp-a"], 1, new Dictionary<string, int>()), T0));
        var events = JobDecisions.CompleteSearch(job, [], [new DeclineMessage("job-p", "cp-a", ExchangePhase.Bid, DeclineReason.InsufficientCpu, "no")], [], _settings, T0);
        Assert.Equal(FailureReason.NoEligibleProvider, Assert.IsType<JobFailed>(events[^1]).Reason);
    }

    [Fact]
    public void Built_in_preferences_are_added_unless_the_job_states_them()
    {
        Assert.Equal(["lower price", "spare capacity"],
            JobDecisions.EffectivePreferences([], _settings).Select(PreferenceScoring.Describe));
        var own = new Preference { Weight = 90, LowerPrice = true };
        var effective = JobDecisions.EffectivePreferences([own], _settings);
        Assert.Equal(90, Assert.Single(effective, p => p.LowerPrice == true).Weight);
    }

    [Fact]
    public void A_shortlisting_is_written_with_its_job_request_unless_the_bid_already_locked()
    {
        var job = Posted();
        var decided = JobDecisions.CompleteSearch(job, [BidFrom("cp-a", 1m)], [], [], _settings, T0);
        var written = JobDecisions.WithFollowUps(job, decided, T0);
        Assert.Equal([typeof(SearchCompleted), typeof(ProviderShortlisted), typeof(JobRequestSent)], written.Select(e => e.GetType()));
        Assert.Equal("cp-a", Assert.IsType<JobRequestSent>(written[^1]).ProviderId);
        Assert.Equal(JobState.Requested, job.Apply(written).State);

        var locked = JobDecisions.CompleteSearch(job, [BidFrom("cp-a", 1m, locked: true)], [], [], _settings, T0);
        Assert.Equal(locked, JobDecisions.WithFollowUps(job, locked, T0));

        var nothing = JobDecisions.CompleteSearch(job, [], [], [], _settings, T0.AddMinutes(10));
        Assert.Equal(nothing, JobDecisions.WithFollowUps(job, nothing, T0.AddMinutes(10)));
    }
}
