using Microsoft.Extensions.DependencyInjection;

namespace Orchestrator.Api;

/// <summary>The orchestrator's HTTP API in a host's own ASP.NET Core app.</summary>
public static class OrchestratorEndpoints
{
    /// <summary>
    /// The services the API needs: its JSON dialect (camelCase, enums as words, strict on input), RFC 9457 problem
    /// details, and the OpenAPI document (<c>MapOpenApi()</c> serves it at <c>/openapi/v1.json</c>).
    /// </summary>
    public static IServiceCollection AddOrchestratorApi(this IServiceCollection services)
    {
        services.ConfigureHttpJsonOptions(json => ApiJson.Configure(json.SerializerOptions));
        services.AddProblemDetails();
        services.AddOpenApi(openApi => openApi.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "Orchestrator";
            document.Info.Description = "Post compute jobs, follow them to a contract, onboard providers, operate the cluster.";
            return Task.CompletedTask;
        }));
        return services;
    }

    /// <summary>
    /// Mounts every endpoint of the API (<c>/orchestrator/…</c>, <c>/ops/…</c>, <c>/healthz/…</c>) under
    /// <paramref name="prefix"/> and returns the group, so the host can add its own authorization, rate limits or
    /// tags. The actor system must have the orchestrator (<c>WithOrchestrator</c>).
    /// </summary>
    public static RouteGroupBuilder MapOrchestrator(this IEndpointRouteBuilder app, string prefix = "")
    {
        var group = app.MapGroup(prefix);
        group.MapGroup("").WithTags("Jobs").MapJobEndpoints().MapJobControlEndpoints().MapJobListEndpoints();
        group.MapGroup("").WithTags("Providers").MapProviderEndpoints();
        group.MapGroup("").WithTags("Operations").MapOpsEndpoints();
        group.MapGroup("").WithTags("Health").MapHealthEndpoints();
        return group;
    }
}
