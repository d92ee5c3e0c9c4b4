using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Hosting;
using Akka.Remote.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orchestrator.Hosting;
using Orchestrator.Protocol.Model;
using Orchestrator.Trust;

namespace Orchestrator.Bench;

/// <summary>An orchestrator node in the benchmark's process, wired exactly as the real node (same hosting extensions).</summary>
public sealed class BenchNode : IAsyncDisposable
{
    private readonly IHost _host;

    private BenchNode(IHost host, ActorSystem system, IActorRef jobs)
    {
        _host = host;
        System = system;
        Jobs = jobs;
    }

    public ActorSystem System { get; }
    public IActorRef Jobs { get; }

    /// <param name="signed">
    /// With a network authority: every bid, acceptance and contract signed with a node key and verified (one node
    /// plays both parties, as a single DMS node does).
    /// </param>
    public static async Task<BenchNode> StartAsync(string store, string target, int providers, bool signed = false, ExecutorType[]? executors = null,
        string? hocon = null)
    {
        var capabilities = Enumerable.Range(0, providers).Select(i => new ProviderCapability
        {
            Id = $"cp-{i:D5}",
            Resources = new Resources { CpuCores = 4096, RamMb = 64L * 1024 * 1024, DiskGb = 1024 * 1024 },
            Executors = executors ?? [ExecutorType.Docker],
            PricePerHour = 1m + i % 10 / 10m,
        }).ToArray();
        var options = new OrchestratorOptions
        {
            NodeId = "bench",
            TerminalJobIdle = TimeSpan.FromSeconds(2),
            Providers = capabilities,
            Persistence = store == "postgres"
                ? new PersistenceOptions { Provider = "postgres", PostgresConnectionString = target }
                : new PersistenceOptions { Provider = "sqlite", SqliteFile = target },
            Hocon = "akka.loglevel = WARNING\n" + hocon,
        };
        if (signed) options.Trust = SignedTrust("bench", capabilities.Select(c => c.Id));

        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddAkka("bench", akka => akka.WithRemoting(new RemoteOptions { HostName = "127.0.0.1", Port = 0 })
            .WithClustering(new ClusterOptions { Roles = ["jobs", "providers"] })
            .WithOrchestrator(options)
            .WithClusterOfOne());
        var host = builder.Build();
        await host.StartAsync();
        var system = host.Services.GetRequiredService<ActorSystem>();
        var registry = host.Services.GetRequiredService<ActorRegistry>();
        var jobs = await registry.GetAsync<JobRegion>();
        await system.WhenUpAsync(TimeSpan.FromSeconds(60));
        return new BenchNode(host, system, jobs);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }

    private static ParticipantTrust SignedTrust(string nodeId, IEnumerable<string> providerIds)
    {
        using var authority = KeyPair.Create();
        var nodeKey = KeyPair.Create();
        var credential = Credential.Issue(authority, nodeKey.PublicKey, [ParticipantRole.ServiceProvider, ParticipantRole.ComputeProvider],
            providerIds.Append(nodeId).ToArray(), DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddDays(1));
        return ParticipantTrust.Signed(nodeKey, credential, new TrustStore([authority.PublicKey]));
    }
}
