using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Configuration;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orchestrator.Configuration;
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
        var folder = Path.Combine(AppContext.BaseDirectory, "hocon");
        var config = ConfigurationFactory.ParseString("akka.loglevel = WARNING\norchestrator.nodeId = sp-spec\n" + settingsHocon)
            .WithFallback(ConfigurationFactory.ParseString(File.ReadAllText(Path.Combine(folder, "orchestrator.conf"))))
            .WithFallback(ConfigurationFactory.ParseString(File.ReadAllText(Path.Combine(folder, "cluster.conf"))))
            .WithFallback(ConfigurationFactory.ParseString(File.ReadAllText(Path.Combine(folder, "sharding.conf"))));
        // Approval by list. With every provider approved, self-approval as on a real single node (providers onboarded
        // later are approved too); otherwise an explicit list without the ones the scenario says are not approved.
        var approved = providers.Where(p => p.Behaviour != ProviderBehaviour.NotApproved).Select(p => p.Capability.Id).Append("sp-spec").ToArray();
        var settings = OrchestratorSettings.FromConfig(config);
        if (providers.Any(p => p.Behaviour == ProviderBehaviour.NotApproved)) settings = settings with { ApprovedIds = approved };
        var trust = ParticipantTrust.ByList(ApprovalPolicy.For(settings, approved));
        var hosted = providers.Where(p => p.Behaviour is ProviderBehaviour.AnswersNormally or ProviderBehaviour.NotApproved)
            .Select(p => p.Capability).ToArray();

        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddAkka("orchestrator", akka =>
        {
            akka.AddHocon(config, HoconAddMode.Prepend).WithClustering().WithOrchestratorSerialization().WithSqlitePersistence(journalFile);
            akka.WithProviders(hosted, settings, trust).WithJobs(settings, trust).WithJobIndex()
                .WithClusterOfOne();
        });
        var host = builder.Build();
        await host.StartAsync();
        var system = host.Services.GetRequiredService<ActorSystem>();
        var registry = host.Services.GetRequiredService<ActorRegistry>();
        await system.WhenUpAsync(TimeSpan.FromSeconds(60));
        var directory = await registry.GetAsync<ProviderDirectory>();
        foreach (var scripted in providers.Where(p => p.Behaviour is not (ProviderBehaviour.AnswersNormally or ProviderBehaviour.NotApproved)))
        {
            var provider = system.ActorOf(ScriptedProvider.Props(ProviderActor.Props(scripted.Capability, settings, trust), scripted.Behaviour),
                "scripted-" + scripted.Capability.Id);
            directory.Tell(new RegisterProvider(scripted.Capability, provider));
        }

        var node = new SpecNode(host, system, await registry.GetAsync<JobRegion>(), directory);
        await node.AwaitProvidersAsync(providers.Select(p => p.Capability.Id));
        return node;
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
