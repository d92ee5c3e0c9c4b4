using Akka.Actor;
using Akka.Cluster;
using Akka.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using Orchestrator.Protocol.Messages;
using Orchestrator.Hosting;
using Orchestrator.Providers;

namespace Orchestrator.Api;

public static class HealthEndpoints
{
    public static IEndpointRouteBuilder MapHealthEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz/live", () => TypedResults.Ok(new HealthView("live"))).WithName("Live")
            .WithSummary("Liveness: the process answers.");
        // Ready: a member of the cluster (Up), the journal's database answering, every provider ledger loaded.
        app.MapGet("/healthz/ready", async Task<Results<Ok<HealthView>, JsonHttpResult<HealthView>>> (ActorSystem system, IActorRegistry registry, CancellationToken ct) =>
        {
            var self = Cluster.Get(system).SelfMember;
            if (self.Status != MemberStatus.Up)
                return NotReady(new HealthView("not-ready", Member: self.Status.ToString()));
            var node = OrchestratorNode.Get(system);
            if (Majority.CutOff(system, node.JobsRole) is { } cutOff)
                return NotReady(new HealthView("not-ready", Member: cutOff));
            if (await JournalHealth.ProblemAsync(node.Persistence, ct) is { } problem)
                return NotReady(new HealthView("not-ready", Journal: problem));
            // A node whose own credential was revoked or has expired is refused by every counterparty: not ready.
            if (node.Trust.OwnStanding(DateTimeOffset.UtcNow) is { Verdict.IsTrusted: false } standing)
                return NotReady(new HealthView("not-ready", Credential: $"this node's credential is no longer trusted: {standing.Verdict}"));
            if (registry.TryGet<ProviderHost>(out var host))
            {
                var (providers, unanswered) = await system.AskAsync<ProvidersReadiness>(host, GetProvidersReadiness.Instance, "the provider host", ct,
                    node.Settings.ApiProviderAskTimeout);
                if (providers is null) return NotReady(new HealthView("not-ready", Providers: unanswered!.ProblemDetails.Detail));

                if (!providers.Ready)
                    return NotReady(new HealthView("not-ready", Providers: $"{providers.Recovered} of {providers.Total} provider ledgers loaded"));
            }

            return TypedResults.Ok(new HealthView("ready", Member: self.Address.ToString()));
        }).WithName("Ready")
            .WithSummary("Readiness: an Up cluster member that reaches the majority of the members hosting jobs, the journal's database answering, every provider ledger loaded; 503 with the reason otherwise.")
            .Produces<HealthView>(StatusCodes.Status503ServiceUnavailable);
        return app;
    }

    private static JsonHttpResult<HealthView> NotReady(HealthView body) => TypedResults.Json(body, statusCode: StatusCodes.Status503ServiceUnavailable);
}

/// <summary>A health answer: the status, and what is not ready (fields that do not apply are left out).</summary>
public sealed record HealthView(string Status, string? Member = null, string? Journal = null, string? Providers = null, string? Credential = null);
