using Akka.Actor;
using Akka.Hosting;
using Orchestrator.Protocol.Messages;
using Orchestrator.Providers;

namespace Orchestrator.Node.Api;

public static class ProviderEndpoints
{
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(5);

    public static IEndpointRouteBuilder MapProviderEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/orchestrator/providers", ListProviders);
        return app;
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
