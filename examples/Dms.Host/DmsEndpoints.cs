using Akka.Actor;
using Akka.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using Orchestrator.Protocol.Messages;
using Orchestrator.Protocol.Model;

namespace Dms.Host;

/// <summary>The DMS's own endpoints, beside the orchestrator's: they talk to the DMS's actor, which talks to the orchestrator by message.</summary>
public static class DmsEndpoints
{
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(15);

    public static IEndpointRouteBuilder MapDmsEndpoints(this IEndpointRouteBuilder app)
    {
        var dms = app.MapGroup("/dms").WithTags("DMS");
        dms.MapPost("/jobs", async Task<Results<Accepted<JobAccepted>, BadRequest<JobRejected>, Conflict<JobConflict>>> (
            JobDescription description, IRequiredActor<DmsJobs> actor, CancellationToken ct) =>
            await actor.ActorRef.Ask<IJobMessage>(new Submit(description), AskTimeout, ct) switch
            {
                JobAccepted accepted => TypedResults.Accepted($"/orchestrator/jobs/{accepted.JobId}", accepted),
                JobRejected rejected => TypedResults.BadRequest(rejected),
                JobConflict conflict => TypedResults.Conflict(conflict),
                var other => throw new InvalidOperationException($"unexpected answer {other.GetType().Name}"),
            });
        dms.MapGet("/jobs/{jobId}/seen", async (string jobId, IRequiredActor<DmsJobs> actor, CancellationToken ct) =>
            TypedResults.Ok(await actor.ActorRef.Ask<Seen>(new GetSeen(jobId), AskTimeout, ct)));
        return app;
    }
}
