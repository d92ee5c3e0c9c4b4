using Akka.Actor;
using Akka.Cluster;
using Akka.Discovery;
using Akka.Discovery.KubernetesApi;
using Akka.Event;
using Akka.Hosting;

namespace Orchestrator.Node.Startup;

/// <summary>
/// Cluster formation without hard-wired seed addresses: Akka.Discovery finds the other nodes (the Kubernetes API:
/// pods labelled <c>app.kubernetes.io/name=SERVICE</c> with a container port named <c>remoting</c>; or a fixed list
/// of <c>host:port</c>), and once it has found at least the required number and two lookups in a row agree, the node
/// joins them as seed nodes, all nodes listing them in the same order: the lowest address may form a new cluster if
/// none answers, every other node only joins one that exists (Akka's first-seed rule), so one cluster forms.
/// </summary>
/// <remarks>
/// Akka.NET documents Akka.Management's Cluster Bootstrap for this. Its HTTP endpoint cannot start with the only
/// Ceen.Httpd the package registry serves here (0.9.10; Akka.Http.Shim 1.5.73 is built against 0.9.9 and fails with a
/// MissingMethodException), so the node resolves its seeds from the same discovery itself.
/// </remarks>
public static class Discovery
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);

    public static AkkaConfigurationBuilder WithDiscovery(this AkkaConfigurationBuilder akka, NodePlan plan)
    {
        var options = plan.Options;
        if (options.Discovery == "kubernetes")
            akka.WithKubernetesDiscovery(k8s =>
            {
                k8s.PodLabelSelector = "app.kubernetes.io/name={0}";
                k8s.RawIp = true;
            });
        else
            akka.AddHocon($$"""
                akka.discovery.method = config
                akka.discovery.config.services.{{HoconKey(options.DiscoveryService)}}.endpoints = [{{string.Join(", ", options.ContactPoints.Select(Orchestrator.Hosting.HoconText.Quote))}}]
                """, HoconAddMode.Prepend);
        return akka.AddStartup((system, _registry) => { _ = JoinDiscoveredAsync(system, options); });
    }

    private static string HoconKey(string name) => Orchestrator.Hosting.HoconText.Quote(name);

    private static async Task JoinDiscoveredAsync(ActorSystem system, NodeOptions options)
    {
        var cluster = Cluster.Get(system);
        var self = cluster.SelfAddress;
        var lookup = new Lookup(options.DiscoveryService, options.Discovery == "kubernetes" ? "remoting" : null, options.Discovery == "kubernetes" ? "tcp" : null);
        IReadOnlyList<Address>? previous = null;
        while (!system.WhenTerminated.IsCompleted)
        {
            try
            {
                var resolved = await Akka.Discovery.Discovery.Get(system).Default.Lookup(lookup, TimeSpan.FromSeconds(10));
                var nodes = resolved.Addresses
                    .Select(target => new Address(self.Protocol, self.System, target.Address?.ToString() ?? target.Host, target.Port ?? self.Port))
                    .Append(self).Distinct().OrderBy(a => a.ToString(), StringComparer.Ordinal).ToArray();
                if (nodes.Length >= options.RequiredContactPoints && previous is not null && previous.SequenceEqual(nodes))
                {
                    system.Log.Info("discovery: {0} node(s) found for '{1}', joining them as seed nodes: {2}", nodes.Length, options.DiscoveryService,
                        string.Join(", ", nodes.Select(n => n.ToString())));
                    cluster.JoinSeedNodes(nodes);
                    return;
                }

                if (nodes.Length < options.RequiredContactPoints)
                    system.Log.Info("discovery: {0} of the {1} required node(s) found for '{2}'", nodes.Length, options.RequiredContactPoints, options.DiscoveryService);
                previous = nodes;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                system.Log.Warning("discovery: looking up '{0}' failed: {1}", options.DiscoveryService, e.Message);
            }

            await Task.Delay(Interval);
        }
    }
}
