using Orchestrator.Protocol.Messages;
using Orchestrator.Protocol.Model;
using Xunit.Abstractions;
using static Orchestrator.Tests.Fixtures;

namespace Orchestrator.Tests.Actors;

public class CancelTests(ITestOutputHelper output) : ActorTestBase(output)
{
    [Fact]
    public void A_job_cancelled_while_searching_fails_as_cancelled_and_leaves_no_lock()
    {
        // One provider locks with its bid at once; the other never answers, so the search is still open.
        var settings = Settings(search: TimeSpan.FromSeconds(30));
        var eager = RealProvider(Provider("cp-eager", lockOnBid: true), settings);
        var silent = ProbeProvider("cp-silent");
        var job = PostJob("job-cancelled", settings, Approve(settings, "cp-eager", "cp-silent"));
        silent.ExpectMsg<BidRequest>();
        AwaitAssert(() => Assert.Single(StatusOfProvider(eager).Locks));

        job.Tell(new CancelJob("job-cancelled", "the user changed their mind"), TestActor);
        ExpectMsg<JobCancelled>();

        var status = StatusOf(job);
        Assert.Equal(JobState.Failed, status.State);
        Assert.Equal(FailureReason.Cancelled, status.Failure!.Reason);
        Assert.Contains("the user changed their mind", status.Failure.Message);
        AwaitAssert(() => Assert.Empty(StatusOfProvider(eager).Locks));
        silent.ExpectMsg<ReleaseLock>();
    }

    [Fact]
    public void Cancelling_a_terminal_job_changes_nothing_and_says_why()
    {
        var settings = Settings();
        RealProvider(Provider("cp-a"), settings);
        var job = PostJob("job-done", settings, Approve(settings, "cp-a"));
        AwaitState(job, JobState.Contracted);

        job.Tell(new CancelJob("job-done", "too late"), TestActor);
        var refused = ExpectMsg<JobNotCancellable>();
        Assert.Equal(JobState.Contracted, refused.State);
        Assert.Equal(JobState.Contracted, StatusOf(job).State);

        var unknown = StartJob("job-never-posted", settings, Approve(settings));
        unknown.Tell(new CancelJob("job-never-posted", "no such job"), TestActor);
        ExpectMsg<JobNotFound>();
    }
}
