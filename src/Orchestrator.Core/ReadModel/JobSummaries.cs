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
        (_, ContractClosed c) => summary with { State = JobState.Contracted, ProviderId = c.Contract.ProviderId, UpdatedAt = c.At, RequesterNodeId = c.Contract.RequesterNodeId,
            Note = $"contract {c.Contract.ContractId}" },
        (_, JobFailed f) => summary with { State = JobState.Failed, FailureReason = f.Reason, UpdatedAt = f.At, Note = f.Message },
        (_, RunStarted r) => summary with { State = JobState.Running, ProviderId = r.ProviderId, UpdatedAt = r.At, Note = $"run {r.Run} on {r.ProviderId}" },
        (_, RunEnded r) => Settling(Ended(summary, r), r.ContractId, line => line, () =>
            new SettlementLine(r.ContractId, r.ProviderId, SettlementState.AwaitingReceipt, "", 0m, r.At)),
        (_, SettlementProposed p) => Settling(summary, p.Settlement.ContractId, line => line with
        {
            State = SettlementState.Proposed, Currency = p.Settlement.Currency, Amount = p.Settlement.Amount, UpdatedAt = p.At,
        }),
        (_, ContractSettled s) => Settling(summary, s.Settlement.ContractId, line => line with
        {
            State = SettlementState.Settled, Currency = s.Settlement.Currency, Amount = s.Settlement.Amount, UpdatedAt = s.At,
        }),
        (_, SettlementDisputed d) => Settling(summary, d.ContractId, line => line with { State = SettlementState.Disputed, UpdatedAt = d.At }),
        (_, SettlementTransferred t) => Settling(summary, t.ContractId, line => line with { Transferred = true, UpdatedAt = t.At }),
        _ => summary,
    };

    // The job line's UpdatedAt is left as it is: a settlement does not move the job in the listing.
    private static JobSummary Settling(JobSummary summary, string contractId, Func<SettlementLine, SettlementLine> change, Func<SettlementLine>? add = null)
    {
        var lines = summary.Settlements.ToList();
        var index = lines.FindIndex(l => l.ContractId == contractId);
        if (index < 0)
        {
            if (add is null) return summary;
            lines.Add(add());
        }
        else lines[index] = change(lines[index]);
        return summary with
        {
            Settlements = lines.ToArray(),
            SettlementPending = lines.Any(l => l.State == SettlementState.Proposed || (l.State == SettlementState.Settled && !l.Transferred)),
        };
    }

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
