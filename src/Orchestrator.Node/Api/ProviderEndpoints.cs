using Akka.Actor;
using Akka.Hosting;
using Orchestrator.Protocol.Messages;
using Orchestrator.Protocol.Model;
using Orchestrator.Validation;
using Orchestrator.Providers;

namespace Orchestrator.Node.Api;

public static class ProviderEndpoints
{
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(5);

    public static IEndpointRouteBuilder MapProviderEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/orchestrator/providers", ListProviders);
        app.MapPost("/orchestrator/providers", Onboard);
        return app;
    }

    /// <summary>Onboards a compute provider on this node (persisted: it is back after a restart).</summary>
    private static async Task<IResult> Onboard(HttpContext http, IActorRegistry registry, CancellationToken ct)
    {
        if (!registry.TryGet<ProviderHost>(out var host))
            return Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "This node does not host providers.",
                detail: "onboard providers on a node with the providers role (--roles)");
        if (!(http.Request.ContentType?.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) ?? false))
            return Problems.UnsupportedMediaType(http.Request.ContentType);
        var body = await JsonBodyReader.ReadAsync<ProviderCapability>(http.Request, Limits.MaxBodyBytes, ct);
        if (body.TooLarge) return Problems.TooLarge(Limits.MaxBodyBytes);
        if (!body.Errors.IsEmpty) return Problems.Invalid(body.Errors);

        var errors = ProviderCapabilityValidator.Validate([body.Value]).ToDictionary()
            .ToDictionary(kv => kv.Key.StartsWith("[0].", StringComparison.Ordinal) ? kv.Key[4..] : kv.Key, kv => kv.Value);
        if (errors.Count > 0) return Problems.Invalid(errors);

        var result = await host.Ask<ProviderOnboardResult>(new OnboardProvider(body.Value!), AskTimeout, ct);
        var location = $"/orchestrator/providers/{Uri.EscapeDataString(result.ProviderId)}";
        if (result.Conflict is { } conflict)
            return Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "The provider id is taken.", detail: conflict);
        if (result.Refused is { } refused)
            return Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "This node is not approved to host the provider.", detail: refused);
        return result.Created ? Results.Created(location, result) : Results.Ok(result);
    }

    /// <summary>Every provider this node knows, with its capability and what is free, locked and contracted.</summary>
    private static async Task<IResult> ListProviders(IRequiredActor<ProviderDirectory> directory, CancellationToken ct)
    {
        var known = await directory.ActorRef.Ask<KnownProviders>(Providers.ListProviders.Instance, AskTimeout, ct);
        var statuses = await Task.WhenAll(known.Providers.Select(p =>
            p.Provider.Ask<ProviderStatus>(new GetProviderStatus(p.Capability.Id), AskTimeout, ct)));
        return Results.Ok(statuses);
    }
}
