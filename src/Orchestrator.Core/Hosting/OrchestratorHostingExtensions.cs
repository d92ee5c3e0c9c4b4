using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Cluster.Sharding;
using Akka.Cluster.Tools.Client;
using Akka.Hosting;
using Orchestrator.Client;
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
    /// Adds the orchestrator to a host's actor system, in one call: its configuration (options over the library's
    /// embedded defaults), serialization, the journal (SQLite, PostgreSQL, or the host's own), the provider
    /// directory, the providers this node onboards (on members with the providers role), job sharding (hosted on
    /// members with the jobs role, a proxy elsewhere), the cluster-client receptionist for systems that do not
    /// join, the planner and the job listing. The actor system may have any name and must be a cluster member
    /// (<c>WithClustering</c>, the host's own seeds and roles).
    /// </summary>
    /// <remarks>
    /// The orchestrator's <c>akka.*</c> defaults (sharding timeouts, the split-brain resolver) are added where this is
    /// called: settings the host adds after it win. Throws <see cref="Akka.Configuration.ConfigurationException"/>
    /// naming the key when a setting is invalid, and the actor system refuses to start when its transport is reachable
    /// from other machines without TLS: members trust each other by default, and the wire carries serialized objects.
    /// </remarks>
    public static AkkaConfigurationBuilder WithOrchestrator(this AkkaConfigurationBuilder akka, OrchestratorOptions options)
    {
        var config = OrchestratorConfig.Compose(options);
        var settings = OrchestratorSettings.FromConfig(config);
        var persistence = PersistenceChoice.From(config);
        var jobsRole = config.GetString("orchestrator.roles.jobs");
        var providersRole = config.GetString("orchestrator.roles.providers");
        var trust = options.Trust ?? (settings.ApprovedIds.Count > 0
            ? ParticipantTrust.ByList(new ApprovalPolicy(settings.ApprovedIds))
            : ParticipantTrust.ClusterMembers());
        var node = new OrchestratorNode(settings, persistence, jobsRole, providersRole, trust,
            options.Executors.Count == 0 ? null : Execution.ExecutorRegistry.WithBuiltIns(options.Executors), options.SettlementProvider);

        akka.AddHocon(config, HoconAddMode.Prepend)
            .WithOrchestratorSerialization()
            // The journal's own format for events, bound type by type (see BoundTypes).
            .WithCustomSerializer("orchestrator-journal", Persistence.JournalEventSerializer.BoundTypes,
                system => new Persistence.JournalEventSerializer(system))
            .WithActors((system, _) =>
            {
                ClusterTransportTls.RefuseOpenTransport(system.Settings.Config);
                system.RegisterExtension(new OrchestratorNode.Provider(node));
                Telemetry.OrchestratorMetrics.Zero();
                var cluster = Akka.Cluster.Cluster.Get(system);
                cluster.RegisterOnMemberUp(node.MarkUp);
                Telemetry.OrchestratorMetrics.ObserveMembers(() => cluster.State.Members
                    .GroupBy(m => (Status: m.Status.ToString(), Reachable: !cluster.State.Unreachable.Contains(m)))
                    .Select(g => (g.Key.Status, g.Key.Reachable, g.Count())));
            });
        ClusterTransportTls.Apply(akka, config);
        if (persistence.IsPostgres) akka.WithPostgresPersistence(persistence.Target);
        else if (!persistence.IsHostConfigured) akka.WithSqlitePersistence(persistence.Target);

        // The directory before the jobs (they ask it), the jobs before the providers (they ask jobs about contracts).
        return akka.WithProviderDirectory()
            .WithRunStore(settings)
            .WithJobs(settings, trust, jobsRole)
            .WithProviders(options.Providers ?? [], settings, trust, providersRole)
            .WithClusterClientReceptionist()
            .WithActors((system, registry) => ClusterClientReceptionist.Get(system).RegisterService(registry.Get<JobRegion>()))
            .WithPlanner(settings)
            .WithJobIndex(settings.ListedFinishedJobs);
    }

    /// <summary>
    /// The job shard region: one persistent <see cref="JobActor"/> per job. An unfinished job stays in memory (no idle
    /// passivation); terminal jobs passivate themselves. After a crash, a shard's move or a restart, the job index's
    /// resume sweep wakes unfinished jobs (<see cref="JobIndexActor"/>): no remember-entities, whose store cost two
    /// journal writes per job, one of them before the job could even receive its post.
    /// </summary>
    /// <remarks>
    /// The coordinator keeps its shard homes in the journal (<see cref="StateStoreMode.Persistence"/>, for this region
    /// alone: a host's own regions keep their store), not in
    /// distributed data: a distributed-data update must be acknowledged by every member of a cluster of fewer than
    /// five (Akka's majority-min-cap and write-majority-plus), so one begun as a member crashed or was cut off waited
    /// out its timeout and held every new shard home (every new job) with it — 30 s after each crash or partition.
    /// The journal answers whoever is up, in a two-member cluster too; it costs one journal row per shard home (at
    /// most <see cref="JobSharding.MaxShards"/> per member that joins or leaves), and two coordinators that overlap for
    /// a moment cannot both write (the journal takes a sequence number once). New shards go to reachable members
    /// only (<see cref="ReachableShardAllocation"/>).
    /// </remarks>
    private static AkkaConfigurationBuilder WithJobs(this AkkaConfigurationBuilder builder, OrchestratorSettings settings, ParticipantTrust trust, string role)
    {
        var options = new ShardOptions
        {
            RememberEntities = false,
            ShouldPassivateIdleEntities = false,
            StateStoreMode = StateStoreMode.Persistence,
            HandOffStopMessage = PoisonPill.Instance,
            Role = role,
        };
        builder.AddHocon(ClusterSharding.DefaultConfig()
            .WithFallback(Akka.DistributedData.DistributedData.DefaultConfig())
            .WithFallback(Akka.Cluster.Tools.Singleton.ClusterSingleton.DefaultConfig()), HoconAddMode.Append);
        return builder.StartActors((ActorStarter)(async (system, registry) =>
        {
            var shardingConfig = Akka.Configuration.ConfigurationFactory.ParseString(options.ToString())
                .WithFallback(system.Settings.Config.GetConfig("akka.cluster.sharding"));
            var sharding = ClusterShardingSettings.Create(shardingConfig,
                system.Settings.Config.GetConfig(shardingConfig.GetString("coordinator-singleton")));
            var props = (Func<string, Props>)(jobId => JobActor.Props(jobId, settings, trust, registry.Get<ProviderDirectory>(),
                registry.TryGet<JobListingPublisher>(out var listing) ? listing : null));
            var allocation = new ReachableShardAllocation(ClusterSharding.Get(system).DefaultShardAllocationStrategy(sharding));
            var region = await ClusterSharding.Get(system).StartAsync(JobSharding.TypeName, props, sharding, new JobMessageExtractor(),
                allocation, PoisonPill.Instance);
            registry.Register<JobRegion>(region);
        }));
    }

    /// <summary>This node's listing of every job in the cluster, behind <c>GET /orchestrator/jobs</c>.</summary>
    /// <remarks>Jobs publish their lines over distributed pub-sub; the index also reads the journal at start and every <paramref name="catchUp"/> (default 30 s).</remarks>
    private static AkkaConfigurationBuilder WithJobIndex(this AkkaConfigurationBuilder builder, int listedFinishedJobs, TimeSpan? catchUp = null) =>
        builder.WithDistributedPubSub(role: "")
            .WithActors((system, registry) =>
            {
                registry.Register<JobListingPublisher>(system.ActorOf(Props.Create<JobListingPublisher>(), "job-listing"));
                registry.Register<JobIndexActor>(system.ActorOf(
                    JobIndexActor.Props(catchUp ?? TimeSpan.FromSeconds(30), registry.Get<JobRegion>(), listedFinishedJobs), "job-index"));
            });

    /// <summary>The dry-run planner behind <c>POST /orchestrator/plan</c>.</summary>
    private static AkkaConfigurationBuilder WithPlanner(this AkkaConfigurationBuilder builder, OrchestratorSettings settings) =>
        builder.WithActors((system, registry) =>
            registry.Register<Planner>(system.ActorOf(Props.Create(() => new Planner(settings, registry.Get<ProviderDirectory>())), "planner")));

    /// <summary>The provider directory: every member has one (its jobs and its API read it), with or without providers.</summary>
    private static AkkaConfigurationBuilder WithProviderDirectory(this AkkaConfigurationBuilder builder) =>
        builder.WithActors((system, registry) => registry.Register<ProviderDirectory>(system.ActorOf(Props.Create<ProviderDirectory>(), "directory")));

    /// <summary>The runs kept on this node (logs and outputs), read from any node: every member has it, at <see cref="Execution.RunStore.Path"/>.</summary>
    private static AkkaConfigurationBuilder WithRunStore(this AkkaConfigurationBuilder builder, OrchestratorSettings settings) =>
        builder.WithActors((system, registry) => registry.Register<Execution.RunStore>(system.ActorOf(Execution.RunStore.Props(settings), "runs")));

    /// <summary>
    /// On a member with the providers role, the <see cref="ProviderHost"/> with one persistent <see cref="ProviderActor"/>
    /// per onboarded provider (given at start, and onboarded at run time).
    /// </summary>
    private static AkkaConfigurationBuilder WithProviders(
        this AkkaConfigurationBuilder builder, IReadOnlyList<ProviderCapability> providers, OrchestratorSettings settings, ParticipantTrust trust, string role) =>
        builder.WithActors((system, registry) =>
        {
            if (!Akka.Cluster.Cluster.Get(system).SelfRoles.Contains(role)) return;
            var directory = registry.Get<ProviderDirectory>();
            var jobs = registry.Get<JobRegion>();
            registry.Register<ProviderHost>(system.ActorOf(Props.Create(() => new ProviderHost(providers, settings, trust, directory, jobs)), "providers"));
        });
}
