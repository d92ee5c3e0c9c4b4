using System.Text.Json;
using Akka.Cluster.Hosting;
using Akka.Hosting;
using Akka.Remote.Hosting;
using Orchestrator.Api;
using Orchestrator.Hosting;
using Orchestrator.Providers;
using Orchestrator.Protocol.Model;

namespace Dms.Host;

/// <summary>
/// The DMS's composition root: its own actor system and cluster, the orchestrator added to them by
/// <c>WithOrchestrator</c>, the orchestrator's API mounted beside the DMS's own endpoints.
/// </summary>
public static class DmsHost
{
    public static WebApplicationBuilder AddDms(this WebApplicationBuilder builder)
    {
        var dms = builder.Configuration.GetSection("Dms").Get<DmsOptions>() ?? new DmsOptions();
        // The Orchestrator section of appsettings.json / environment variables, then what this host decides in code.
        var orchestrator = new OrchestratorOptions().Bind(builder.Configuration);
        // The orchestrator's own loader: the providers format, checked as onboarding checks it, every mistake named.
        if (dms.ProvidersFile is { } file) orchestrator.Providers = ProvidersFile.Load(file);

        builder.Services.AddOrchestratorApi();
        builder.Services.AddAkka(dms.ActorSystem, akka =>
        {
            akka.WithRemoting(new RemoteOptions { HostName = dms.RemoteHost, Port = dms.RemotePort })
                .WithClustering(new ClusterOptions { Roles = dms.Roles?.ToArray() ?? ["dms", "jobs", "providers"], SeedNodes = dms.Seeds.ToArray() })
                .WithOrchestrator(orchestrator)
                .WithActors((system, registry) =>
                    registry.Register<DmsJobs>(system.ActorOf(DmsJobs.Props(registry.Get<JobRegion>()), "dms-jobs")));
            if (dms.Seeds.Count == 0) akka.WithClusterOfOne();
        });
        return builder;
    }

    public static WebApplication MapDms(this WebApplication app)
    {
        app.MapOrchestrator();
        app.MapOpenApi();
        app.MapDmsEndpoints();
        return app;
    }
}
