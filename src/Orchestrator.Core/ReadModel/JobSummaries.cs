using Orchestrator.Protocol.Events;
using Orchestrator.Protocol.Messages;
using Orchestrator.Protocol.Model;

namespace Orchestrator.ReadModel;

/// <summary>How each job event changes a job's line in the listing.</summary>
public static class JobSummaries
{
    /// <summary>The summary after <paramref name="e"/>; null before the job was posted (events of a job never posted are ignored).</summary>
    public static JobSummary? Apply(JobSummary? summary, IJobEvent e) => (summary, e) switch
    {
        (_, JobStepsRecorded steps) => steps.Steps.Aggregate(summary, Apply),
        (_, JobPosted p) => new JobSummary(p.JobId, JobState.Posted, p.Requester, p.At, p.At, 0, null, null, "posted")
        {
            RunsProgram = p.Description.Execution is not null,
        },
        (null, _) => null,
        (_, SearchStarted s) => summary with { State = JobState.Searching, Attempt = s.Attempt, ProviderId = null, UpdatedAt = s.At,
            Note = $"search {s.Attempt}: asking {s.Candidates.Count} of {s.Considered} providers" },
        (_, SearchRetryScheduled r) => summary with { State = JobState.Searching, UpdatedAt = r.At, ProviderId = null,
            Note = $"{r.Message}; searching again at {r.RetryAt:O}" },
        (_, ProviderShortlisted m) => summary with { State = JobState.Matched, ProviderId = m.ProviderId, UpdatedAt = m.At, Note = m.Note },
        (_, JobRequestSent r) => summary with { State = JobState.Requested, ProviderId = r.ProviderId, UpdatedAt = r.At,
            Note = $"job request sent to {r.ProviderId}" },
        (_, CandidateDropped d) => summary with { ProviderId = null, UpdatedAt = d.At, Note = $"{d.ProviderId} dropped out" },
        (_, ContractClosed c) => summary with { State = JobState.Contracted, ProviderId = c.Contract.ProviderId, UpdatedAt = c.At,
            Note = $"contract {c.Contract.ContractId}" },
        (_, JobFailed f) => summary with { State = JobState.Failed, FailureReason = f.Reason, UpdatedAt = f.At, Note = f.Message },
        (_, RunStarted r) => summary with { State = JobState.Running, ProviderId = r.ProviderId, UpdatedAt = r.At, Note = $"run {r.Run} on {r.ProviderId}" },
        (_, RunEnded r) => Ended(summary, r),
        _ => summary,
    };

    private static JobSummary Ended(JobSummary summary, RunEnded r)
    {
        var reason = RunFailures.Reason(r.Outcome);
        var what = $"run {r.Run}: {r.Outcome.Detail}";
        if (r.Retry) return summary with { State = JobState.Searching, ProviderId = null, UpdatedAt = r.At, Note = what + "; searching again" };
        if (reason is null) return summary with { State = JobState.Completed, UpdatedAt = r.At, Note = what };
        if (reason == FailureReason.Cancelled) return summary with { State = JobState.Cancelled, UpdatedAt = r.At, Note = what };
        return summary with { State = JobState.Failed, FailureReason = reason, UpdatedAt = r.At, Note = what };
    }
}
