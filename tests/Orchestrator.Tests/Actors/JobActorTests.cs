using Akka.Actor;
using Orchestrator.Configuration;
using Orchestrator.Protocol.Messages;
using Orchestrator.Protocol.Model;
using Orchestrator.Providers;
using Orchestrator.Trust;
using Xunit.Abstractions;
using static Orchestrator.Tests.Fixtures;

namespace Orchestrator.Tests.Actors;

public class JobActorTests(ITestOutputHelper output) : ActorTestBase(output)
{
    [Fact]
    public void A_subscriber_named_with_the_post_is_told_every_state_from_Posted_to_Contracted_in_order()
    {
        var settings = Settings();
        RealProvider(Provider("cp-a", price: 1m), settings);
        Directory.Tell(ListProviders.Instance, TestActor);
        ExpectMsg<KnownProviders>();
        var follower = CreateTestProbe();
        var job = StartJob("job-followed", settings, Approve(settings, "cp-a"));
        job.Tell(new PostJob("job-followed", JobOf(null), "test", follower), TestActor);
        Assert.True(ExpectMsg<JobAccepted>().Created);

        var states = new List<JobState>();
        JobStateChanged change;
        do
        {
            change = follower.ExpectMsg<JobStateChanged>(TimeSpan.FromSeconds(15));
            states.Add(change.State);
        } while (change.State is not (JobState.Contracted or JobState.Failed));

        Assert.Equal([JobState.Posted, JobState.Searching, JobState.Matched, JobState.Requested, JobState.Contracted], states);
        Assert.Equal("cp-a", change.Contract!.ProviderId);

        // Posting the same job again with another subscriber: it is told where the job is now, and nothing twice.
        var late = CreateTestProbe();
        job.Tell(new PostJob("job-followed", JobOf(null), "test", late), TestActor);
        Assert.False(ExpectMsg<JobAccepted>().Created);
        Assert.Equal(JobState.Contracted, late.ExpectMsg<JobStateChanged>().State);
        follower.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
    }

    [Fact]
    public void A_search_whose_providers_all_answered_does_not_wait_for_the_timeout()
    {
        // A search timeout far longer than the assertion window: reaching Contracted inside the window is only
        // possible if the search ended on the last answer.
        var settings = Settings(search: TimeSpan.FromMinutes(10), deadline: TimeSpan.FromMinutes(20));
        RealProvider(Provider("cp-a", price: 1m), settings);
        RealProvider(Provider("cp-b", cpu: 1), settings);
        RealProvider(Provider("cp-c", price: 3m), settings);

        var job = PostJob("job-fast", settings, Approve(settings, "cp-a", "cp-b", "cp-c"));
        var status = AwaitState(job, JobState.Contracted, TimeSpan.FromSeconds(20));
        Assert.Empty(status.Timeouts);
        Assert.Equal("cp-a", status.Contract!.ProviderId);
        Assert.Equal(["cp-a", "cp-c"], status.CandidateProviders);
        Assert.Equal(2, status.Explanation!.Eligible);
        // cp-b could never run the job, so the directory's pre-filter did not ask it.
        Assert.Equal(1, status.Explanation.FilteredOut["insufficient-cpu"]);
    }

    [Fact]
    public void A_declined_job_request_moves_the_job_to_the_next_candidate_and_releases_the_first()
    {
        var settings = Settings();
        var fickle = ProbeProvider("cp-fickle");
        RealProvider(Provider("cp-steady", price: 5m), settings);
        var job = PostJob("job-decline", settings, Approve(settings, "cp-fickle", "cp-steady"));

        BidThenAwaitJobRequest(fickle, "cp-fickle", 0.1m, "job-decline");
        fickle.Reply(new DeclineMessage("job-decline", "cp-fickle", ExchangePhase.JobRequest, DeclineReason.InsufficientCpu, "gone"));
        fickle.ExpectMsg<ReleaseLock>(r => Assert.Equal("job-decline", r.JobId));

        var status = AwaitState(job, JobState.Contracted);
        Assert.Equal("cp-steady", status.Contract!.ProviderId);
        Assert.Contains(status.Declines, d => d.ProviderId == "cp-fickle" && d.Phase == ExchangePhase.JobRequest);
        Assert.Equal(
            [JobState.Posted, JobState.Searching, JobState.Matched, JobState.Requested, JobState.Matched, JobState.Requested, JobState.Contracted],
            status.History.Select(h => h.State));
    }

