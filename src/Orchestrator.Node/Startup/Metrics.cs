using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using OpenTelemetry.Metrics;
using Orchestrator.Telemetry;

namespace Orchestrator.Node.Startup;

/// <summary>OpenTelemetry metrics: the orchestrator's own, ASP.NET Core's and the runtime's, scraped at <c>/metrics</c> (Prometheus).</summary>
public static class Metrics
{
    public const string Path = "/metrics";

    public static IServiceCollection AddOrchestratorMetrics(this IServiceCollection services)
    {
        services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(OrchestratorMetrics.MeterName)
            .AddAspNetCoreInstrumentation()
            .AddRuntimeInstrumentation()
            .AddPrometheusExporter());
        // The scraping endpoint is not a minimal-API handler, so the OpenAPI document learns of it here.
        services.Configure<OpenApiOptions>("v1", openApi => openApi.AddDocumentTransformer((document, _, _) =>
        {
            document.Paths ??= new OpenApiPaths();
            document.Paths[Path] = new OpenApiPathItem
            {
                Operations = new Dictionary<HttpMethod, OpenApiOperation>
                {
                    [HttpMethod.Get] = new()
                    {
                        OperationId = "Metrics",
                        Summary = "Prometheus metrics: jobs, phases, bids, declines, provider utilisation, journal writes, HTTP and runtime.",
                        Tags = new HashSet<OpenApiTagReference> { new("Metrics", document) },
                        Responses = new OpenApiResponses
                        {
                            ["200"] = new OpenApiResponse
                            {
                                Description = "The metrics in the Prometheus text format.",
                                Content = new Dictionary<string, OpenApiMediaType> { ["text/plain"] = new() },
                            },
                            ["400"] = new OpenApiResponse
                            {
                                Description = "A query parameter: the scrape takes none (each named in errors).",
                                Content = new Dictionary<string, OpenApiMediaType>
                                {
                                    ["application/problem+json"] = new() { Schema = new OpenApiSchemaReference("HttpValidationProblemDetails", document) },
                                },
                            },
                        },
                    },
                },
            };
            return Task.CompletedTask;
        }));
        return services;
    }
}
