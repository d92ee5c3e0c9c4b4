using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Hosting;
using Akka.Remote.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orchestrator.Hosting;

namespace Orchestrator.Tests.Hosting;

/// <summary>A host as an embedding DMS writes it: its own actor system name and roles, the orchestrator added by one call.</summary>
public sealed class EmbeddedHost : IAsyncDisposable
{
    private readonly IHost _host;
    private readonly string _folder;

    private EmbeddedHost(IHost host, string folder)
    {
        _host = host;
        _folder = folder;
    }

    public ActorSystem System => _host.Services.GetRequiredService<ActorSystem>();
    public OrchestratorNode Node => OrchestratorNode.Get(System);

    public static async Task<EmbeddedHost> StartAsync(OrchestratorOptions options, string[]? roles = null,
        Action<AkkaConfigurationBuilder>? after = null)
    {
        var folder = Directory.CreateTempSubdirectory("embedded-").FullName;
        options.Persistence.SqliteFile ??= Path.Combine(folder, "journal.db");
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddAkka("my-dms", akka =>
        {
            akka.WithRemoting(new RemoteOptions { HostName = "127.0.0.1", Port = 0 })
            .WithClustering(new ClusterOptions { Roles = roles ?? ["dms", "jobs", "providers"] })
                .WithOrchestrator(options)
                .WithClusterOfOne();
            after?.Invoke(akka);
        });
        var host = builder.Build();
        var embedded = new EmbeddedHost(host, folder);
        try
        {
            await host.StartAsync();
            await host.Services.GetRequiredService<ActorSystem>().WhenUpAsync(TimeSpan.FromSeconds(60));
            return embedded;
        }
        catch
        {
            await embedded.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
