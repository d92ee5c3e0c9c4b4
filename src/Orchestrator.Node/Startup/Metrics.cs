using OpenTelemetry.Metrics;
using Orchestrator.Telemetry;

namespace Orchestrator.Node.Startup;

/// <summary>OpenTelemetry metrics: the orchestrator's own, ASP.NET Core's and the runtime's, scraped at <c>/metrics</c> (Prometheus).</summary>
public static class Metrics
{
    public static IServiceCollection AddOrchestratorMetrics(this IServiceCollection services)
    {
        services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(OrchestratorMetrics.MeterName)
            .AddAspNetCoreInstrumentation()
            .AddRuntimeInstrumentation()
            .AddPrometheusExporter());
        return services;
    }
}
