using Orchestrator.Protocol.Messages;
using Orchestrator.Protocol.Model;

namespace Orchestrator.Protocol.Events;

// The journal: written by JournalEventSerializer (JSON, one manifest per event and version); journals from before it
// hold Hyperion rows, which name these types. How to change an event: CONTRIBUTING.md, "Changing an event".

/// <summary>
/// The job as accepted, with the node defaults it was accepted under made explicit (orchestration type,
/// selection, preferences including the built-in ones, duration), so a later change of config does not change
/// a job already posted.
/// </summary>
public sealed record JobPosted(
    string JobId,
    JobDescription Description,
    OrchestrationType OrchestrationType,
    SelectionCriterion Selection,
    IReadOnlyList<Preference> Preferences,
    JobRequirements Requirements,
    string Requester,
    DateTimeOffset Deadline,
    DateTimeOffset At) : IJobEvent;

/// <summary>A search round began: who is asked, out of how many, and how many the directory ruled out, per constraint.</summary>
public sealed record SearchStarted(
    string JobId,
    int Attempt,
    IReadOnlyList<string> Candidates,
    int Considered,
    IReadOnlyDictionary<string, int> Prefiltered,
    DateTimeOffset At) : IJobEvent;

/// <summary>
/// The providers the directory ruled out before a search asked anyone, by name with the constraint each failed: the
/// first <see cref="Verdicts"/> of them (a big network's are bounded), and how many more were not named.
/// </summary>
public sealed record ProvidersRuledOut(string JobId, int Attempt, IReadOnlyList<ProviderVerdict> Verdicts, int Unnamed, DateTimeOffset At) : IJobEvent;

/// <summary>Every candidate answered or timed out. <see cref="Bids"/> is the EligibleComputeProvidersIndex, ranked.</summary>
public sealed record SearchCompleted(
    string JobId,
    IReadOnlyList<Bid> Bids,
    IReadOnlyList<DeclineMessage> Declines,
    IReadOnlyList<TimeoutResponse> Timeouts,
    SearchExplanation Explanation,
    DateTimeOffset At) : IJobEvent;

/// <summary>Nothing could be contracted now; the job searches again at <see cref="RetryAt"/>, before its deadline.</summary>
public sealed record SearchRetryScheduled(
    string JobId,
    int Attempt,
    DateTimeOffset RetryAt,
    FailureReason Reason,
    string Message,
    DateTimeOffset At) : IJobEvent;

public sealed record ProviderShortlisted(string JobId, string ProviderId, string Note, DateTimeOffset At) : IJobEvent;

public sealed record JobRequestSent(string JobId, string ProviderId, DateTimeOffset At) : IJobEvent;

/// <summary>The shortlisted provider's lock was confirmed by its answer to the job request.</summary>
public sealed record ResourcesConfirmed(string JobId, Bid Bid, DateTimeOffset At) : IJobEvent;

/// <summary>The shortlisted candidate dropped out: it declined (or failed verification), or it timed out.</summary>
public sealed record CandidateDropped(
    string JobId,
    string ProviderId,
    DeclineMessage? Decline,
    TimeoutResponse? Timeout,
    DateTimeOffset At) : IJobEvent;

/// <summary>The contract, with both parties' signatures over its terms when the network has an authority.</summary>
public sealed record ContractClosed(string JobId, Contract Contract, DateTimeOffset At, ContractSignatures? Signatures = null) : IJobEvent;

public sealed record JobFailed(string JobId, FailureReason Reason, string Message, DateTimeOffset At) : IJobEvent;

/// <summary>
/// Several steps of a job decided together and written as one journal row (a post and its first search; a search's
/// end, its shortlisting and the job request; the lock confirmation and the contract): one row per write, not one per
/// step. Each step keeps its own time, so the job's history shows every state it went through.
/// </summary>
public sealed record JobStepsRecorded(string JobId, IReadOnlyList<IJobEvent> Steps) : IJobEvent
{
    private readonly IJobEvent[] _steps = Wire.Array(Steps);

    /// <summary>The steps in the order they happened (a plain array, whatever the caller passed: see <c>Wire</c>).</summary>
    public IReadOnlyList<IJobEvent> Steps { get => _steps; init => _steps = Wire.Array(value); }

    /// <summary>When the last of the steps happened.</summary>
    public DateTimeOffset At => Steps.Count == 0 ? DateTimeOffset.MinValue : Steps[^1].At;
}

/// <summary>The contracted provider started the job's program (run <see cref="Run"/> of the job, on <see cref="Node"/>).</summary>
public sealed record RunStarted(string JobId, string ContractId, string ProviderId, int Run, string Node, DateTimeOffset At) : IJobEvent;

/// <summary>
/// The job's run under <see cref="ContractId"/> ended, as its allocation reported or as the job concluded (the provider
/// lost, the job cancelled). <see cref="Retry"/>: the restart policy tries again, and the job searches anew without this provider.
/// </summary>
public sealed record RunEnded(string JobId, string ContractId, string ProviderId, int Run, RunOutcome Outcome, bool Retry, DateTimeOffset At) : IJobEvent;

/// <summary>
/// The job checked the provider's receipt for <see cref="Settlement"/>'s contract, computed the amount its terms give, and
/// signed it (<see cref="RequesterProof"/>); the provider's countersignature is awaited. <see cref="ReceiptProof"/>: the
/// provider's signature over the receipt.
/// </summary>
public sealed record SettlementProposed(string JobId, Settlement Settlement, Proof? ReceiptProof, Proof? RequesterProof, DateTimeOffset At) : IJobEvent;

/// <summary>The provider countersigned the proposed settlement: the contract is settled, with both signatures.</summary>
public sealed record ContractSettled(string JobId, Settlement Settlement, Proof? ReceiptProof, Proof? RequesterProof, Proof? ProviderProof, DateTimeOffset At)
    : IJobEvent;

/// <summary>
/// A side disagreed with the settlement of <see cref="ContractId"/> (<see cref="DisputedBy"/>: <c>requester</c> or
/// <c>provider</c>), and why. With the receipt it was about, when there was one.
/// </summary>
public sealed record SettlementDisputed(string JobId, string ContractId, string ProviderId, string DisputedBy, string Reason, UsageReceipt? Receipt,
    Proof? ReceiptProof, DateTimeOffset At) : IJobEvent;

/// <summary>The settlement provider (the plug-in that moves money) handled the settled amount of <see cref="ContractId"/>.</summary>
public sealed record SettlementTransferred(string JobId, string ContractId, SettlementTransfer Transfer, DateTimeOffset At) : IJobEvent;