    [Fact]
    public void An_unanswered_job_request_is_a_timeout_response_and_the_job_moves_on()
    {
        var settings = Settings(request: TimeSpan.FromMilliseconds(500));
        var mute = ProbeProvider("cp-mute");
        RealProvider(Provider("cp-steady", price: 5m), settings);
        var job = PostJob("job-request-timeout", settings, Approve(settings, "cp-mute", "cp-steady"));

        BidThenAwaitJobRequest(mute, "cp-mute", 0.1m, "job-request-timeout");

        var status = AwaitState(job, JobState.Contracted);
        Assert.Contains(status.Timeouts, t => t.ProviderId == "cp-mute" && t.Phase == ExchangePhase.JobRequest);
        Assert.Equal("cp-steady", status.Contract!.ProviderId);
        mute.ExpectMsg<ReleaseLock>();
    }

    [Fact]
    public void A_provider_that_does_not_approve_the_requester_declines_the_contract()
    {
        var settings = Settings();
        var provider = RealProvider(Provider("cp-strict"), settings, ParticipantTrust.ByList(new ApprovalPolicy(["cp-strict"])));
        var job = PostJob("job-unapproved-sp", settings, Approve(settings, "cp-strict"));

        var status = AwaitState(job, JobState.Failed);
        Assert.Equal(FailureReason.VerificationFailed, status.Failure!.Reason);
        var decline = Assert.Single(status.Declines);
        Assert.Equal((ExchangePhase.ContractClosure, DeclineReason.VerificationFailed), (decline.Phase, decline.Reason));
        AwaitAssert(() => Assert.Empty(StatusOfProvider(provider).Locks));
    }

    [Fact]
    public void A_restarted_job_resumes_from_its_journal_and_re_asks_idempotently()
    {
        var settings = Settings(request: TimeSpan.FromMinutes(5));
        var slow = ProbeProvider("cp-slow");
        var job = PostJob("job-resume", settings, Approve(settings, "cp-slow"));
        BidThenAwaitJobRequest(slow, "cp-slow", 1m, "job-resume");

        Watch(job);
        Sys.Stop(job);
        ExpectTerminated(job);

        var resumed = StartJob("job-resume", settings, Approve(settings, "cp-slow"));
        var request = slow.ExpectMsg<JobRequest>();
        Assert.Equal("job-resume", request.JobId);
        slow.Reply(BidFrom("cp-slow", 1m, locked: true, job: "job-resume"));
        var proposal = slow.ExpectMsg<ContractProposal>();
        slow.Reply(new ContractSigned(proposal.Contract));

        var status = AwaitState(resumed, JobState.Contracted);
        Assert.Equal("job-resume@cp-slow", status.Contract!.ContractId);
    }

    [Fact]
    public void An_unknown_job_answers_not_found()
    {
        var settings = Settings();
        var job = StartJob("job-never-posted", settings, Approve(settings));
        job.Tell(new GetJob("job-never-posted"));
        ExpectMsg<JobNotFound>();
    }
}

public class BoundedSearchActorTests(Xunit.Abstractions.ITestOutputHelper output) : ActorTestBase(output)
{
    [Fact]
    public void A_search_among_many_eligible_providers_sends_exactly_max_bid_requests()
    {
        var settings = Fixtures.Settings(search: TimeSpan.FromMilliseconds(500), deadline: TimeSpan.FromSeconds(3)) with { MaxBidRequests = 5 };
        // One probe stands in for 200 providers, so every bid request the job sends arrives in one place to be counted.
        var everyone = CreateTestProbe("everyone");
        for (var i = 0; i < 200; i++)
            Directory.Tell(new Orchestrator.Providers.RegisterProvider(Fixtures.Provider($"cp-{i:D3}"), everyone.Ref));

        PostJob("job-bounded", settings, Approve(settings));
        var asked = Enumerable.Range(0, 5).Select(_ => everyone.ExpectMsg<BidRequest>().ProviderId).ToArray();
        Assert.Equal(5, asked.Distinct().Count());
        everyone.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
    }
}
