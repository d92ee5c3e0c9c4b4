namespace Orchestrator.Api;

/// <summary>
/// The <c>type</c> of a problem a client must tell apart to act correctly (RFC 9457: a URI naming the kind of
/// problem). Every other problem has no type (<c>about:blank</c>): its status says it all.
/// </summary>
public static class ProblemTypes
{
    /// <summary>
    /// A post refused before anything was written (the node is joining, cut off from the majority, or its journal is
    /// down): not taken. Posting it again, here later or to another node, cannot make a second job.
    /// </summary>
    public const string PostNotTaken = "urn:orchestrator:problem:post-not-taken";

    /// <summary>
    /// A post that may or may not have been stored (its answer did not come in time, or the node was cut off while
    /// waiting for it): re-post the same jobId, which is idempotent, to learn which. Posting it under a new id may run
    /// the work twice.
    /// </summary>
    public const string PostOutcomeUnknown = "urn:orchestrator:problem:post-outcome-unknown";
}
