namespace Orchestrator.Persistence;

/// <summary>
/// What this node's actors last learned from the journal: whether a write or a recovery failed more recently than
/// one succeeded. The API checks it before handing a post to a job: while the journal is suspect it asks the
/// database directly and, if that fails too, refuses the post at once (503 with Retry-After) instead of letting the
/// request wait for a write that cannot happen.
/// </summary>
public sealed class JournalStatus
{
    // Both stamped from one counter, not a clock: a failure right after a success (or the reverse) in the same
    // millisecond must still come out in the order it happened.
    private long _order;
    private long _lastFailure;
    private long _lastSuccess;
    private string _lastProblem = "";

    /// <summary>A write or recovery failed, and no write succeeded after it.</summary>
    public bool IsSuspect => Volatile.Read(ref _lastFailure) > Volatile.Read(ref _lastSuccess);

    /// <summary>What the last failure said.</summary>
    public string LastProblem => Volatile.Read(ref _lastProblem);

    public void Failed(Exception cause)
    {
        Volatile.Write(ref _lastProblem, cause.GetBaseException().Message);
        Volatile.Write(ref _lastFailure, Interlocked.Increment(ref _order));
    }

    // Called after every durable write: one comparison, and a write only while the journal is suspect.
    public void Succeeded()
    {
        if (IsSuspect) Volatile.Write(ref _lastSuccess, Interlocked.Increment(ref _order));
    }
}
