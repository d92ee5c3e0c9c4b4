using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;
using Orchestrator.Protocol.Messages;

namespace Orchestrator.ReadModel;

/// <summary>Hands the lines jobs publish to distributed pub-sub, so every node's <see cref="JobIndexActor"/> gets them.</summary>
public sealed class JobListingPublisher : ReceiveActor
{
    public JobListingPublisher()
    {
        var mediator = DistributedPubSub.Get(Context.System).Mediator;
        Receive<JobListingUpdate>(update => mediator.Tell(new Publish(JobListingUpdate.Topic, update)));
    }
}
