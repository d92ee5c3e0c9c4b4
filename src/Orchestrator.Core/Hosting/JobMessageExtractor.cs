using Akka.Cluster.Sharding;
using Orchestrator.Protocol.Messages;

namespace Orchestrator.Hosting;

/// <summary>Routes every <see cref="IJobMessage"/> to the job's entity; the job id is the entity id.</summary>
public sealed class JobMessageExtractor(int maxShards = JobSharding.MaxShards) : HashCodeMessageExtractor(maxShards)
{
    public override string? EntityId(object message) => (message as IJobMessage)?.JobId;
}

/// <summary>Registry key of the job shard region (or proxy).</summary>
public sealed class JobRegion;
