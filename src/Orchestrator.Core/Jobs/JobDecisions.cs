using Orchestrator.Providers;
using System.Text.Json;
using Orchestrator.Configuration;
using Orchestrator.Matching;
using Orchestrator.Protocol.Events;
using Orchestrator.Protocol.Messages;
using Orchestrator.Protocol.Model;
using Orchestrator.Trust;
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

    /// <summary>
    /// The next step for the job as persisted (with a lock confirmation not yet journaled applied) and what the actor
    /// has going on. Safe to ask at any time: a step already under way is not started twice.
    /// </summary>
    public static JobStep Next(Job job, JobRuntime runtime, DateTimeOffset now)
    {
        if (!job.Exists || job.IsTerminal) return JobStep.Wait.Instance;
        if (job.Waiting is not null && job.Waiting.NextSearchAt > now) return new JobStep.SearchAgainAt(job.Waiting.NextSearchAt);

        // A search is chosen from a view taken for it: the one left over from an earlier round may be stale.
        var needsFreshView = job.State == JobState.Posted || job.Waiting is not null;
        if (!runtime.HasView || (needsFreshView && !runtime.ViewIsFresh))
            return runtime.DirectoryAsked ? JobStep.Wait.Instance : JobStep.AskDirectory.Instance;

        return job.State switch
        {
            JobState.Posted => JobStep.StartSearch.Instance,
            JobState.Searching when job.Waiting is not null => JobStep.StartSearch.Instance,
            JobState.Searching when !runtime.CollectingBids => JobStep.CollectBids.Instance,
            JobState.Matched when !job.ResourcesLocked => JobStep.RecordRequestSent.Instance,
            JobState.Requested when !job.ResourcesLocked && !runtime.ExchangeInFlight => JobStep.SendJobRequest.Instance,
            JobState.Matched or JobState.Requested when job.ResourcesLocked && !runtime.ExchangeInFlight => JobStep.ProposeContract.Instance,
            _ => JobStep.Wait.Instance,
        };
    }

    public static PostDecision Post(Job job, PostJob cmd, OrchestratorSettings settings, DateTimeOffset now)
    {
        var description = cmd.Description with { JobId = cmd.JobId };
        if (job.Exists)
        {
            return SameDescription(job.Description!, description)
                ? new PostDecision.AlreadyPosted(job.State)
                : new PostDecision.Conflict($"job '{cmd.JobId}' already exists with a different description");
        }

        var errors = JobDescriptionValidator.Validate(description, settings.DefaultOrchestrationType, settings.InlineModuleLimit);
        // The validator checks an id the description carries; a command without one is refused here.
        if (description.JobId is null) errors.Add("jobId", "must not be empty");
        var type = description.OrchestrationType ?? settings.DefaultOrchestrationType;
        if (!errors.IsEmpty) return new PostDecision.Reject(errors.ToDictionary());

        // A job that runs a program needs a provider that offers its executor (declared) on a node that registered it (Runs).
        var execution = description.Execution;
        var requirements = description.Requirements with
        {
            DurationMinutes = description.Requirements.DurationMinutes ?? (int)Math.Ceiling(settings.DefaultJobDuration.TotalMinutes),
            Runs = execution?.Executor,
            Executors = execution is null || description.Requirements.Executors.Count > 0 ? description.Requirements.Executors : [execution.Executor],
        };
        var deadline = now + (description.DeadlineSeconds is null ? settings.JobDeadline : TimeSpan.FromSeconds(description.DeadlineSeconds.Value));
        return new PostDecision.Accept(new JobPosted(cmd.JobId, description, type, description.Selection ?? settings.DefaultSelection,
            EffectivePreferences(description.Preferences, settings), requirements, cmd.Requester, deadline, now));
    }

    /// <summary>The job's preferences plus the node's built-in ones (lower price, spare capacity) it did not state itself.</summary>
    public static IReadOnlyList<Preference> EffectivePreferences(IReadOnlyList<Preference> stated, OrchestratorSettings settings)
    {
        var all = stated.ToList();
        if (settings.LowerPriceWeight > 0 && !stated.Any(p => p.LowerPrice == true))
            all.Add(new Preference { Weight = settings.LowerPriceWeight, LowerPrice = true });
        if (settings.SpareCapacityWeight > 0 && !stated.Any(p => p.SpareCapacity == true))
            all.Add(new Preference { Weight = settings.SpareCapacityWeight, SpareCapacity = true });
        return all;
    }

    public static bool SameDescription(JobDescription a, JobDescription b) =>
        JsonSerializer.Serialize(a with { JobId = null }, CanonicalJson) == JsonSerializer.Serialize(b with { JobId = null }, CanonicalJson);

    /// <summary>A search begins: whom it asks, and, by name, whom the directory ruled out and why.</summary>
    public static IReadOnlyList<IJobEvent> StartSearch(Job job, CandidateChoice choice, DateTimeOffset now)
    {
        var started = new SearchStarted(job.JobId, job.Attempt + 1, choice.Candidates, choice.Considered, choice.Prefiltered, now);
        return choice.RuledOut.Count == 0 && choice.RuledOutUnnamed == 0
            ? [started]
            : [started, new ProvidersRuledOut(job.JobId, started.Attempt, choice.RuledOut, choice.RuledOutUnnamed, now)];
    }

    /// <summary>
    /// The events, followed by the steps they call for that need no answer from anyone, so both go to the journal
    /// in one write: a shortlisted provider's job request is recorded as sent with the shortlisting itself.
    /// </summary>
    public static IReadOnlyList<IJobEvent> WithFollowUps(Job job, IReadOnlyList<IJobEvent> events, DateTimeOffset now)
    {
        var after = job.Apply(events);
        return after.State == JobState.Matched && !after.ResourcesLocked && after.Selected is not null
            ? [.. events, new JobRequestSent(job.JobId, after.Selected.ProviderId, now)]
            : events;
    }

    /// <summary>All bid answers are in (or timed out): rank and explain the index, then shortlist, wait, or fail.</summary>
    public static IReadOnlyList<IJobEvent> CompleteSearch(
        Job job, IEnumerable<Bid> bids, IEnumerable<DeclineMessage> declines, IEnumerable<TimeoutResponse> timeouts,
        OrchestratorSettings settings, DateTimeOffset now)
    {
        var outcome = SearchOutcome.Of(job.Description!, job.OrchestrationType, job.Selection, job.Preferences, job.Attempt,
            job.Considered, job.Prefiltered, job.Candidates.Count, bids, declines, timeouts, job.Requirements?.DurationMinutes);
        var completed = new SearchCompleted(job.JobId, outcome.RankedBids, outcome.Declines, outcome.Timeouts, outcome.Explanation, now);
        return Then(job, [completed], settings, now);
    }

    /// <summary>The selected provider answered the job request (a locked bid), declined, or timed out.</summary>
    public static IReadOnlyList<IJobEvent> OnJobRequestAnswer(Job job, IProviderMessage answer, OrchestratorSettings settings, DateTimeOffset now) => answer switch
    {
        Bid { ResourcesLocked: true } bid => [new ResourcesConfirmed(job.JobId, bid with { Capability = null, Proof = null }, now)],
        Bid bid => Drop(job, new DeclineMessage(job.JobId, bid.ProviderId, ExchangePhase.JobRequest, DeclineReason.NotLocked,
            "answered the job request without locking resources"), null, settings, now),
        DeclineMessage decline => Drop(job, decline, null, settings, now),
        TimeoutResponse timeout => Drop(job, null, timeout, settings, now),
        _ => [],
    };

    /// <summary>
    /// The selected provider signed the contract, declined it, or timed out. A signed contract is accepted only if
    /// its terms are the job's (<see cref="ContractTerms"/>) and the provider's signature and credential check out;
    /// the requester then signs the same terms, and both signatures are stored with the contract.
    /// </summary>
    public static IReadOnlyList<IJobEvent> OnContractAnswer(Job job, IProviderMessage answer, ParticipantTrust trust, OrchestratorSettings settings,
        DateTimeOffset now) => answer switch
    {
        ContractSigned signed => Countersign(job, signed, trust, settings, now),
        DeclineMessage decline => Drop(job, decline, null, settings, now),
        TimeoutResponse timeout => Drop(job, null, timeout, settings, now),
        _ => [],
    };

    private static IReadOnlyList<IJobEvent> Countersign(Job job, ContractSigned signed, ParticipantTrust trust, OrchestratorSettings settings, DateTimeOffset now)
    {
        var terms = signed.Contract;
        var mismatch = ContractTerms.Mismatch(ProposeContract(job, settings, terms.StartsAt), terms);
        var verdict = mismatch is null
            ? trust.CheckContract(signed.ProviderProof, ParticipantRole.ComputeProvider, job.Selected!.ProviderId, terms, now)
            : new TrustVerdict(DistrustReason.TermsMismatch, mismatch);
        if (!verdict.IsTrusted) return Drop(job, Distrusted(job.JobId, job.Selected!.ProviderId, ExchangePhase.ContractClosure, verdict), null, settings, now);
        var requester = trust.Sign(Signing.ContractBytes(terms));
        var signatures = requester is null ? null : new ContractSignatures(requester, signed.ProviderProof!);
        return [new ContractClosed(job.JobId, terms, now, signatures)];
    }

    /// <summary>
    /// A bid or job-request acceptance from a provider whose signature or credential does not check out becomes its
    /// decline, with the reason: the job never ranks it, nor relies on its lock.
    /// </summary>
    public static IProviderMessage Vetted(IProviderMessage answer, ParticipantTrust trust, string nonce, ExchangePhase phase, DateTimeOffset now)
    {
        var bid = answer as Bid;
        if (bid is null) return answer;
        var verdict = trust.CheckBid(bid, nonce, now);
        return verdict.IsTrusted ? answer : Distrusted(bid.JobId, bid.ProviderId, phase, verdict);
    }

    /// <summary>
    /// The answer of a provider that is no longer in the directory: a decline (<c>provider-gone</c>) naming the member it
    /// ran on and why it went, when the directory remembers its departure. No answer can come from it, so none is awaited.
    /// </summary>
    public static DeclineMessage Gone(string jobId, string providerId, ExchangePhase phase, ProviderDeparture? departure) =>
        new(jobId, providerId, phase, DeclineReason.ProviderGone,
            departure?.Describe() ?? $"provider '{providerId}' is no longer in the directory (it left; its member is no longer remembered)");

    public static DeclineMessage Distrusted(string jobId, string providerId, ExchangePhase phase, TrustVerdict verdict) =>
        new(jobId, providerId, phase, DeclineReason.VerificationFailed, verdict.ToString());

    /// <summary>
    /// The service provider's half of contract closure on a network without an authority: is the counterparty on the
    /// approved list? (With an authority, the provider's signature on the contract is checked instead.)
    /// </summary>
    public static IReadOnlyList<IJobEvent> VerifyProvider(Job job, ParticipantTrust trust, OrchestratorSettings settings, DateTimeOffset now)
    {
        var provider = job.Selected!.ProviderId;
        if (trust.IsSigned) return [];
        var verdict = trust.CheckApproved(ParticipantRole.ComputeProvider, provider);
        if (verdict.IsTrusted) return [];
        return Drop(job, Distrusted(job.JobId, provider, ExchangePhase.ContractClosure, verdict), null, settings, now);
    }

    /// <summary>The terms the job proposes, starting <paramref name="now"/>.</summary>
    public static Contract ProposeContract(Job job, OrchestratorSettings settings, DateTimeOffset now)
    {
        var bid = job.Selected!;
        var minutes = job.Requirements!.DurationMinutes;
        var duration = minutes is null ? settings.DefaultJobDuration : TimeSpan.FromMinutes(minutes.Value);
        // Deterministic id: a proposal re-sent after a crash names the same contract, so the provider can answer
        // it idempotently instead of committing resources twice.
        return new Contract($"{job.JobId}@{bid.ProviderId}", job.JobId, settings.NodeId, bid.ProviderId,
            job.Requirements.Resources, [], bid.PricePerResult is null ? bid.PricePerHour : 0m, now, now, now + duration)
        {
            PricePerResult = bid.PricePerResult,
            Currency = bid.Currency ?? bid.Capability?.Currency ?? "USD",
            Runs = job.Description?.Execution?.Executor,
        };
    }

    /// <summary>
    /// A provider asks whether the job holds its contract. Confirmed when it is the job's contract; no answer (null)
    /// while the job is still closing with that provider (it will close or release, and the provider asks again);
    /// otherwise disowned, with the reason, and the provider reverts it.
    /// </summary>
    public static IProviderMessage? AnswerContractQuery(Job job, ContractQuery query)
    {
        var (jobId, providerId, contractId) = (query.JobId, query.ProviderId, query.ContractId);
        if (!job.Exists) return new ContractDisowned(jobId, providerId, contractId, $"job '{jobId}' does not exist", query.QueryId);
        var held = job.Contract;
        if (held is not null && held.ContractId == contractId && held.ProviderId == providerId)
            return new ContractConfirmed(jobId, providerId, contractId, query.QueryId);
        if (!job.IsTerminal && job.Selected?.ProviderId == providerId) return null;
        var why = job.State switch
        {
            JobState.Contracted => $"the job contracted {held!.ContractId}",
            JobState.Failed => $"the job failed ({Kebab(job.Failure!.Reason.ToString())})",
            _ => $"the job moved on without {providerId} (it is {job.State})",
        };
        return new ContractDisowned(jobId, providerId, contractId, why, query.QueryId);
    }

    /// <summary>
    /// The deadline came. A job waiting to search again fails with what its last search found; any other with
    /// deadline-passed.
    /// </summary>
    public static IReadOnlyList<IJobEvent> DeadlinePassed(Job job, DateTimeOffset now)
    {
        // The deadline is for reaching a contract: a job past it (running its program) has met it.
        if (job.IsTerminal || job.State is JobState.Contracted or JobState.Running) return [];
        var waiting = job.Waiting;
        if (waiting is not null)
            return [new JobFailed(job.JobId, waiting.Reason,
                $"{waiting.Message} (still so after {job.Attempt} search(es), when the deadline {job.Deadline:O} passed)", now)];
        return [new JobFailed(job.JobId, FailureReason.DeadlinePassed,
            $"the job did not reach a contract by its deadline {job.Deadline:O} (it was {job.State})", now)];
    }

    /// <summary>A cancellation: the job fails with reason cancelled, unless it is terminal already (then nothing).</summary>
    public static IReadOnlyList<IJobEvent> Cancel(Job job, string reason, DateTimeOffset now) =>
        job.IsTerminal
            ? []
            : job.State is JobState.Contracted or JobState.Running
                // Its run ends cancelled (the job ends Cancelled; the provider stops the program and frees the resources).
                ? RunDecisions.Cancel(job, reason, now)
                : [new JobFailed(job.JobId, FailureReason.Cancelled, $"cancelled while {job.State}: {reason}", now)];

    /// <summary>How long a job waits before search number <paramref name="attempt"/> + 1: doubling, capped.</summary>
    public static TimeSpan Backoff(int attempt, OrchestratorSettings settings)
    {
        var factor = Math.Pow(2, Math.Clamp(attempt - 1, 0, 30));
        var wait = TimeSpan.FromTicks((long)Math.Min(settings.SearchRetryMaxBackoff.Ticks, settings.SearchRetryMinBackoff.Ticks * factor));
        return wait;
    }

    private static IReadOnlyList<IJobEvent> Drop(Job job, DeclineMessage? decline, TimeoutResponse? timeout, OrchestratorSettings settings, DateTimeOffset now)
    {
        var provider = decline?.ProviderId ?? timeout!.ProviderId;
        return Then(job, [new CandidateDropped(job.JobId, provider, decline, timeout, now)], settings, now);
    }

    /// <summary>The given events, followed by shortlisting the next candidate, waiting to search again, or failing.</summary>
    private static IReadOnlyList<IJobEvent> Then(Job job, IJobEvent[] events, OrchestratorSettings settings, DateTimeOffset now) =>
        [.. events, NextCandidate(job.Apply(events), settings, now)];

    public static IJobEvent NextCandidate(Job job, OrchestratorSettings settings, DateTimeOffset now)
    {
        var next = job.Bids.FirstOrDefault(b => !job.Dropped.Contains(b.ProviderId));
        if (next is not null)
        {
            var rank = job.Bids.IndexOf(next) + 1;
            var score = job.Explanation?.Ranking.FirstOrDefault(r => r.ProviderId == next.ProviderId)?.Score;
            var note = $"shortlisted {next.ProviderId} (rank {rank} of {job.Bids.Count}" +
                       (job.OrchestrationType == OrchestrationType.Push ? ", the user's choice" : $" by {Kebab(job.Selection.ToString())}") +
                       (score is null ? "" : $", score {score:0.###}") + $", {Pricing.Basis(next, job.Requirements?.DurationMinutes)}" +
                       (next.ResourcesLocked ? ", resources locked with the bid)" : ")");
            return new ProviderShortlisted(job.JobId, next.ProviderId, note, now);
        }

        var failure = Failure(job, now);
        // Capacity comes and goes: a pull job that found nothing it could contract tries again until its deadline.
        // A push job asked exactly the providers its user chose, so waiting would not change the answer.
        if (job.OrchestrationType == OrchestrationType.Pull && failure.Reason is FailureReason.NoEligibleProvider or FailureReason.AllCandidatesDeclined)
        {
            var retryAt = now + Backoff(job.Attempt, settings);
            if (retryAt < job.Deadline)
                return new SearchRetryScheduled(job.JobId, job.Attempt + 1, retryAt, failure.Reason, failure.Message, now);
            return failure with { Message = $"{failure.Message} (after {job.Attempt} search(es); no time for another before the deadline {job.Deadline:O})" };
        }

        return failure;
    }

    private static JobFailed Failure(Job job, DateTimeOffset now)
    {
        if (job.Bids.Count == 0)
        {
            // Every provider that bid was refused by verification (a revoked or untrusted credential, a bad signature).
            var refused = job.RoundDeclines.Where(d => d.Phase == ExchangePhase.Bid).ToArray();
            if (refused.Length > 0 && refused.All(d => d.Reason == DeclineReason.VerificationFailed))
                return new JobFailed(job.JobId, FailureReason.VerificationFailed,
                    $"verification failed for every provider that bid ({refused.Length}): " +
                    string.Join("; ", refused.Select(d => $"{d.ProviderId}: {d.Detail}")), now);

            var message = job.Considered == 0
                ? "no provider was eligible: no providers are known to this node"
                : $"no provider was eligible: {job.Considered} considered, " + RuledOut(job);
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

    /// <summary>"ruled out by insufficient-cpu (3), locality-mismatch (1); 1 timed out".</summary>
    private static string RuledOut(Job job)
    {
        var filtered = job.Explanation?.FilteredOut ?? job.Prefiltered;
        var parts = filtered.Where(kv => kv.Value > 0).Select(kv => $"{kv.Key} ({kv.Value})").ToArray();
        var text = parts.Length == 0 ? "none ruled out by a constraint" : "ruled out by " + string.Join(", ", parts);
        var timedOut = job.Explanation?.TimedOut ?? 0;
        return timedOut > 0 ? $"{text}; {timedOut} did not answer in time" : text;
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
