namespace Orchestrator.EndToEnd.Tests.Infrastructure;

/// <summary>
/// Several real node processes on loopback forming one Akka.NET cluster over a shared PostgreSQL database.
/// Node 0 has the lowest address and is the seed. Each node onboards its own providers.
/// </summary>
public sealed class ClusterOfNodes : IAsyncDisposable
{
    private readonly List<NodeSetup> _setups = [];

    private ClusterOfNodes(PostgresDatabase database, string protocol)
    {
        Database = database;
        Protocol = protocol;
    }

    /// <summary>akka.tcp, or akka.ssl.tcp when the transport runs over TLS.</summary>
    public string Protocol { get; }

    public PostgresDatabase Database { get; }
    public List<NodeProcess> Nodes { get; } = [];
    public IReadOnlyList<int> RemotePorts { get; private set; } = [];
    public string SeedAddress => $"{Protocol}://orchestrator@127.0.0.1:{RemotePorts[0]}";

    /// <param name="prepare">Runs for each node's setup before any node starts (e.g. to give each node its own credential).</param>
    public static async Task<ClusterOfNodes> StartAsync(int count, Func<int, string?> providersOf, string? hocon = null, string protocol = "akka.tcp",
        Func<int, NodeSetup, Task>? prepare = null)
    {
        var cluster = new ClusterOfNodes(await PostgresDatabase.CreateAsync(), protocol);
        cluster.RemotePorts = Enumerable.Range(0, count).Select(_ => NodeProcess.FreePort()).Order().ToArray();
        for (var i = 0; i < count; i++)
        {
            var setup = NodeSetup.Create(providersOf(i), hocon, nodeId: $"node-{i}");
            setup.ExtraArguments.AddRange(["--remote-port", cluster.RemotePorts[i].ToString(), "--seeds", cluster.SeedAddress,
                "--postgres", cluster.Database.ConnectionString]);
            cluster._setups.Add(setup);
            if (prepare is not null) await prepare(i, setup);
        }

        // The seed first (it forms the cluster), then the others together.
        cluster.Nodes.Add(await NodeProcess.StartAsync(cluster._setups[0]));
        cluster.Nodes.AddRange(await Task.WhenAll(cluster._setups.Skip(1).Select(NodeProcess.StartAsync)));
        return cluster;
    }

    /// <summary>Stops every node gracefully, then starts them all again on the same database and providers.</summary>
    public async Task RestartAllAsync()
    {
        await Task.WhenAll(Nodes.Select(n => n.StopAsync()));
        foreach (var node in Nodes) await node.DisposeAsync();
        var restarted = new List<NodeProcess> { await NodeProcess.StartAsync(_setups[0]) };
        restarted.AddRange(await Task.WhenAll(_setups.Skip(1).Select(NodeProcess.StartAsync)));
        Nodes.Clear();
        Nodes.AddRange(restarted);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in Nodes) await node.DisposeAsync();
        foreach (var setup in _setups) setup.Dispose();
        await Database.DisposeAsync();
    }
}
