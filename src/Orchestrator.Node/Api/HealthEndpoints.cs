using Akka.Actor;
using Akka.Cluster;

namespace Orchestrator.Node.Api;

public static class HealthEndpoints
{
    public static IEndpointRouteBuilder MapHealthEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz/live", () => Results.Ok(new { status = "live" }));
        app.MapGet("/healthz/ready", (ActorSystem system) =>
        {
            var self = Cluster.Get(system).SelfMember;
            return self.Status == MemberStatus.Up
                ? Results.Ok(new { status = "ready", member = self.Address.ToString() })
                : Results.Json(new { status = "not-ready", member = self.Status.ToString() }, statusCode: StatusCodes.Status503ServiceUnavailable);
        });
        return app;
    }
}
