using Akka.Actor;
using Akka.Configuration;
using Akka.TestKit;
using Orchestrator.Configuration;
using Orchestrator.Protocol.Messages;
using Orchestrator.Protocol.Model;
using Orchestrator.Providers;
using Xunit.Abstractions;
using static Orchestrator.Tests.Fixtures;

namespace Orchestrator.Tests.Actors;

/// <summary>
/// The job's timers on a clock the test moves (Akka.TestKit's <see cref="TestScheduler"/>, which is what the job, its
/// providers and their allocations read the time from): a search timeout, a deadline, the pauses between searches fire
/// when the test moves the clock past them, and not a moment before — however slow the machine, a timeout cannot fire
/// before the provider it waits for has answered, and no test sleeps through one.
/// </summary>
public sealed class JobClockTests(ITestOutputHelper output) : ActorTestBase(output, ManualClock)
{
    private static readonly Config ManualClock = ConfigurationFactory.ParseString("""akka.scheduler.implementation = "Akka.TestKit.TestScheduler, Akka.TestKit" """);

    private readonly string _runs = System.IO.Directory.CreateTempSubdirectory("orchestrator-clock-test-").FullName;

    private TestScheduler Clock => (TestScheduler)Sys.Scheduler;

    /// <summary>
    /// The job's status once <paramref name="holds"/> holds, waiting for the actors' work but not moving the clock (what
    /// is due now is done: timers due at this instant fire).
    /// </summary>
    private JobStatus AwaitStatus(IActorRef job, Func<JobStatus, bool> holds, string what)
    {
        JobStatus status = null!;
        AwaitAssert(() =>
        {
            Clock.Advance(TimeSpan.Zero);
            status = StatusOf(job);
            Assert.True(holds(status), $"{what}: {status.State}, {status.History[^1].Note}");
        }, TimeSpan.FromSeconds(15), TimeSpan.FromMilliseconds(20));
        return status;
    }

    [Fact]
    public void A_silent_provider_times_out_at_the_search_timeout_not_before_and_the_job_proceeds_without_it()
    {
        var settings = Settings(search: TimeSpan.FromSeconds(4));
        var silent = ProbeProvider("cp-silent");
        RealProvider(Provider("cp-real", price: 2m), settings);
        var job = PostJob("job-timeout", settings, Approve(settings, "cp-real"));
        silent.ExpectMsg<BidRequest>(r => Assert.Equal("job-timeout", r.JobId));
        AwaitStatus(job, s => s.AwaitingBids?.Providers is ["cp-silent"], "waiting for cp-silent alone");

        Clock.Advance(TimeSpan.FromSeconds(4) - TimeSpan.FromMilliseconds(1));
        Assert.Equal(["cp-silent"], StatusOf(job).AwaitingBids!.Providers);
        Clock.Advance(TimeSpan.FromMilliseconds(1));

        var status = AwaitStatus(job, s => s.State == JobState.Contracted, "contracted");
        var timeout = Assert.Single(status.Timeouts);
        Assert.Equal(("cp-silent", ExchangePhase.Bid, TimeSpan.FromSeconds(4)), (timeout.ProviderId, timeout.Phase, timeout.After));
        Assert.Equal("cp-real", status.Contract!.ProviderId);
    }

