using Orchestrator.Protocol.Model;

namespace Orchestrator.Protocol.Messages;

/// <summary>
/// Post a job (the seed's <c>processJob</c>). Answered with <see cref="JobAccepted"/> once durably persisted, with
/// <see cref="JobRejected"/> for invalid input, or <see cref="JobConflict"/> when the id exists with another body.
/// </summary>
/// <param name="Subscriber">
/// Told every state the job goes through, from Posted on (as <see cref="SubscribeToJob"/> does, but without missing
/// the states written before a later subscription arrives); null: nobody is.
/// </param>
public sealed record PostJob(string JobId, JobDescription Description, string Requester, Akka.Actor.IActorRef? Subscriber = null) : IJobMessage;

/// <summary>Ask for a job's full status: answered with <see cref="JobStatus"/> or <see cref="JobNotFound"/>.</summary>
public sealed record GetJob(string JobId) : IJobMessage;

/// <summary>
/// Wakes the job wherever its shard lives now: an unfinished job that is not running (its node died, its shard moved,
/// the cluster restarted) recovers from its journal and carries on. The node's resume sweep sends it for every
/// unfinished job it knows of; to a running job, or one that does not exist, it changes nothing.
/// </summary>
public sealed record ResumeJob(string JobId) : IJobMessage;

/// <summary>The job is stored (or was already). <see cref="HostedBy"/>: the member its actor runs on, for the operator.</summary>
public sealed record JobAccepted(string JobId, JobState State, bool Created, string? HostedBy = null) : IJobMessage;

/// <summary>Invalid input: field path to what is wrong with it. Nothing was persisted.</summary>
public sealed record JobRejected(string JobId, IReadOnlyDictionary<string, string[]> Errors) : IJobMessage;

/// <summary>The id is taken by a job with a different description.</summary>
public sealed record JobConflict(string JobId, string Detail) : IJobMessage;

/// <summary>No job has this id. <see cref="HostedBy"/>: the member whose job actor answered (the id's shard's home).</summary>
public sealed record JobNotFound(string JobId, string? HostedBy = null) : IJobMessage;

/// <summary>
/// Stop a job that has no contract yet: it fails with reason cancelled and releases whatever providers hold for
/// it. Answered with <see cref="JobCancelled"/>, <see cref="JobNotCancellable"/> (already terminal) or
/// <see cref="JobNotFound"/>.
/// </summary>
public sealed record CancelJob(string JobId, string Reason) : IJobMessage;

public sealed record JobCancelled(string JobId) : IJobMessage;

/// <summary>The job is terminal already (contracted or failed): cancelling changes nothing.</summary>
public sealed record JobNotCancellable(string JobId, JobState State, string Detail) : IJobMessage;

/// <summary>
/// Follow a job: <see cref="Subscriber"/> gets a <see cref="JobStateChanged"/> with the current state at once,
/// then one per state change. Subscriptions live in memory with the job; if the job's node crashes, the job
/// resumes elsewhere and the subscriber (watching the sender of its first update) subscribes again.
/// Answered with <see cref="JobNotFound"/> for an unknown job.
/// </summary>
public sealed record SubscribeToJob(string JobId, Akka.Actor.IActorRef Subscriber) : IJobMessage;

/// <summary>A job entered <see cref="State"/>; sent to subscribers.</summary>
public sealed record JobStateChanged(
    string JobId,
    JobState State,
    DateTimeOffset At,
    string? Note,
    Contract? Contract,
    JobFailure? Failure) : IOrchestratorMessage
{
    /// <summary>The job's life ended with this change (no more follow): see <see cref="JobStates.IsFinal"/>.</summary>
    public bool Final { get; init; }

    /// <summary>The run the change is about (started, or ended with its outcome), for a job that runs something.</summary>
    public RunRecord? Run { get; init; }
}

/// <summary>The job could not be stored (the journal is unreachable): nothing was accepted; post again later.</summary>
public sealed record JobUnavailable(string JobId, string Reason) : IJobMessage;
