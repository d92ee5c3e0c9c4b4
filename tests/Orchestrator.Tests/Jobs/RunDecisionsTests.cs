using Orchestrator.Jobs;
using Orchestrator.Protocol.Events;
using Orchestrator.Protocol.Messages;
using Orchestrator.Protocol.Model;
using Orchestrator.ReadModel;
using static Orchestrator.Tests.Fixtures;

namespace Orchestrator.Tests.Jobs;

/// <summary>A contracted job's run: the state its events build, and the pure decisions about it (time as a parameter).</summary>
public class RunDecisionsTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);
    private static readonly RestartPolicy Never = new(RestartMode.Never, 1);
    private static readonly RestartPolicy Thrice = new(RestartMode.OnFailure, 3);
    private static readonly JobExecution Execution = new() { Executor = ExecutorType.Simulated, Args = ["exit=1"] };

    private static DateTimeOffset At(int second) => T0.AddSeconds(second);

    private static Contract ContractWith(string provider, int second = 10) =>
        new($"job-1@{provider}", "job-1", "sp-1", provider, Needs().Resources, [], 1m, At(second), At(second), At(second + 3600));

    private static Job Posted(JobExecution? execution = null, RestartPolicy? restart = null) => Job.New("job-1").Apply(
        new JobPosted("job-1", JobOf() with { Execution = execution ?? Execution with { Restart = restart } }, OrchestrationType.Pull, SelectionCriterion.Score,
            [], Needs(), "alice", At(120), At(0)));

    private static Job Contracted(RestartPolicy? restart = null, string provider = "cp-a") =>
        Posted(restart: restart).Apply(new ContractClosed("job-1", ContractWith(provider), At(10)));

    private static AllocationReport Report(AllocationState state, RunOutcome? outcome = null, string contract = "job-1@cp-a", long seq = 1, int second = 11) =>
        new("job-1", "cp-a", contract, seq, state, outcome, At(second), "akka.tcp://o@h:1");

    private static readonly RunOutcome Exit0 = new(0, null, "exited with 0");
    private static readonly RunOutcome Exit3 = new(3, RunFailure.ExitCode, "exited with 3");

    // --- the state

    [Fact]
    public void A_job_that_runs_a_program_goes_on_past_its_contract()
    {
        var contracted = Contracted();
        Assert.True(contracted.RunsProgram);
        Assert.False(contracted.IsTerminal);
        var running = contracted.Apply(new RunStarted("job-1", "job-1@cp-a", "cp-a", 1, "node-x", At(11)));
        Assert.Equal((JobState.Running, 1, false), (running.State, running.Run, running.IsTerminal));
        Assert.Equal(new RunRecord(1, "job-1@cp-a", "cp-a", "node-x", At(11), null, null), running.CurrentRun);
        Assert.Equal((JobState.Running, At(11), "run 1 started on cp-a"), (running.History[^1].State, running.History[^1].At, running.History[^1].Note));

        var done = running.Apply(new RunEnded("job-1", "job-1@cp-a", "cp-a", 1, Exit0, false, At(15)));
        Assert.Equal((JobState.Completed, true), (done.State, done.IsTerminal));
        Assert.Null(done.CurrentRun);
        Assert.Equal([new RunRecord(1, "job-1@cp-a", "cp-a", "node-x", At(11), At(15), Exit0)], done.Runs);
        Assert.Equal("run 1: exited with 0", done.History[^1].Note);
        Assert.Null(done.Failure);
        var status = done.ToStatus();
        Assert.True(status.Final);
        Assert.Equal(done.Runs, status.Runs);
        Assert.Null(status.CurrentRun);
        Assert.Equal(running.CurrentRun, running.ToStatus().CurrentRun);
        Assert.False(running.ToStatus().Final);
    }

    [Fact]
    public void A_reservation_ends_at_its_contract()
    {
        var reserved = Job.New("job-1").Apply(new JobPosted("job-1", JobOf(), OrchestrationType.Pull, SelectionCriterion.Score, [], Needs(), "alice", At(120), At(0)))
            .Apply(new ContractClosed("job-1", ContractWith("cp-a"), At(10)));
        Assert.False(reserved.RunsProgram);
        Assert.True(reserved.IsTerminal);
        Assert.Same(RunStep.None.Instance, RunDecisions.Next(reserved));
    }

    [Fact]
    public void A_failed_run_ends_the_job_with_the_reason_in_the_users_words()
    {
        var failed = Contracted().Apply(new RunEnded("job-1", "job-1@cp-a", "cp-a", 1, Exit3, false, At(12)));
        Assert.Equal((JobState.Failed, true), (failed.State, failed.IsTerminal));
        Assert.Equal(new JobFailure(FailureReason.ExitCode, "run 1 on cp-a failed (exit-code): exited with 3"), failed.Failure);
        // A run seen ending without being seen starting is recorded with what the end says.
        Assert.Equal(new RunRecord(1, "job-1@cp-a", "cp-a", "", At(12), At(12), Exit3), Assert.Single(failed.Runs));

        var cancelled = Contracted().Apply(new RunEnded("job-1", "job-1@cp-a", "cp-a", 1, new RunOutcome(null, RunFailure.Cancelled, "cancelled: x"), false, At(12)));
        Assert.Equal((JobState.Cancelled, true, null), (cancelled.State, cancelled.IsTerminal, cancelled.Failure));
        Assert.Equal("run 1: cancelled: x", cancelled.History[^1].Note);
    }

    [Fact]
    public void A_retried_run_sends_the_job_back_to_searching_without_that_provider_and_with_a_fresh_deadline()
    {
        var running = Contracted().Apply(new RunStarted("job-1", "job-1@cp-a", "cp-a", 1, "node-x", At(11)));
        var again = running.Apply(new RunEnded("job-1", "job-1@cp-a", "cp-a", 1, Exit3, true, At(20)));
        Assert.Equal((JobState.Searching, false), (again.State, again.IsTerminal));
        Assert.Equal(["cp-a"], again.Excluded);
        Assert.Null(again.Contract);
        Assert.Null(again.Selected);
        Assert.False(again.ResourcesLocked);
        Assert.Null(again.Signatures);
        Assert.Null(again.Failure);
        Assert.Equal(At(20) + TimeSpan.FromSeconds(120), again.Deadline);
        const string note = "run 1 on cp-a failed (exit-code: exited with 3); searching again without it";
        Assert.Equal(new SearchWait(again.Attempt, At(20), FailureReason.ExitCode, note), again.Waiting);
        Assert.Equal((JobState.Searching, At(20), note), (again.History[^1].State, again.History[^1].At, again.History[^1].Note));
        Assert.Equal(1, again.Run);
        Assert.Single(again.Runs);
        // The next search starts at once.
        Assert.IsType<JobStep.StartSearch>(JobDecisions.Next(again, JobRuntime.Start.WithView(new Orchestrator.Providers.KnownProviders([])), At(20)));
    }

    // --- asking for the run

    [Fact]
    public void A_contracted_job_asks_its_provider_for_its_next_run()
    {
        var contracted = Contracted();
        var start = Assert.IsType<RunStep.Start>(RunDecisions.Next(contracted));
        Assert.Equal(new StartAllocation("job-1", "cp-a", ContractWith("cp-a"), Execution, 1), start.Request with { Execution = Execution });
        Assert.Same(contracted.Description!.Execution, start.Request.Execution);
        var second = Contracted().Apply(new RunEnded("job-1", "job-1@cp-a", "cp-a", 1, Exit3, true, At(12))).Apply(new ContractClosed("job-1", ContractWith("cp-b"), At(20)));
        Assert.Equal(2, Assert.IsType<RunStep.Start>(RunDecisions.Next(second)).Request.Run);
        Assert.Same(RunStep.None.Instance, RunDecisions.Next(Posted()));
        Assert.Same(RunStep.None.Instance, RunDecisions.Next(Contracted().Apply(new RunStarted("job-1", "job-1@cp-a", "cp-a", 1, "n", At(11)))));
    }

    // --- reports

    [Fact]
    public void A_report_of_the_run_starting_or_ending_is_applied_once()
    {
        var contracted = Contracted();
        Assert.Equal([new RunStarted("job-1", "job-1@cp-a", "cp-a", 1, "akka.tcp://o@h:1", At(11))],
            RunDecisions.OnReport(contracted, Report(AllocationState.Running), Never, At(11)));
        // Still preparing: nothing to record yet.
        Assert.Empty(RunDecisions.OnReport(contracted, Report(AllocationState.Starting), Never, At(11)));

        var running = contracted.Apply(new RunStarted("job-1", "job-1@cp-a", "cp-a", 1, "n", At(11)));
        // A heartbeat (the same report again) changes nothing.
        Assert.Empty(RunDecisions.OnReport(running, Report(AllocationState.Running, seq: 1, second: 13), Never, At(13)));
        Assert.Equal([new RunEnded("job-1", "job-1@cp-a", "cp-a", 1, Exit0, false, At(14))],
            RunDecisions.OnReport(running, Report(AllocationState.Ended, Exit0, seq: 2, second: 14), Never, At(14)));
        // An end without an outcome is no end.
        Assert.Empty(RunDecisions.OnReport(running, Report(AllocationState.Ended, null, seq: 2), Never, At(14)));
    }

    [Fact]
    public void A_run_seen_ending_before_it_was_seen_starting_starts_and_ends_in_one_write()
    {
        Assert.Equal(
            [new RunStarted("job-1", "job-1@cp-a", "cp-a", 1, "akka.tcp://o@h:1", At(12)), new RunEnded("job-1", "job-1@cp-a", "cp-a", 1, Exit0, false, At(13))],
            RunDecisions.OnReport(Contracted(), Report(AllocationState.Ended, Exit0, second: 12), Never, At(13)));
    }

    [Fact]
    public void A_report_about_another_contract_or_a_job_past_its_run_is_ignored()
    {
        Assert.Empty(RunDecisions.OnReport(Contracted(), Report(AllocationState.Running, contract: "job-1@cp-old"), Never, At(11)));
        Assert.Empty(RunDecisions.OnReport(Posted(), Report(AllocationState.Running), Never, At(11)));
        var done = Contracted().Apply(new RunEnded("job-1", "job-1@cp-a", "cp-a", 1, Exit0, false, At(12)));
        Assert.Empty(RunDecisions.OnReport(done, Report(AllocationState.Ended, Exit0), Never, At(13)));
    }

    [Fact]
    public void A_failed_run_is_retried_while_the_policy_allows_and_never_when_cancelled_or_succeeded()
    {
        Assert.True(RunDecisions.Retries(Exit3, Thrice, 1));
        Assert.True(RunDecisions.Retries(Exit3, Thrice, 2));
        Assert.False(RunDecisions.Retries(Exit3, Thrice, 3));
        Assert.False(RunDecisions.Retries(Exit3, Never, 0));
        Assert.False(RunDecisions.Retries(Exit3, new RestartPolicy(RestartMode.Never, 5), 1));
        Assert.False(RunDecisions.Retries(Exit0, Thrice, 1));
        Assert.False(RunDecisions.Retries(new RunOutcome(null, RunFailure.Cancelled, "x"), Thrice, 1));
        Assert.True(RunDecisions.Retries(new RunOutcome(null, RunFailure.ProviderLost, "x"), Thrice, 1));

        // The job's own policy wins over the node's default.
        var own = Contracted(restart: Thrice);
        Assert.Equal(Thrice, RunDecisions.Policy(own, Never));
        Assert.Equal(Never, RunDecisions.Policy(Contracted(), Never));
        Assert.True(Assert.IsType<RunEnded>(Assert.Single(RunDecisions.OnReport(own.Apply(new RunStarted("job-1", "job-1@cp-a", "cp-a", 1, "n", At(11))),
            Report(AllocationState.Ended, Exit3, seq: 2), Never, At(12)))).Retry);
    }

    // --- silence and cancellation

    [Fact]
    public void A_silent_provider_loses_the_run_saying_for_how_long()
    {
        var lost = Assert.IsType<RunEnded>(Assert.Single(RunDecisions.Lost(Contracted(restart: Thrice), TimeSpan.FromSeconds(10), Never, At(20))));
        Assert.Equal(new RunEnded("job-1", "job-1@cp-a", "cp-a", 1, new RunOutcome(null, RunFailure.ProviderLost, "provider cp-a did not start the run within 10 s"), true, At(20)), lost);

        var running = Contracted().Apply(new RunStarted("job-1", "job-1@cp-a", "cp-a", 1, "n", At(11)));
        var whileRunning = Assert.IsType<RunEnded>(Assert.Single(RunDecisions.Lost(running, TimeSpan.FromSeconds(2.5), Never, At(20))));
        Assert.Equal("no word from provider cp-a for 2.5 s while the program ran", whileRunning.Outcome.Detail);
        Assert.False(whileRunning.Retry);
        Assert.Empty(RunDecisions.Lost(Posted(), TimeSpan.FromSeconds(10), Never, At(20)));
        Assert.Empty(RunDecisions.Lost(running.Apply(new RunEnded("job-1", "job-1@cp-a", "cp-a", 1, Exit0, false, At(15))), TimeSpan.FromSeconds(10), Never, At(20)));
    }

    [Fact]
    public void A_run_on_a_member_the_cluster_removed_is_lost_at_once()
    {
        var running = Contracted(restart: Thrice).Apply(new RunStarted("job-1", "job-1@cp-a", "cp-a", 1, "akka.tcp://o@h:1", At(11)));
        Assert.Equal([new RunEnded("job-1", "job-1@cp-a", "cp-a", 1,
                new RunOutcome(null, RunFailure.ProviderLost, "the node of provider cp-a (akka.tcp://o@h:1) left the cluster while the program ran"), true, At(13))],
            RunDecisions.NodeRemoved(running, "akka.tcp://o@h:1", Never, At(13)));
        Assert.Empty(RunDecisions.NodeRemoved(running, "akka.tcp://o@h:2", Never, At(13)));
        // Not started yet (no node known), or without a node: the silence decides.
        Assert.Empty(RunDecisions.NodeRemoved(Contracted(), "akka.tcp://o@h:1", Never, At(13)));
        var nowhere = Contracted().Apply(new RunStarted("job-1", "job-1@cp-a", "cp-a", 1, "", At(11)));
        Assert.Empty(RunDecisions.NodeRemoved(nowhere, "", Never, At(13)));
        var ended = running.Apply(new RunEnded("job-1", "job-1@cp-a", "cp-a", 1, Exit0, false, At(12)));
        Assert.Empty(RunDecisions.NodeRemoved(ended, "akka.tcp://o@h:1", Never, At(13)));
    }

    [Fact]
    public void Cancelling_a_contracted_or_running_job_ends_its_run_cancelled_and_never_retries_it()
    {
        var running = Contracted(restart: Thrice).Apply(new RunStarted("job-1", "job-1@cp-a", "cp-a", 2, "n", At(11)));
        Assert.Equal([new RunEnded("job-1", "job-1@cp-a", "cp-a", 2, new RunOutcome(null, RunFailure.Cancelled, "cancelled: not needed"), false, At(12))],
            RunDecisions.Cancel(running, "not needed", At(12)));
        Assert.Equal(1, Assert.IsType<RunEnded>(Assert.Single(JobDecisions.Cancel(Contracted(), "x", At(12)))).Run);
        Assert.Empty(RunDecisions.Cancel(Posted(), "x", At(12)));
        Assert.IsType<JobFailed>(Assert.Single(JobDecisions.Cancel(Posted(), "x", At(12))));
        // The deadline is for reaching a contract: one met is not failed later.
        Assert.Empty(JobDecisions.DeadlinePassed(Contracted(), At(500)));
        Assert.Empty(JobDecisions.DeadlinePassed(running, At(500)));
    }

    // --- the listing

    [Fact]
    public void The_listing_follows_the_run()
    {
        var posted = JobSummaries.Apply(null, new JobPosted("job-1", JobOf() with { Execution = Execution }, OrchestrationType.Pull, SelectionCriterion.Score, [],
            Needs(), "alice", At(120), At(0)))!;
        Assert.True(posted.RunsProgram);
        var contracted = JobSummaries.Apply(posted, new ContractClosed("job-1", ContractWith("cp-a"), At(10)))!;
        Assert.False(contracted.Final);
        var running = JobSummaries.Apply(contracted, new RunStarted("job-1", "job-1@cp-a", "cp-a", 1, "n", At(11)))!;
        Assert.Equal((JobState.Running, "cp-a", "run 1 on cp-a", At(11)), (running.State, running.ProviderId, running.Note, running.UpdatedAt));
        var retried = JobSummaries.Apply(running, new RunEnded("job-1", "job-1@cp-a", "cp-a", 1, Exit3, true, At(12)))!;
        Assert.Equal((JobState.Searching, null, "run 1: exited with 3; searching again"), (retried.State, retried.ProviderId, retried.Note));
        var failed = JobSummaries.Apply(running, new RunEnded("job-1", "job-1@cp-a", "cp-a", 1, Exit3, false, At(12)))!;
        Assert.Equal((JobState.Failed, FailureReason.ExitCode, true), (failed.State, failed.FailureReason, failed.Final));
        var done = JobSummaries.Apply(running, new RunEnded("job-1", "job-1@cp-a", "cp-a", 1, Exit0, false, At(12)))!;
        Assert.Equal((JobState.Completed, "run 1: exited with 0", true), (done.State, done.Note, done.Final));
        var cancelled = JobSummaries.Apply(running, new RunEnded("job-1", "job-1@cp-a", "cp-a", 1, new RunOutcome(null, RunFailure.Cancelled, "c"), false, At(12)))!;
        Assert.Equal(JobState.Cancelled, cancelled.State);
    }

    [Theory]
    [InlineData(RunFailure.ExitCode, FailureReason.ExitCode, "exit-code")]
    [InlineData(RunFailure.ExecutorError, FailureReason.ExecutorError, "executor-error")]
    [InlineData(RunFailure.MemoryLimit, FailureReason.MemoryLimit, "memory-limit")]
    [InlineData(RunFailure.DurationExceeded, FailureReason.DurationExceeded, "duration-exceeded")]
    [InlineData(RunFailure.ProviderLost, FailureReason.ProviderLost, "provider-lost")]
    [InlineData(RunFailure.Cancelled, FailureReason.Cancelled, "cancelled")]
    [InlineData(RunFailure.Interrupted, FailureReason.Interrupted, "interrupted")]
    public void Each_way_a_run_fails_has_its_job_failure_and_its_words(RunFailure failure, FailureReason reason, string code)
    {
        Assert.Equal(reason, RunFailures.Reason(new RunOutcome(null, failure, "x")));
        Assert.Equal(code, RunFailures.Code(failure));
        Assert.Null(RunFailures.Reason(Exit0));
    }

    [Theory]
    [InlineData(JobState.Contracted, false, true)]
    [InlineData(JobState.Contracted, true, false)]
    [InlineData(JobState.Running, true, false)]
    [InlineData(JobState.Completed, true, true)]
    [InlineData(JobState.Cancelled, true, true)]
    [InlineData(JobState.Failed, false, true)]
    [InlineData(JobState.Searching, true, false)]
    public void Which_states_end_a_jobs_life(JobState state, bool runsProgram, bool final) => Assert.Equal(final, JobStates.IsFinal(state, runsProgram));
}
