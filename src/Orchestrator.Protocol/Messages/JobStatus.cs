using Orchestrator.Protocol.Model;

namespace Orchestrator.Protocol.Messages;

/// <summary>One entry of a job's history: the state it entered, when, and why.</summary>
public sealed record StateChange(JobState State, DateTimeOffset At, string? Note);

public sealed record JobFailure(FailureReason Reason, string Message);

/// <summary>Everything known about a job: what <c>GET /orchestrator/jobs/{id}</c> shows.</summary>
public sealed record JobStatus(
    string JobId,
    JobState State,
    JobDescription Description,
    OrchestrationType OrchestrationType,
    string Requester,
    DateTimeOffset PostedAt,
    DateTimeOffset Deadline,
    IReadOnlyList<StateChange> History,
    IReadOnlyList<string> CandidateProviders,
    IReadOnlyList<Bid> EligibleProviders,
    string? SelectedProviderId,
    IReadOnlyList<DeclineMessage> Declines,
    IReadOnlyList<TimeoutResponse> Timeouts,
    Contract? Contract,
    JobFailure? Failure,
    SelectionCriterion Selection,
    IReadOnlyList<Preference> Preferences,
    SearchExplanation? Explanation,
    SearchWait? Waiting) : IJobMessage
{
    /// <summary>The cluster node hosting the job's actor when it answered.</summary>
    public string HostedBy { get; init; } = "";

    /// <summary>Both parties' signatures over <see cref="Contract"/>, on a network with an authority.</summary>
    public ContractSignatures? Signatures { get; init; }

    /// <summary>
    /// "Why not this provider?": every provider the latest search considered, by name, with what became of it and the
    /// first constraint it failed — bounded for a big network (<see cref="ProvidersNotNamed"/> more were ruled out).
    /// </summary>
    public IReadOnlyList<ProviderVerdict> Providers { get; init; } = [];

    public int ProvidersNotNamed { get; init; }

    /// <summary>While a search round is under way: the providers whose answers it waits for, and until when.</summary>
    public SearchRoundWait? AwaitingBids { get; init; }

    /// <summary>The run going on (started on its provider's node), for a job that runs something.</summary>
    public RunRecord? CurrentRun { get; init; }

    /// <summary>Every run that ended, in order: the last one is the job's result.</summary>
    public IReadOnlyList<RunRecord> Runs { get; init; } = [];

    /// <summary>The job's life ended (<see cref="JobStates.IsFinal"/>): its state will not change again.</summary>
    public bool Final { get; init; }

    /// <summary>Every ended contract's settlement (the job's side of the ledger), in the order its runs ended.</summary>
    public IReadOnlyList<SettlementRecord> Settlements { get; init; } = [];
}

/// <summary>A search round under way: whom it still waits for, and when it stops waiting.</summary>
public sealed record SearchRoundWait(IReadOnlyList<string> Providers, DateTimeOffset Until);

/// <summary>The job found nothing it could contract on its last search and will search again at <see cref="NextSearchAt"/>.</summary>
public sealed record SearchWait(int Attempt, DateTimeOffset NextSearchAt, FailureReason Reason, string Message);
