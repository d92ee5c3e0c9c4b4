using Akka.Actor;
using Akka.Hosting;

namespace Orchestrator.Hosting;

/// <summary>A node given no seeds: it forms a cluster of one, and whoever starts it can wait until it is Up.</summary>
public static class ClusterOfOneHostingExtensions
{
    /// <summary>The node joins itself once started (its remoting port may be 0, so its address is known only once bound).</summary>
    public static AkkaConfigurationBuilder WithClusterOfOne(this AkkaConfigurationBuilder builder) =>
        builder.AddStartup((system, _) =>
        {
            var cluster = Akka.Cluster.Cluster.Get(system);
            cluster.Join(cluster.SelfAddress);
        });

    /// <summary>Completes when this node is an Up member of its cluster; throws a <see cref="TimeoutException"/> after <paramref name="within"/>.</summary>
    public static Task WhenUpAsync(this ActorSystem system, TimeSpan within)
    {
        var up = new TaskCompletionSource();
        Akka.Cluster.Cluster.Get(system).RegisterOnMemberUp(() => up.TrySetResult());
        return up.Task.WaitAsync(within);
    }
}
