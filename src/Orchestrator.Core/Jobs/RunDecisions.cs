using Orchestrator.Protocol.Events;
using Orchestrator.Protocol.Messages;
using Orchestrator.Protocol.Model;

namespace Orchestrator.Jobs;

/// <summary>What a job does about its run next.</summary>
public abstract record RunStep
{
    private RunStep() { }

    /// <summary>Nothing: a reservation, a job not contracted yet, or a run going on.</summary>
    public sealed record None : RunStep
    {
        public static readonly None Instance = new();
    }

    /// <summary>Ask the contracted provider to start the run (again, until its allocation reports).</summary>
    public sealed record Start(StartAllocation Request) : RunStep;
}

/// <summary>
/// Pure decisions about a contracted job's run: when to ask for it, what a report from its allocation means, what a
/// silence means, and whether a failed run is tried again. Each run is on its own contract; at most one is going on.
/// </summary>
public static class RunDecisions
{
    /// <summary>A contracted job that runs something, and whose run has not started yet, asks its provider to start it.</summary>
    public static RunStep Next(Job job)
    {
        if (!job.RunsProgram || job.State != JobState.Contracted || job.Contract is null) return RunStep.None.Instance;
        return new RunStep.Start(new StartAllocation(job.JobId, job.Contract.ProviderId, job.Contract, job.Description!.Execution!, job.Run + 1));
    }

    /// <summary>
    /// A report from an allocation: the events it leads to. Only a report about the job's current contract counts (a late
    /// one about an earlier run, or a duplicate, changes nothing); a run seen ending before it was seen starting starts
    /// and ends in one write.
    /// </summary>
    public static IReadOnlyList<IJobEvent> OnReport(Job job, AllocationReport report, RestartPolicy defaultRestart, DateTimeOffset now)
    {
        if (job.Contract is null || job.Contract.ContractId != report.ContractId) return [];
        if (job.State is not (JobState.Contracted or JobState.Running)) return [];
        var run = job.CurrentRun?.Run ?? job.Run + 1;
        var started = job.State == JobState.Contracted
            ? new RunStarted(job.JobId, report.ContractId, job.Contract.ProviderId, run, report.Node, report.At)
            : null;
        if (report.State != AllocationState.Ended || report.Outcome is null)
            return started is null || report.State != AllocationState.Running ? [] : [started];
        var ended = Ended(job, report.Outcome, run, defaultRestart, now);
        return started is null ? [ended] : [started, ended];
    }

    /// <summary>
    /// The allocation has not been heard from for the node's lostAfter: the run fails as provider-lost (and is tried
    /// again on another provider if the restart policy says so). Nothing when there is no run to lose.
    /// </summary>
    public static IReadOnlyList<IJobEvent> Lost(Job job, TimeSpan silence, RestartPolicy defaultRestart, DateTimeOffset now)
    {
        if (job.Contract is null) return [];
        var detail = job.State == JobState.Running
            ? $"no word from provider {job.Contract.ProviderId} for {Seconds(silence)} while the program ran"
            : $"provider {job.Contract.ProviderId} did not start the run within {Seconds(silence)}";
        return LostBecause(job, detail, defaultRestart, now);
    }

    /// <summary>
    /// The cluster removed the member the run was on (<paramref name="node"/>, as the run's allocation reported it): the
    /// run is lost at once, not after lostAfter. Nothing for another member, or when no run is going on there.
    /// </summary>
    public static IReadOnlyList<IJobEvent> NodeRemoved(Job job, string node, RestartPolicy defaultRestart, DateTimeOffset now)
    {
        var run = job.CurrentRun;
        if (run is null || run.Node != node || node.Length == 0) return [];
        return LostBecause(job, $"the node of provider {run.ProviderId} ({node}) left the cluster while the program ran", defaultRestart, now);
    }

    private static IReadOnlyList<IJobEvent> LostBecause(Job job, string detail, RestartPolicy defaultRestart, DateTimeOffset now)
    {
        if (job.Contract is null || job.State is not (JobState.Contracted or JobState.Running)) return [];
        return [Ended(job, new RunOutcome(null, RunFailure.ProviderLost, detail), job.CurrentRun?.Run ?? job.Run + 1, defaultRestart, now)];
    }

    /// <summary>Cancelled while contracted or running: the run ends cancelled at once (the allocation is told to stop, and frees the resources when it has).</summary>
    public static IReadOnlyList<IJobEvent> Cancel(Job job, string reason, DateTimeOffset now)
    {
        if (job.Contract is null || job.State is not (JobState.Contracted or JobState.Running)) return [];
        var run = job.CurrentRun?.Run ?? job.Run + 1;
        return [new RunEnded(job.JobId, job.Contract.ContractId, job.Contract.ProviderId, run, new RunOutcome(null, RunFailure.Cancelled, "cancelled: " + reason), false, now)];
    }

    /// <summary>Whether a failed run is tried again: not cancelled, the policy allows it, and runs are left.</summary>
    public static bool Retries(RunOutcome outcome, RestartPolicy policy, int run) =>
        outcome.Failure is not null and not RunFailure.Cancelled && policy.Mode == RestartMode.OnFailure && run < policy.MaxAttempts;

    /// <summary>The job's restart policy: its own, or the node's default.</summary>
    public static RestartPolicy Policy(Job job, RestartPolicy defaultRestart) => job.Description?.Execution?.Restart ?? defaultRestart;

    private static RunEnded Ended(Job job, RunOutcome outcome, int run, RestartPolicy defaultRestart, DateTimeOffset now) =>
        new(job.JobId, job.Contract!.ContractId, job.Contract.ProviderId, run, outcome, Retries(outcome, Policy(job, defaultRestart), run), now);

    private static string Seconds(TimeSpan t) => t.TotalSeconds.ToString("0.#", System.Globalization.CultureInfo.InvariantCulture) + " s";
}
