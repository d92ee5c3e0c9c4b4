using Akka.Cluster.Hosting;
using Akka.Hosting;
using Orchestrator.Hosting;

namespace Orchestrator.Node.Startup;

/// <summary>The executable's actor system, configured from its <see cref="NodePlan"/> through the library's one call.</summary>
public static class AkkaSetup
{
    /// <summary>The executable's actor system; a host that embeds the orchestrator names its own.</summary>
    public const string ActorSystemName = "orchestrator";

    /// <summary>The executable's actor system: its node HOCON, the orchestrator (the library's one call), the command line's overrides.</summary>
    public static void Configure(AkkaConfigurationBuilder akka, NodePlan plan)
    {
        akka.AddHocon(plan.NodeHocon, HoconAddMode.Prepend)
            // Akka's own log lines go through Microsoft.Extensions.Logging with the web host's: one format, one
            // place, and the log source (an actor's path, which names the job) as the category.
            .ConfigureLoggers(loggers =>
            {
                loggers.ClearLoggers();
                loggers.AddLoggerFactory();
            })
            .WithClustering()
            .WithOrchestrator(plan.Orchestrator)
            .AddHocon(plan.Overrides, HoconAddMode.Prepend);

        if (plan.Options.Discovery is not null) akka.WithDiscovery(plan);
        // No seeds and no discovery: this node forms a cluster of one.
        else if (plan.Seeds.Count == 0) akka.WithClusterOfOne();
    }
}
