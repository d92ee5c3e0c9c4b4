using System.Text.Json;
using Orchestrator.Configuration;
using Orchestrator.Matching;
using Orchestrator.Protocol.Events;
using Orchestrator.Protocol.Messages;
using Orchestrator.Protocol.Model;
using Orchestrator.Validation;

namespace Orchestrator.Jobs;

/// <summary>The outcome of a post: events to persist, or the answer to give without persisting anything.</summary>
public abstract record PostDecision
{
    private PostDecision() { }
    public sealed record Accept(JobPosted Event) : PostDecision;
    public sealed record AlreadyPosted(JobState State) : PostDecision;
    public sealed record Conflict(string Detail) : PostDecision;
    public sealed record Reject(IReadOnlyDictionary<string, string[]> Errors) : PostDecision;
}

/// <summary>
/// Pure decisions of the job state machine: given the job and what just happened, which events follow.
/// Every path that removes a candidate ends in <see cref="NextCandidate"/>, so a job always either moves to
/// another provider or fails with the reason.
/// </summary>
public static class JobDecisions
{
    private static readonly JsonSerializerOptions CanonicalJson = new();

    public static PostDecision Post(Job job, PostJob cmd, OrchestratorSettings settings, DateTimeOffset now)
    {
        var description = cmd.Description with { JobId = cmd.JobId };
        if (job.Exists)
        {
            return SameDescription(job.Description!, description)
                ? new PostDecision.AlreadyPosted(job.State)
                : new PostDecision.Conflict($"job '{cmd.JobId}' already exists with a different description");
        }

        var errors = JobDescriptionValidator.Validate(description);
        if (Limits.CheckId(cmd.JobId) is { } idError) errors.Add("jobId", idError);
        if (!errors.IsEmpty) return new PostDecision.Reject(errors.ToDictionary());

        var type = description.OrchestrationType ?? settings.DefaultOrchestrationType;
        return new PostDecision.Accept(new JobPosted(cmd.JobId, description, type, cmd.Requester, now + settings.JobDeadline, now));
    }

    public static bool SameDescription(JobDescription a, JobDescription b) =>
        JsonSerializer.Serialize(a with { JobId = null }, CanonicalJson) == JsonSerializer.Serialize(b with { JobId = null }, CanonicalJson);

    public static SearchStarted StartSearch(Job job, IEnumerable<string> candidateIds, DateTimeOffset now) =>
        new(job.JobId, candidateIds.Order(StringComparer.Ordinal).ToArray(), now);

    /// <summary>All bid answers are in (or timed out): record the index, then shortlist or fail.</summary>
    public static IReadOnlyList<IJobEvent> CompleteSearch(
        Job job, IEnumerable<Bid> bids, IEnumerable<DeclineMessage> declines, IEnumerable<TimeoutResponse> timeouts, DateTimeOffset now)
    {
        var completed = new SearchCompleted(job.JobId, BidRanking.Rank(bids),
            declines.OrderBy(d => d.ProviderId, StringComparer.Ordinal).ToArray(),
            timeouts.OrderBy(t => t.ProviderId, StringComparer.Ordinal).ToArray(), now);
        return Then(job, [completed], now);
    }

    /// <summary>The selected provider answered the job request (a locked bid), declined, or timed out.</summary>
    public static IReadOnlyList<IJobEvent> OnJobRequestAnswer(Job job, IProviderMessage answer, DateTimeOffset now) => answer switch
    {
        Bid { ResourcesLocked: true } bid => [new ResourcesConfirmed(job.JobId, bid, now)],
        Bid bid => Drop(job, new DeclineMessage(job.JobId, bid.ProviderId, ExchangePhase.JobRequest, DeclineReason.NotLocked,
            "answered the job request without locking resources"), null, now),
        DeclineMessage decline => Drop(job, decline, null, now),
        TimeoutResponse timeout => Drop(job, null, timeout, now),
        _ => [],
    };

    /// <summary>The selected provider signed the contract, declined it, or timed out.</summary>
    public static IReadOnlyList<IJobEvent> OnContractAnswer(Job job, IProviderMessage answer, DateTimeOffset now) => answer switch
    {
        ContractSigned signed => [new ContractClosed(job.JobId, signed.Contract, now)],
        DeclineMessage decline => Drop(job, decline, null, now),
        TimeoutResponse timeout => Drop(job, null, timeout, now),
        _ => [],
    };

