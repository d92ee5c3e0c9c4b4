using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Hosting;
using Akka.Remote.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orchestrator.Hosting;
using Orchestrator.Protocol.Model;
using Orchestrator.Providers;
using Orchestrator.Trust;

namespace Orchestrator.Tests.Features;

/// <summary>A provider as a scenario's table describes it.</summary>
public sealed record ProviderSpec(ProviderCapability Capability, ProviderBehaviour Behaviour);

/// <summary>
/// The node a scenario runs against: wired by the same Akka.Hosting extensions as the real executable (cluster of
/// one, sharded persistent jobs, the replicated directory, providers with persistent ledgers) on a real SQLite
/// journal file, in this process so that a scenario's misbehaving providers can sit in it. Restarting it keeps
/// the journal.
/// </summary>
public sealed class SpecNode : IAsyncDisposable
{
    private readonly IHost _host;

    private SpecNode(IHost host, ActorSystem system, IActorRef jobs, IActorRef directory)
    {
        _host = host;
        System = system;
        Jobs = jobs;
        Directory = directory;
    }

    public ActorSystem System { get; }
    public IActorRef Jobs { get; }
    public IActorRef Directory { get; }

    public static async Task<SpecNode> StartAsync(string journalFile, IReadOnlyList<ProviderSpec> providers, string settingsHocon)
    {
        // Approval by membership, as on a real node (providers onboarded later are approved too); when the scenario
        // says some are not approved, an explicit list without them.
        var options = new OrchestratorOptions
        {
            NodeId = "sp-spec",
            Persistence = new PersistenceOptions { Provider = "sqlite", SqliteFile = journalFile },
            Hocon = "akka.loglevel = WARNING\n" + settingsHocon,
            Providers = providers.Where(p => p.Behaviour is ProviderBehaviour.AnswersNormally or ProviderBehaviour.NotApproved)
                .Select(p => p.Capability).ToArray(),
        };
        if (providers.Any(p => p.Behaviour == ProviderBehaviour.NotApproved))
            options.ApprovedIds = providers.Where(p => p.Behaviour != ProviderBehaviour.NotApproved).Select(p => p.Capability.Id).Append("sp-spec").ToList();

        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddAkka("spec", akka => akka.WithRemoting(new RemoteOptions { HostName = "127.0.0.1", Port = 0 })
            .WithClustering(new ClusterOptions { Roles = ["jobs", "providers"] })
            .WithOrchestrator(options)
            .WithClusterOfOne());
        var host = builder.Build();
        await host.StartAsync();
        var system = host.Services.GetRequiredService<ActorSystem>();
        var registry = host.Services.GetRequiredService<ActorRegistry>();
        await system.WhenUpAsync(TimeSpan.FromSeconds(60));
        var node = OrchestratorNode.Get(system);
        var directory = await registry.GetAsync<ProviderDirectory>();
        foreach (var scripted in providers.Where(p => p.Behaviour is not (ProviderBehaviour.AnswersNormally or ProviderBehaviour.NotApproved)))
        {
            var provider = system.ActorOf(ScriptedProvider.Props(ProviderActor.Props(scripted.Capability, node.Settings, node.Trust), scripted.Behaviour),
                "scripted-" + scripted.Capability.Id);
            directory.Tell(new RegisterProvider(scripted.Capability, provider));
        }

        var spec = new SpecNode(host, system, await registry.GetAsync<JobRegion>(), directory);
        await spec.AwaitProvidersAsync(providers.Select(p => p.Capability.Id));
        return spec;
    }

    /// <summary>Onboards a provider while the node runs, as <c>POST /orchestrator/providers</c> does.</summary>
    public async Task OnboardAsync(ProviderCapability capability)
    {
        var host = await _host.Services.GetRequiredService<ActorRegistry>().GetAsync<ProviderHost>();
        await host.Ask<Protocol.Messages.ProviderOnboardResult>(new Protocol.Messages.OnboardProvider(capability), TimeSpan.FromSeconds(10));
        await AwaitProvidersAsync([capability.Id]);
    }

    public async Task<KnownProviders> ProvidersAsync() => await Directory.Ask<KnownProviders>(ListProviders.Instance, TimeSpan.FromSeconds(10));

    private async Task AwaitProvidersAsync(IEnumerable<string> ids)
    {
        var wanted = ids.ToHashSet();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!wanted.IsSubsetOf((await ProvidersAsync()).ById.Keys))
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"the directory never knew {string.Join(", ", wanted)}");
            await Task.Delay(50);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }
}
