using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Cluster.Sharding;
using Akka.Hosting;
using Orchestrator.Configuration;
using Orchestrator.Jobs;
using Orchestrator.Protocol.Model;
using Orchestrator.Protocol.Messages;
using Orchestrator.Providers;
using Orchestrator.ReadModel;
using Orchestrator.Trust;

namespace Orchestrator.Hosting;

public static class OrchestratorHostingExtensions
{
    /// <summary>
    /// The job shard region: one persistent <see cref="JobActor"/> per job, remembered (event-sourced store) so
    /// an in-flight job is restarted after a crash. Terminal jobs passivate themselves.
    /// </summary>
    public static AkkaConfigurationBuilder WithJobs(this AkkaConfigurationBuilder builder, OrchestratorSettings settings, ParticipantTrust trust) =>
        builder.WithShardRegion<JobRegion>(
            JobSharding.TypeName,
            (_, registry, _) => jobId => JobActor.Props(jobId, settings, trust, registry.Get<ProviderDirectory>(),
                registry.TryGet<JobListingPublisher>(out var listing) ? listing : null),
            new JobMessageExtractor(),
            new ShardOptions
            {
                RememberEntities = true,
                RememberEntitiesStore = RememberEntitiesStore.Eventsourced,
                // The coordinator keeps its shards in the journal, so after a full restart it starts every shard that
                // had entities, and those restart their remembered (in-flight) jobs without waiting for a message.
                StateStoreMode = StateStoreMode.Persistence,
                HandOffStopMessage = PoisonPill.Instance,
                Role = JobSharding.Role,
            });

    /// <summary>This node's listing of every job in the cluster, behind <c>GET /orchestrator/jobs</c>.</summary>
    /// <remarks>Jobs publish their lines over distributed pub-sub; the index also reads the journal at start and every <paramref name="catchUp"/> (default 30 s).</remarks>
    public static AkkaConfigurationBuilder WithJobIndex(this AkkaConfigurationBuilder builder, TimeSpan? catchUp = null) =>
        builder.WithDistributedPubSub(role: "")
            .WithActors((system, registry) =>
            {
                registry.Register<JobListingPublisher>(system.ActorOf(Props.Create<JobListingPublisher>(), "job-listing"));
                registry.Register<JobIndexActor>(system.ActorOf(JobIndexActor.Props(catchUp ?? TimeSpan.FromSeconds(30)), "job-index"));
            });

    /// <summary>The dry-run planner behind <c>POST /orchestrator/plan</c>.</summary>
    public static AkkaConfigurationBuilder WithPlanner(this AkkaConfigurationBuilder builder, OrchestratorSettings settings) =>
        builder.WithActors((system, registry) =>
            registry.Register<Planner>(system.ActorOf(Props.Create(() => new Planner(settings, registry.Get<ProviderDirectory>())), "planner")));

    /// <summary>
    /// The provider directory, and the <see cref="ProviderHost"/> with one persistent <see cref="ProviderActor"/> per
    /// onboarded provider (from the providers file, and onboarded at run time).
    /// </summary>
    public static AkkaConfigurationBuilder WithProviders(
        this AkkaConfigurationBuilder builder, IReadOnlyList<ProviderCapability>? providers, OrchestratorSettings settings, ParticipantTrust trust) =>
        builder.WithActors((system, registry) =>
        {
            var directory = system.ActorOf(Props.Create<ProviderDirectory>(), "directory");
            registry.Register<ProviderDirectory>(directory);
            // A node without the providers role still has the directory (its jobs need it), but no providers.
            if (providers is not null)
                registry.Register<ProviderHost>(system.ActorOf(Props.Create(() => new ProviderHost(providers, settings, trust, directory)), "providers"));
        });
}
