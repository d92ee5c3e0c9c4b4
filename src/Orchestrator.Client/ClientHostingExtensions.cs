using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Hosting;
using Orchestrator.Protocol.Messages;

namespace Orchestrator.Client;

public static class ClientHostingExtensions
{
    /// <summary>
    /// Everything an actor system needs to post jobs and follow them: the serializer binding, and the
    /// <see cref="OrchestratorJobs"/> actor in the registry — a shard-region proxy when this system is a cluster
    /// member, a cluster client to the receptionists otherwise. The system needs <c>akka.actor.provider = cluster</c>
    /// as a member (<c>WithClustering</c>), or <c>remote</c> at least as a cluster client (<c>WithRemoting</c>).
    /// </summary>
    public static AkkaConfigurationBuilder WithOrchestratorClient(this AkkaConfigurationBuilder builder, OrchestratorClientOptions options)
    {
        builder.WithOrchestratorSerialization();
        if (options.JoinsCluster)
            return builder.WithShardRegionProxy<OrchestratorJobs>(JobSharding.TypeName, options.JobsRole, new JobMessageExtractor());

        var contacts = options.Receptionists.Select(ReceptionistPath).ToList();
        return builder.WithClusterClient<ClusterClientGateway>(contacts)
            .WithActors((system, registry) =>
                registry.Register<OrchestratorJobs>(system.ActorOf(ClusterClientGateway.Props(registry.Get<ClusterClientGateway>()), "orchestrator-jobs")));
    }

    /// <summary>An address becomes its receptionist's path; a path is taken as it is.</summary>
    private static ActorPath ReceptionistPath(string contact)
    {
        var path = contact.Contains("/system/", StringComparison.Ordinal) ? contact : contact.TrimEnd('/') + "/system/receptionist";
        return ActorPath.TryParse(path, out var parsed)
            ? parsed
            : throw new ArgumentException($"OrchestratorClient:Receptionists: '{contact}' is not an actor system address (akka.tcp://system@host:port)");
    }
}
