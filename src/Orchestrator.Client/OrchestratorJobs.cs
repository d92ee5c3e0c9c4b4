using Akka.Actor;
using Akka.Cluster.Tools.Client;
using Orchestrator.Protocol.Messages;

namespace Orchestrator.Client;

/// <summary>
/// Registry key of the actor that every <see cref="IJobMessage"/> goes to: a shard-region proxy on a member, or a
/// <see cref="ClusterClientGateway"/> outside the cluster. Either way the sender gets the job's replies.
/// </summary>
public sealed class OrchestratorJobs
{
    /// <summary>Where the job shard region lives on every node that hosts jobs; the receptionists forward to it.</summary>
    public const string RegionPath = "/system/sharding/" + JobSharding.TypeName;
}

/// <summary>
/// Outside the cluster: wraps each job message for the cluster client, which hands it to a receptionist, which hands
/// it to the job region on its node. Forwarded, so the job's replies (and a subscription's state changes) reach the
/// original sender.
/// </summary>
public sealed class ClusterClientGateway : ReceiveActor
{
    public ClusterClientGateway(IActorRef clusterClient)
    {
        Receive<IJobMessage>(message => clusterClient.Forward(new ClusterClient.Send(OrchestratorJobs.RegionPath, message, localAffinity: true)));
    }

    public static Props Props(IActorRef clusterClient) => Akka.Actor.Props.Create(() => new ClusterClientGateway(clusterClient));
}
