using Akka.Actor;
using Akka.Cluster;
using Akka.Hosting;
using Orchestrator.Protocol.Messages;
using Orchestrator.Node.Startup;
using Orchestrator.Hosting;
using Orchestrator.Providers;

namespace Orchestrator.Node.Api;

public static class HealthEndpoints
{
    public static IEndpointRouteBuilder MapHealthEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz/live", () => Results.Ok(new { status = "live" }));
        // Ready: a member of the cluster (Up), the journal's database answering, every provider ledger loaded.
        app.MapGet("/healthz/ready", async (ActorSystem system, IActorRegistry registry, CancellationToken ct) =>
        {
            var self = Cluster.Get(system).SelfMember;
            if (self.Status != MemberStatus.Up)
                return NotReady(new { status = "not-ready", member = self.Status.ToString() });
            if (await JournalHealth.ProblemAsync(OrchestratorNode.Get(system).Persistence, ct) is { } problem)
                return NotReady(new { status = "not-ready", journal = problem });
            if (registry.TryGet<ProviderHost>(out var host))
            {
                ProvidersReadiness providers;
                try
                {
                    providers = await host.Ask<ProvidersReadiness>(GetProvidersReadiness.Instance, TimeSpan.FromSeconds(5), ct);
                }
                catch (AskTimeoutException)
                {
                    return NotReady(new { status = "not-ready", providers = "the provider host did not answer in 5 s" });
                }

                if (!providers.Ready)
                    return NotReady(new { status = "not-ready", providers = $"{providers.Recovered} of {providers.Total} provider ledgers loaded" });
            }

            return Results.Ok(new { status = "ready", member = self.Address.ToString() });
        });
        return app;
    }

    private static IResult NotReady(object body) => Results.Json(body, statusCode: StatusCodes.Status503ServiceUnavailable);
}
