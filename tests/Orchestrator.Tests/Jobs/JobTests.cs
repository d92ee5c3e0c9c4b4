using Orchestrator.Jobs;
using Orchestrator.Matching;
using Orchestrator.Protocol.Events;
using Orchestrator.Protocol.Messages;
using Orchestrator.Protocol.Model;
using static Orchestrator.Tests.Fixtures;

namespace Orchestrator.Tests.Jobs;

/// <summary>A job's state from its events: what each event sets and clears, the history it writes, the status it shows.</summary>
public class JobTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);

    private static DateTimeOffset At(int second) => T0.AddSeconds(second);

    private static readonly JobPosted Posted = new("job-1", JobOf(), OrchestrationType.Pull, SelectionCriterion.Score, [], Needs(), "alice", At(120), At(0));

    private static SearchStarted Started(int attempt, string[] candidates, int considered, int second) =>
        new("job-1", attempt, candidates, considered, new Dictionary<string, int> { ["insufficient-cpu"] = considered - candidates.Length }, At(second));

    private static SearchCompleted Completed(Bid[] bids, DeclineMessage[] declines, TimeoutResponse[] timeouts, int second) =>
        new("job-1", bids, declines, timeouts, new SearchExplanation(OrchestrationType.Pull, SelectionCriterion.Score, 1, 3, 3,
            new Dictionary<string, int>(), timeouts.Length, bids.Length, []), At(second));

    private static readonly DeclineMessage SmallB = new("job-1", "cp-b", ExchangePhase.Bid, DeclineReason.InsufficientCpu, "requires 2 CPU cores; provider has 1 in total");
    private static readonly TimeoutResponse SilentC = new("job-1", "cp-c", ExchangePhase.Bid, TimeSpan.FromMilliseconds(2500));

    [Fact]
    public void A_new_job_exists_only_once_posted_and_is_terminal_only_when_contracted_or_failed()
    {
        var job = Job.New("job-1");
        Assert.Equal((false, false, JobState.Posted), (job.Exists, job.IsTerminal, job.State));
        job = job.Apply(Posted);
        Assert.Equal((true, false), (job.Exists, job.IsTerminal));
        Assert.Equal(("alice", At(0), At(120), SelectionCriterion.Score), (job.Requester, job.PostedAt, job.Deadline, job.Selection));
        Assert.True(job.Apply(new JobFailed("job-1", FailureReason.Cancelled, "x", At(1))).IsTerminal);
        Assert.Same(job, job.Apply(new UnknownEvent()));
    }

    [Fact]
    public void The_history_tells_the_jobs_story_in_its_own_words()
    {
        var bidA = BidFrom("cp-a", 1m);
        var job = Job.New("job-1").Apply(
        [
            Posted,
            Started(1, ["cp-a", "cp-b", "cp-c"], 5, 1),
            Completed([bidA], [SmallB], [SilentC], 2),
            new ProviderShortlisted("job-1", "cp-a", "shortlisted cp-a (rank 1 of 1)", At(2)),
            new JobRequestSent("job-1", "cp-a", At(3)),
            new CandidateDropped("job-1", "cp-a", null, new TimeoutResponse("job-1", "cp-a", ExchangePhase.JobRequest, TimeSpan.FromSeconds(5)), At(8)),
            new SearchRetryScheduled("job-1", 2, At(9), FailureReason.AllCandidatesDeclined, "all 1 eligible provider(s) dropped out", At(8)),
            Started(2, ["cp-a"], 1, 9),
            Completed([BidFrom("cp-a", 1m, locked: true)], [], [], 10),
            new ProviderShortlisted("job-1", "cp-a", "shortlisted cp-a again", At(10)),
            new ContractClosed("job-1", new Contract("job-1@cp-a", "job-1", "sp-1", "cp-a", Needs().Resources, [], 1m, At(11), At(11), At(71)), At(11)),
        ]);
        Assert.Equal(
        [
            (JobState.Posted, At(0), "posted by alice"),
            (JobState.Searching, At(1), "bid requests sent to 3 of 5 provider(s)"),
            (JobState.Matched, At(2), "shortlisted cp-a (rank 1 of 1)"),
            (JobState.Requested, At(3), "job request sent to cp-a"),
            (JobState.Searching, At(8), "all 1 eligible provider(s) dropped out; searching again at 2026-11-27T12:00:09.0000000+00:00"),
            (JobState.Searching, At(9), "search 2: bid requests sent to 1 of 1 provider(s)"),
            (JobState.Matched, At(10), "shortlisted cp-a again"),
            (JobState.Contracted, At(11), "contract job-1@cp-a signed by sp-1 and cp-a"),
        ], job.History.Select(h => (h.State, h.At, h.Note!)));
    }

    [Fact]
    public void Waiting_after_a_search_that_found_nothing_adds_no_second_searching_entry()
    {
        var job = Job.New("job-1").Apply([Posted, Started(1, ["cp-b"], 1, 1), Completed([], [SmallB], [], 2)]);
        var waiting = job.Apply(new SearchRetryScheduled("job-1", 2, At(3), FailureReason.NoEligibleProvider, "nothing fits", At(2)));
        Assert.Equal(job.History, waiting.History);
        Assert.Equal(new SearchWait(2, At(3), FailureReason.NoEligibleProvider, "nothing fits"), waiting.Waiting);
        Assert.Equal(JobState.Searching, waiting.State);
        Assert.Null(waiting.Apply(Started(2, ["cp-b"], 1, 3)).Waiting);
        var failed = waiting.Apply(new JobFailed("job-1", FailureReason.NoEligibleProvider, "still nothing", At(120)));
        Assert.Null(failed.Waiting);
        Assert.Equal(new JobFailure(FailureReason.NoEligibleProvider, "still nothing"), failed.Failure);
        Assert.Equal((JobState.Failed, At(120), "still nothing"), (failed.History[^1].State, failed.History[^1].At, failed.History[^1].Note!));
    }

    [Fact]
    public void A_search_round_records_every_answer_and_the_job_keeps_every_rounds_declines()
    {
        var job = Job.New("job-1").Apply([Posted, Started(1, ["cp-a", "cp-b", "cp-c"], 3, 1), Completed([BidFrom("cp-a", 1m)], [SmallB], [SilentC], 2)]);
        Assert.Equal(
        [
            new ProviderVerdict("cp-a", ProviderOutcomes.Eligible),
            new ProviderVerdict("cp-b", ProviderOutcomes.Declined, "insufficient-cpu", SmallB.Detail),
            new ProviderVerdict("cp-c", ProviderOutcomes.TimedOut, null, "no answer within 2.5 s"),
        ], job.RoundVerdicts);
        Assert.Equal([SmallB], job.RoundDeclines);

        var again = job.Apply([Started(2, ["cp-b"], 1, 3), Completed([], [SmallB with { Detail = "still small" }], [], 4)]);
        Assert.Equal([SmallB, SmallB with { Detail = "still small" }], again.Declines);
        Assert.Equal([SmallB with { Detail = "still small" }], again.RoundDeclines);
        Assert.Equal([SilentC], again.Timeouts);
        Assert.Equal((2, 1), (again.Attempt, again.Considered));
    }

    [Fact]
    public void A_provider_that_bid_and_then_did_not_take_the_job_is_no_longer_shown_as_eligible()
    {
        var job = Job.New("job-1").Apply(
        [
            Posted, Started(1, ["cp-a", "cp-b", "cp-c"], 3, 1), Completed([BidFrom("cp-a", 1m), BidFrom("cp-b", 2m), BidFrom("cp-c", 3m)], [], [], 2),
            new ProviderShortlisted("job-1", "cp-a", "n", At(2)),
            new CandidateDropped("job-1", "cp-a", SmallB with { ProviderId = "cp-a", Phase = ExchangePhase.JobRequest, Detail = "lock lost" }, null, At(3)),
            new ProviderShortlisted("job-1", "cp-b", "n", At(3)),
            new CandidateDropped("job-1", "cp-b", null, new TimeoutResponse("job-1", "cp-b", ExchangePhase.ContractClosure, TimeSpan.FromSeconds(5)), At(8)),
        ]);
        Assert.Equal(
        [
            new ProviderVerdict("cp-a", ProviderOutcomes.Declined, "insufficient-cpu", "bid, then declined the job request: lock lost"),
            new ProviderVerdict("cp-b", ProviderOutcomes.TimedOut, null, "bid, then did not answer the contract within 5 s"),
            new ProviderVerdict("cp-c", ProviderOutcomes.Eligible),
        ], job.Verdicts());
    }

    [Fact]
    public void A_new_search_forgets_the_last_rounds_choices()
    {
        var ruledOut = new ProvidersRuledOut("job-1", 1, [new ProviderVerdict("cp-x", ProviderOutcomes.RuledOut, "label-mismatch", "no gold")], 7, At(1));
        var job = Job.New("job-1").Apply(
        [
            Posted, Started(1, ["cp-a", "cp-b"], 10, 1), ruledOut, Completed([BidFrom("cp-a", 1m, locked: true), BidFrom("cp-b", 2m)], [], [], 2),
            new ProviderShortlisted("job-1", "cp-a", "n", At(2)),
            new CandidateDropped("job-1", "cp-a", SmallB with { ProviderId = "cp-a", Phase = ExchangePhase.ContractClosure }, null, At(3)),
            new ProviderShortlisted("job-1", "cp-b", "n", At(3)),
        ]);
        Assert.Equal((7, "cp-x"), (job.RuledOutUnnamed, job.RuledOut.Single().ProviderId));
        Assert.Equal(("cp-b", false), (job.Selected!.ProviderId, job.ResourcesLocked));
        Assert.Equal(["cp-a"], job.Dropped);

        var next = job.Apply(Started(2, ["cp-c"], 1, 4));
        Assert.Equal((JobState.Searching, 2, 0, 0), (next.State, next.Attempt, next.RuledOutUnnamed, next.RuledOut.Count));
        Assert.Equal((0, 0, 0, 0), (next.Bids.Count, next.Dropped.Count, next.RoundVerdicts.Count, next.RoundDeclines.Count));
        Assert.Null(next.Selected);
        Assert.False(next.ResourcesLocked);
        Assert.Equal(["cp-c"], next.Candidates);
        Assert.Equal(new Dictionary<string, int> { ["insufficient-cpu"] = 0 }, next.Prefiltered);
    }

    [Fact]
    public void Shortlisting_a_locked_bid_holds_its_resources_and_dropping_it_lets_them_go()
    {
        var job = Job.New("job-1").Apply([Posted, Started(1, ["cp-a", "cp-b"], 2, 1), Completed([BidFrom("cp-a", 1m, locked: true), BidFrom("cp-b", 2m)], [], [], 2)]);
        var locked = job.Apply(new ProviderShortlisted("job-1", "cp-a", "n", At(2)));
        Assert.Equal((JobState.Matched, "cp-a", true), (locked.State, locked.Selected!.ProviderId, locked.ResourcesLocked));
        var unlocked = job.Apply(new ProviderShortlisted("job-1", "cp-b", "n", At(2)));
        Assert.Equal(("cp-b", false), (unlocked.Selected!.ProviderId, unlocked.ResourcesLocked));
        var unknown = job.Apply(new ProviderShortlisted("job-1", "cp-z", "n", At(2)));
        Assert.Equal((null, false), (unknown.Selected, unknown.ResourcesLocked));

        var timeout = new TimeoutResponse("job-1", "cp-a", ExchangePhase.ContractClosure, TimeSpan.FromSeconds(5));
        var dropped = locked.Apply(new CandidateDropped("job-1", "cp-a", null, timeout, At(7)));
        Assert.Equal((null, false), (dropped.Selected, dropped.ResourcesLocked));
        Assert.Equal([timeout], dropped.Timeouts);
        Assert.Empty(dropped.Declines);
        Assert.Contains("cp-a", dropped.Dropped);
    }

    [Fact]
    public void The_status_shows_every_provider_by_name_the_selected_one_and_the_contract()
    {
        var ruledOut = new ProvidersRuledOut("job-1", 1, [new ProviderVerdict("cp-0", ProviderOutcomes.RuledOut, "label-mismatch", "no gold")], 4, At(1));
        var contract = new Contract("job-1@cp-a", "job-1", "sp-1", "cp-a", Needs().Resources, [], 1m, At(3), At(3), At(63));
        var signatures = new ContractSignatures(new Proof("r", null!), new Proof("p", null!));
        var job = Job.New("job-1").Apply(
        [
            Posted, Started(1, ["cp-c", "cp-a", "cp-b"], 8, 1), ruledOut, Completed([BidFrom("cp-a", 1m, locked: true)], [SmallB], [SilentC], 2),
            new ProviderShortlisted("job-1", "cp-a", "n", At(2)), new ContractClosed("job-1", contract, At(3), signatures),
        ]);
        var status = job.ToStatus();
        Assert.Equal(["cp-0", "cp-a", "cp-b", "cp-c"], status.Providers.Select(p => p.ProviderId));
        Assert.Equal([ProviderOutcomes.RuledOut, ProviderOutcomes.Eligible, ProviderOutcomes.Declined, ProviderOutcomes.TimedOut], status.Providers.Select(p => p.Outcome));
        Assert.Equal(4, status.ProvidersNotNamed);
        Assert.Equal((JobState.Contracted, "cp-a", contract, signatures), (status.State, status.SelectedProviderId, status.Contract, status.Signatures));
        Assert.Equal(["cp-c", "cp-a", "cp-b"], status.CandidateProviders);
        Assert.Equal(job.History, status.History);
        Assert.Equal("alice", status.Requester);

        // A contract outlives the selection it came from.
        Assert.Equal("cp-a", (job with { Selected = null }).ToStatus().SelectedProviderId);
        Assert.Null((job with { Selected = null, Contract = null }).ToStatus().SelectedProviderId);
    }

    private sealed record UnknownEvent : IJobEvent
    {
        public string JobId => "job-1";
        public DateTimeOffset At => T0;
    }

    [Fact]
    public void A_job_not_yet_posted_has_no_requester_and_a_matched_job_shows_its_selection()
    {
        Assert.Equal("", Job.New("job-1").Requester);
        var matched = Job.New("job-1").Apply([Posted, Started(1, ["cp-a"], 1, 1), Completed([BidFrom("cp-a", 1m, locked: true)], [], [], 2),
            new ProviderShortlisted("job-1", "cp-a", "n", At(2))]);
        Assert.Equal("cp-a", matched.ToStatus().SelectedProviderId);
        // Waiting to search again, a job holds nothing, whatever it held before.
        var waiting = matched.Apply(new SearchRetryScheduled("job-1", 2, At(4), FailureReason.AllCandidatesDeclined, "gone", At(3)));
        Assert.Equal((null, false), (waiting.Selected, waiting.ResourcesLocked));
    }
}
