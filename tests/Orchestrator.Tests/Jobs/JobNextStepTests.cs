using Orchestrator.Providers;
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
/// <see cref="JobDecisions.Next"/>, the job actor's only choice of what to do: every state a job can be in, against
/// the runtime flags that matter in it. Each row names the state, the runtime (V: has a view, F: the view is fresh,
/// A: the directory was asked, C: collecting bids, X: an exchange awaits its answer) and the step.
/// </summary>
public class JobNextStepTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);
    private static readonly OrchestratorSettings Settings = Fixtures.Settings();
    private static readonly ParticipantTrust Unsigned = ParticipantTrust.ByList(new ApprovalPolicy([]));

    private static Job Posted()
    {
        var accept = Assert.IsType<PostDecision.Accept>(JobDecisions.Post(Job.New("job-1"), new PostJob("job-1", JobOf(), "user"), Settings, T0));
        return Job.New("job-1").Apply(accept.Event);
    }

    private static Job Searching() =>
        Posted().Apply(JobDecisions.StartSearch(Posted(), new CandidateChoice(["cp-a", "cp-b"], 2, new Dictionary<string, int>()), T0));

    private static Job Matched(bool locked)
    {
        var job = Searching();
        return job.Apply(JobDecisions.CompleteSearch(job, [BidFrom("cp-a", 1m, locked: locked), BidFrom("cp-b", 2m, locked: locked)], [], [], Settings, T0));
    }

    private static Job Requested(bool lockConfirmed)
    {
        var job = Matched(locked: false);
        job = job.Apply(new JobRequestSent("job-1", "cp-a", T0));
        return lockConfirmed ? job.Apply(new ResourcesConfirmed("job-1", BidFrom("cp-a", 1m, locked: true), T0)) : job;
    }

    private static Job WaitingToSearch(TimeSpan retryIn) =>
        Searching().Apply(new SearchRetryScheduled("job-1", 1, T0 + retryIn, FailureReason.NoEligibleProvider, "none now", T0));

    private static Job InState(string state) => state switch
    {
        "none" => Job.New("job-1"),
        "posted" => Posted(),
        "searching" => Searching(),
        "waiting (retry due)" => WaitingToSearch(TimeSpan.Zero),
        "matched" => Matched(locked: false),
        "matched, locked with the bid" => Matched(locked: true),
        "requested" => Requested(lockConfirmed: false),
        "requested, lock confirmed" => Requested(lockConfirmed: true),
        "contracted" => Contracted(),
        "failed" => Posted().Apply(JobDecisions.Cancel(Posted(), "no", T0)),
        _ => throw new ArgumentException(state),
    };

    private static Job Contracted()
    {
        var job = Requested(lockConfirmed: true);
        return job.Apply(JobDecisions.OnContractAnswer(job, new ContractSigned(JobDecisions.ProposeContract(job, Settings, T0)), Unsigned, Settings, T0));
    }

    private static JobRuntime Runtime(string flags) => Runtime(flags.Contains('V'), flags.Contains('F'), flags.Contains('A'), flags.Contains('C'), flags.Contains('X'));

    private static JobRuntime Runtime(bool view, bool fresh, bool asked, bool collecting, bool exchanging) => JobRuntime.Start with
    {
        View = view ? new KnownProviders([]) : null, ViewIsFresh = fresh, DirectoryAsked = asked,
        Search = collecting ? new SearchRound(["cp-a"], "nonce") : null, ExchangeInFlight = exchanging,
    };

    [Theory]
    // Nothing to do for a job that does not exist or is over, whatever is going on.
    [InlineData("none", "", "Wait")]
    [InlineData("none", "VFACX", "Wait")]
    [InlineData("contracted", "VF", "Wait")]
    [InlineData("contracted", "VFX", "Wait")]
    [InlineData("failed", "V", "Wait")]
    [InlineData("failed", "", "Wait")]
    // Posted: a search needs a view taken for it; asked once, then waited for.
    [InlineData("posted", "", "AskDirectory")]
    [InlineData("posted", "V", "AskDirectory")]
    [InlineData("posted", "A", "Wait")]
    [InlineData("posted", "VA", "Wait")]
    [InlineData("posted", "VF", "StartSearch")]
    [InlineData("posted", "VFA", "StartSearch")]
    // Searching: the round collects bids once; a round under way is left alone; any view will do.
    [InlineData("searching", "", "AskDirectory")]
    [InlineData("searching", "A", "Wait")]
    [InlineData("searching", "V", "CollectBids")]
    [InlineData("searching", "VF", "CollectBids")]
    [InlineData("searching", "VC", "Wait")]
    [InlineData("searching", "VFC", "Wait")]
    // Waiting to search again, and the time has come: a fresh view, then a new round.
    [InlineData("waiting (retry due)", "V", "AskDirectory")]
    [InlineData("waiting (retry due)", "VA", "Wait")]
    [InlineData("waiting (retry due)", "VF", "StartSearch")]
    [InlineData("waiting (retry due)", "VFC", "StartSearch")]
    // Matched: the job request is recorded as sent (it goes out with the write); a lock taken with the bid goes
    // straight to the contract.
    [InlineData("matched", "", "AskDirectory")]
    [InlineData("matched", "V", "RecordRequestSent")]
    [InlineData("matched", "VX", "RecordRequestSent")]
    [InlineData("matched, locked with the bid", "V", "ProposeContract")]
    [InlineData("matched, locked with the bid", "VX", "Wait")]
    // Requested: the request is sent unless one awaits its answer; once the lock is confirmed, the contract.
    [InlineData("requested", "", "AskDirectory")]
    [InlineData("requested", "A", "Wait")]
    [InlineData("requested", "V", "SendJobRequest")]
    [InlineData("requested", "VF", "SendJobRequest")]
    [InlineData("requested", "VX", "Wait")]
    [InlineData("requested, lock confirmed", "V", "ProposeContract")]
    [InlineData("requested, lock confirmed", "VX", "Wait")]
    public void The_next_step_follows_from_the_state_and_what_is_going_on(string state, string runtime, string step)
    {
        var next = JobDecisions.Next(InState(state), Runtime(runtime), T0);
        Assert.Equal(step, next.GetType().Name);
    }

    [Fact]
    public void A_job_waiting_to_search_again_sets_a_timer_for_then_whatever_else_is_going_on()
    {
        var job = WaitingToSearch(TimeSpan.FromSeconds(10));
        foreach (var flags in new[] { "", "V", "VF", "VFACX" })
            Assert.Equal(new JobStep.SearchAgainAt(T0.AddSeconds(10)), JobDecisions.Next(job, Runtime(flags), T0));
        Assert.IsType<JobStep.StartSearch>(JobDecisions.Next(job, Runtime("VF"), T0.AddSeconds(10)));
    }

    [Fact]
    public void Every_combination_of_state_and_runtime_gives_exactly_one_step_and_never_a_second_exchange()
    {
        var states = new[] { "none", "posted", "searching", "waiting (retry due)", "matched", "matched, locked with the bid", "requested",
            "requested, lock confirmed", "contracted", "failed" };
        foreach (var state in states)
            for (var bits = 0; bits < 32; bits++)
            {
                var runtime = Runtime((bits & 1) != 0, (bits & 2) != 0, (bits & 4) != 0, (bits & 8) != 0, (bits & 16) != 0);
                var next = JobDecisions.Next(InState(state), runtime, T0);
                if (runtime.ExchangeInFlight) Assert.False(next is JobStep.SendJobRequest or JobStep.ProposeContract, $"{state} {runtime}: {next}");
                if (runtime.CollectingBids && state == "searching") Assert.IsNotType<JobStep.CollectBids>(next);
                if (state is "none" or "contracted" or "failed") Assert.IsType<JobStep.Wait>(next);
                if (runtime.DirectoryAsked) Assert.IsNotType<JobStep.AskDirectory>(next);
            }
    }
}
