using Orchestrator.Protocol.Messages;
using Orchestrator.Protocol.Model;

namespace Orchestrator.Protocol.Events;

// Persisted with Hyperion, which records type and field layout: never rename or move these types or their fields.

public sealed record JobPosted(
    string JobId,
    JobDescription Description,
    OrchestrationType OrchestrationType,
    string Requester,
    DateTimeOffset Deadline,
    DateTimeOffset At) : IJobEvent;

public sealed record SearchStarted(string JobId, IReadOnlyList<string> Candidates, DateTimeOffset At) : IJobEvent;

/// <summary>Every candidate answered or timed out. <see cref="Bids"/> is the EligibleComputeProvidersIndex, ranked.</summary>
public sealed record SearchCompleted(
    string JobId,
    IReadOnlyList<Bid> Bids,
    IReadOnlyList<DeclineMessage> Declines,
    IReadOnlyList<TimeoutResponse> Timeouts,
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

public sealed record ContractClosed(string JobId, Contract Contract, DateTimeOffset At) : IJobEvent;

public sealed record JobFailed(string JobId, FailureReason Reason, string Message, DateTimeOffset At) : IJobEvent;