    [Fact]
    public void A_job_in_a_search_round_says_whom_it_waits_for_and_until_when_then_names_each_provider_s_outcome()
    {
        var settings = Settings(search: TimeSpan.FromSeconds(6));
        var silent = ProbeProvider("cp-silent");
        RealProvider(Provider("cp-real", price: 2m), settings);
        RealProvider(Provider("cp-small", cpu: 1), settings);
        var posted = Clock.Now;
        var job = PostJob("job-waiting", settings, Approve(settings, "cp-real", "cp-silent", "cp-small"));
        silent.ExpectMsg<BidRequest>();

        var waiting = AwaitStatus(job, s => s.AwaitingBids?.Providers is ["cp-silent"], "waiting for cp-silent alone");
        // The clock has not moved since the post: the round waits exactly the search timeout.
        Assert.Equal(posted + TimeSpan.FromSeconds(6), waiting.AwaitingBids!.Until);

        Clock.Advance(TimeSpan.FromSeconds(6));
        var done = AwaitStatus(job, s => s.State == JobState.Contracted, "contracted");
        Assert.Null(done.AwaitingBids);
        Assert.Equal(
        [
            new ProviderVerdict("cp-real", "eligible"),
            new ProviderVerdict("cp-silent", "timed-out", null, "no answer within 6 s"),
        ], done.Providers.Where(v => v.ProviderId != "cp-small"));
        var small = Assert.Single(done.Providers, v => v.ProviderId == "cp-small");
        Assert.Equal(("ruled-out", "insufficient-cpu"), (small.Outcome, small.Reason));
        Assert.Contains("cpu", small.Detail!, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void A_job_that_cannot_finish_by_its_deadline_fails_at_the_deadline_and_releases_what_it_held()
    {
        var settings = Settings(request: TimeSpan.FromMinutes(5), deadline: TimeSpan.FromSeconds(8));
        var stuck = ProbeProvider("cp-stuck");
        var posted = Clock.Now;
        var job = PostJob("job-deadline", settings, Approve(settings, "cp-stuck"));
        stuck.ExpectMsg<BidRequest>();
        Clock.Advance(TimeSpan.FromSeconds(1));
        stuck.Reply(BidFrom("cp-stuck", 1m, job: "job-deadline"));
        stuck.ExpectMsg<JobRequest>();

        // The job request stays unanswered; a moment before the deadline the job still waits for it.
        Clock.AdvanceTo(posted + TimeSpan.FromSeconds(8) - TimeSpan.FromMilliseconds(1));
        Assert.Equal(JobState.Requested, StatusOf(job).State);
        Clock.Advance(TimeSpan.FromMilliseconds(1));

        var status = AwaitStatus(job, s => s.State == JobState.Failed, "failed");
        Assert.Equal(FailureReason.DeadlinePassed, status.Failure!.Reason);
        Assert.Equal(posted + TimeSpan.FromSeconds(8), status.History[^1].At);
        stuck.ExpectMsg<ReleaseLock>();
    }

    [Fact]
    public void A_failed_run_with_no_other_provider_to_try_searches_again_while_a_search_fits_before_its_deadline_then_fails_with_what_it_found()
    {
        var settings = Settings(deadline: TimeSpan.FromSeconds(20)) with
        {
            ExecutionDirectory = _runs,
            ExecutionHeartbeat = TimeSpan.FromMilliseconds(200),
            ExecutionLostAfter = TimeSpan.FromSeconds(2),
            DefaultRestart = new RestartPolicy(RestartMode.OnFailure, 3),
        };
        var only = RealProvider(Provider("cp-only", executors: [ExecutorType.Simulated]), settings);
        Directory.Tell(ListProviders.Instance, TestActor);
        ExpectMsg<KnownProviders>();
        var job = StartJob("job-no-second", settings, Approve(settings, "cp-only"));
        job.Tell(new PostJob("job-no-second", JobOf() with { Execution = new JobExecution { Executor = ExecutorType.Simulated, Args = ["exit=1"] } }, "test"), TestActor);
        Assert.True(ExpectMsg<JobAccepted>().Created);

        // The run ends (exit 1) and is to be tried again, with cp-only excluded: the search finds nobody.
        var retrying = AwaitStatus(job, s => s.Runs is [{ Outcome: not null }] && s.State is JobState.Searching or JobState.Posted, "searching again after its run");
        Assert.Equal(1, retrying.Runs[0].Outcome!.ExitCode);

        // It searches again after each pause (doubling from 1 s) while another search fits before its deadline (a fresh
        // one, 20 s from the retry); after the fifth the next would not, so it fails then, with what its searches found,
        // not at the deadline.
        var deadline = retrying.Deadline;
        JobStatus failed;
        do
        {
            Clock.Advance(TimeSpan.FromMilliseconds(250));
            Assert.True(Clock.Now <= deadline, $"not ended by its deadline: {StatusOf(job).History[^1].Note}");
            failed = AwaitStatus(job, s => s.State is JobState.Searching or JobState.Failed, "searching or failed");
        } while (failed.State != JobState.Failed);

        Assert.True(failed.History[^1].At < deadline, $"failed at {failed.History[^1].At:O}, its deadline {deadline:O}");
        Assert.Single(failed.Runs);
        // The provider that failed it is never asked again: the job's searches find nobody, and it fails with what they found.
        Assert.Equal(FailureReason.NoEligibleProvider, failed.Failure!.Reason);
        Assert.Contains("after 5 search(es)", failed.Failure.Message);
        AwaitAssert(() =>
        {
            Clock.Advance(TimeSpan.Zero);
            var provider = StatusOfProvider(only);
            Assert.Empty(provider.Contracts);
            Assert.Empty(provider.Locks);
        }, TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(50));
    }

    protected override void AfterAll()
    {
        base.AfterAll();
        try
        {
            System.IO.Directory.Delete(_runs, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
