using Akka.Cluster.Hosting;
using Akka.Configuration;
using Akka.Hosting;
using Akka.Remote.Hosting;
using Orchestrator.Configuration;
using Orchestrator.Hosting;
using Orchestrator.Protocol.Model;

namespace Orchestrator.Node.Startup;

/// <summary>Everything the node decides before the actor system starts: config, providers, approval.</summary>
public sealed record NodePlan(Config Config, OrchestratorSettings Settings, IReadOnlyList<ProviderCapability> Providers, ApprovalPolicy Approval)
{
    public static NodePlan Make(NodeOptions options)
    {
        var config = LoadHocon(options);
        var settings = OrchestratorSettings.FromConfig(config);
        if (options.NodeId is { Length: > 0 } nodeId) settings = settings with { NodeId = nodeId };
        var providers = options.ProvidersFile is { } file
            ? ProvidersFile.Load(file)
            : [LocalMachine.Detect(settings.NodeId + "-machine", options.DataDirectory)];
        return new NodePlan(config, settings, providers, ApprovalPolicy.For(settings, providers.Select(p => p.Id)));
    }

    /// <summary>hocon/*.conf shipped with the node, then the operator's --config file on top.</summary>
    private static Config LoadHocon(NodeOptions options)
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "hocon");
        var config = ConfigurationFactory.ParseString(File.ReadAllText(Path.Combine(folder, "orchestrator.conf")))
            .WithFallback(ConfigurationFactory.ParseString(File.ReadAllText(Path.Combine(folder, "akka.conf"))));
        if (options.ConfigFile is { } extra)
        {
            if (!File.Exists(extra)) throw new StartupException($"--config: file '{extra}' does not exist");
            config = ConfigurationFactory.ParseString(File.ReadAllText(extra)).WithFallback(config);
        }

        return config;
    }
}

public static class AkkaSetup
{
    public static void Configure(AkkaConfigurationBuilder akka, NodeOptions options, NodePlan plan)
    {
        akka.AddHocon(plan.Config, HoconAddMode.Prepend)
            .WithRemoting(options.RemoteHost, options.RemotePort)
            .WithClustering(new ClusterOptions { Roles = ["jobs", "providers"] })
            .WithOrchestratorSerialization()
            .WithSqlitePersistence(Path.Combine(options.DataDirectory, "orchestrator.db"))
            .WithProviders(plan.Providers, plan.Settings, plan.Approval)
            .WithJobs(plan.Settings, plan.Approval)
            .WithPlanner(plan.Settings)
            .AddStartup((system, _) =>
            {
                // One embedded node: it is its own seed. (The remoting port may be 0, so the address is only
                // known once bound.)
                var cluster = Akka.Cluster.Cluster.Get(system);
                cluster.Join(cluster.SelfAddress);
            });
    }
}
