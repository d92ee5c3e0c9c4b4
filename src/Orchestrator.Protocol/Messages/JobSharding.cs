namespace Orchestrator.Protocol.Messages;

/// <summary>
/// How jobs are sharded, for another actor system that reaches them (Orchestrator.Client's <c>JobMessageExtractor</c>
/// uses it): the type name, the default role of the members hosting jobs (<c>orchestrator.roles.jobs</c>), and the
/// shard count (a <c>HashCodeMessageExtractor</c> with this many shards, entity id = <see cref="IJobMessage.JobId"/>).
/// </summary>
public static class JobSharding
{
    public const string TypeName = "job";
    public const string Role = "jobs";
    public const int MaxShards = 100;
}
