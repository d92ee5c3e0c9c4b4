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
        services.AddOpenApi(OpenApiContract.Configure);
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
        group.WithMetadata(new OpenApiContract.ApiEndpoint());
        group.AddEndpointFilter(RetryAfterOnUnavailable);
        group.AddEndpointFilterFactory(QueryStrictness.Filter);
        group.AddEndpointFilterFactory(IdNormalization.Filter);
        group.MapGroup("").WithTags("Jobs").MapJobEndpoints().MapJobControlEndpoints().MapJobListEndpoints().MapRunEndpoints().MapModuleEndpoints();
        group.MapGroup("").WithTags("Providers").MapProviderEndpoints();
        group.MapGroup("").WithTags("Settlements").MapSettlementEndpoints();
        group.MapGroup("").WithTags("Operations").MapOpsEndpoints().MapClusterEvents().MapActorTree().MapFaultEndpoints();
        group.MapGroup("").WithTags("Health").MapHealthEndpoints();
        group.MapConsole();
        return group;
    }

    /// <summary>How long a client should wait before trying again after a 503, in seconds.</summary>
    public const int RetryAfterSeconds = 2;

    /// <summary>
    /// Every 503 of the API (the journal unavailable, this member cut off, a job that did not answer in time, not ready)
    /// tells the client when to try again: the conditions behind it clear in seconds, or the answer changes.
    /// </summary>
    private static async ValueTask<object?> RetryAfterOnUnavailable(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var result = await next(context);
        var inner = result is INestedHttpResult nested ? nested.Result : result;
        if (inner is IStatusCodeHttpResult { StatusCode: StatusCodes.Status503ServiceUnavailable })
            context.HttpContext.Response.Headers.RetryAfter = RetryAfterSeconds.ToString();
        return result;
    }
}