    /// <summary>The service provider's half of contract closure: is the counterparty approved?</summary>
    public static IReadOnlyList<IJobEvent> VerifyProvider(Job job, ApprovalPolicy approval, DateTimeOffset now)
    {
        var provider = job.Selected!.ProviderId;
        if (approval.IsApproved(provider)) return [];
        return Drop(job, new DeclineMessage(job.JobId, provider, ExchangePhase.ContractClosure, DeclineReason.VerificationFailed,
            approval.Why(provider, "compute provider")), null, now);
    }

    public static Contract ProposeContract(Job job, OrchestratorSettings settings, DateTimeOffset now)
    {
        var bid = job.Selected!;
        var duration = job.Description!.Requirements.DurationMinutes is { } minutes
            ? TimeSpan.FromMinutes(minutes)
            : settings.DefaultJobDuration;
        // Deterministic id: a proposal re-sent after a crash names the same contract, so the provider can answer
        // it idempotently instead of committing resources twice.
        return new Contract($"{job.JobId}@{bid.ProviderId}", job.JobId, settings.NodeId, bid.ProviderId,
            job.Description.Requirements.Resources, [], bid.PricePerHour, now, now, now + duration);
    }

    public static IReadOnlyList<IJobEvent> DeadlinePassed(Job job, DateTimeOffset now) => job.IsTerminal
        ? []
        : [new JobFailed(job.JobId, FailureReason.DeadlinePassed,
            $"the job did not reach a contract by its deadline {job.Deadline:O} (it was {job.State})", now)];

    private static IReadOnlyList<IJobEvent> Drop(Job job, DeclineMessage? decline, TimeoutResponse? timeout, DateTimeOffset now)
    {
        var provider = decline?.ProviderId ?? timeout!.ProviderId;
        return Then(job, [new CandidateDropped(job.JobId, provider, decline, timeout, now)], now);
    }

    /// <summary>The given events, followed by shortlisting the next candidate or failing the job.</summary>
    private static IReadOnlyList<IJobEvent> Then(Job job, IJobEvent[] events, DateTimeOffset now) =>
        [.. events, NextCandidate(job.Apply(events), now)];

    public static IJobEvent NextCandidate(Job job, DateTimeOffset now)
    {
        var next = job.Bids.FirstOrDefault(b => !job.Dropped.Contains(b.ProviderId));
        if (next is not null)
        {
            var rank = job.Bids.IndexOf(next) + 1;
            var note = $"shortlisted {next.ProviderId} (rank {rank} of {job.Bids.Count}: {next.PricePerHour}/h" +
                       (next.ResourcesLocked ? ", resources locked with the bid)" : ")");
            return new ProviderShortlisted(job.JobId, next.ProviderId, note, now);
        }

        return Failure(job, now);
    }

    private static JobFailed Failure(Job job, DateTimeOffset now)
    {
        if (job.Bids.Count == 0)
        {
            var message = job.Candidates.Count == 0
                ? "no provider was eligible: no providers are known to this node"
                : $"no provider was eligible: {job.Candidates.Count} asked, {Summary(job.Declines, job.Timeouts)}";
            return new JobFailed(job.JobId, FailureReason.NoEligibleProvider, message, now);
        }

        var late = job.Declines.Where(d => d.Phase != ExchangePhase.Bid).ToArray();
        var lateTimeouts = job.Timeouts.Where(t => t.Phase != ExchangePhase.Bid).ToArray();
        if (late.Length > 0 && lateTimeouts.Length == 0 && late.All(d => d.Reason == DeclineReason.VerificationFailed))
            return new JobFailed(job.JobId, FailureReason.VerificationFailed,
                $"verification failed for every eligible provider ({job.Bids.Count}): " +
                string.Join("; ", late.Select(d => $"{d.ProviderId}: {d.Detail}")), now);

        return new JobFailed(job.JobId, FailureReason.AllCandidatesDeclined,
            $"all {job.Bids.Count} eligible provider(s) dropped out: {Summary(late, lateTimeouts)}", now);
    }

    private static string Summary(IEnumerable<DeclineMessage> declines, IEnumerable<TimeoutResponse> timeouts)
    {
        var parts = declines.Select(d => $"{d.ProviderId} declined at {Kebab(d.Phase.ToString())} ({Kebab(d.Reason.ToString())}: {d.Detail})")
            .Concat(timeouts.Select(t => $"{t.ProviderId} timed out at {Kebab(t.Phase.ToString())} after {t.After.TotalSeconds:0.###} s"))
            .ToArray();
        return parts.Length == 0 ? "none answered" : string.Join("; ", parts);
    }

    internal static string Kebab(string pascal) => JsonNamingPolicy.KebabCaseLower.ConvertName(pascal);
}
