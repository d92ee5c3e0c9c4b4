namespace Orchestrator.Protocol.Messages;

/// <summary>
/// How jobs are sharded, for another actor system that starts a shard-region proxy to reach them: the type name,
/// the role of the nodes hosting jobs, and the shard count its message extractor must use (a
/// <c>HashCodeMessageExtractor</c> with this many shards, entity id = <see cref="IJobMessage.JobId"/>).
/// </summary>
public static class JobSharding
{
    public const string TypeName = "job";
    public const string Role = "jobs";
    public const int MaxShards = 100;
    public const string ActorSystemName = "orchestrator";
}
