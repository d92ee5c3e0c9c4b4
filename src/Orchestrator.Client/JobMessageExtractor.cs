using Akka.Cluster.Sharding;
using Orchestrator.Protocol.Messages;

namespace Orchestrator.Client;

/// <summary>
/// Routes every <see cref="IJobMessage"/> to the job's entity; the job id is the entity id. Nodes and clients use
/// this one class, so a proxy always hashes a job to the shard its nodes host it in.
/// </summary>
public sealed class JobMessageExtractor(int maxShards = JobSharding.MaxShards) : HashCodeMessageExtractor(maxShards)
{
    public override string? EntityId(object message) => (message as IJobMessage)?.JobId;
}
