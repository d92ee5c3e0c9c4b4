using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Threading.Channels;
using Akka.Actor;
using Akka.Hosting;
using Orchestrator.Hosting;
using Orchestrator.Protocol.Messages;

namespace Orchestrator.Node.Api;

/// <summary>Following a job live (Server-Sent Events) and cancelling it.</summary>
public static class JobControlEndpoints
{
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(15);

    public static IEndpointRouteBuilder MapJobControlEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/orchestrator/jobs/{jobId}/events", Events);
        app.MapPost("/orchestrator/jobs/{jobId}/cancel", Cancel);
        return app;
    }

    /// <summary>
    /// <c>event: state</c> with the job's current state at once, then one per state change, until the job is
    /// terminal (then the stream ends). 404 for an unknown job.
    /// </summary>
    private static async Task<IResult> Events(string jobId, IRequiredActor<JobRegion> jobs, ActorSystem system, CancellationToken ct)
    {
        if (Problems.InvalidJobId(jobId) is { } problem) return problem;
        try
        {
            if (await jobs.ActorRef.Ask<IJobMessage>(new GetJob(jobId), AskTimeout, ct) is JobNotFound)
                return Problems.NotFound($"no job with id '{jobId}'");
        }
        catch (AskTimeoutException)
        {
            return Problems.Unavailable($"job '{jobId}' did not answer within {AskTimeout.TotalSeconds} s");
        }

        return TypedResults.ServerSentEvents(Follow(jobId, jobs.ActorRef, system, ct));
    }

    private static async IAsyncEnumerable<SseItem<string>> Follow(string jobId, IActorRef jobs, ActorSystem system,
        [EnumeratorCancellation] CancellationToken ct)
    {
        var changes = Channel.CreateUnbounded<JobStateChanged>(new UnboundedChannelOptions { SingleReader = true });
        var follower = system.ActorOf(JobFollower.Props(jobs, jobId, changes.Writer));
        try
        {
            await foreach (var change in changes.Reader.ReadAllAsync(ct))
                yield return new SseItem<string>(JsonSerializer.Serialize(change, ApiJson.Options), "state");
        }
        finally
        {
            // The client went away, or the job is terminal: stop following (the job drops the watched subscriber).
            system.Stop(follower);
        }
    }

    /// <summary>200 with the job's status once it has failed as cancelled; 409 when it is terminal already.</summary>
    private static async Task<IResult> Cancel(string jobId, IRequiredActor<JobRegion> jobs, CancellationToken ct)
    {
        if (Problems.InvalidJobId(jobId) is { } problem) return problem;
        try
        {
            var reply = await jobs.ActorRef.Ask<IJobMessage>(new CancelJob(jobId, "cancelled through the API"), AskTimeout, ct);
            switch (reply)
            {
                case JobCancelled:
                    return Results.Ok(await jobs.ActorRef.Ask<JobStatus>(new GetJob(jobId), AskTimeout, ct));
                case JobNotCancellable terminal:
                    return Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "The job cannot be cancelled.", detail: terminal.Detail);
                case JobNotFound:
                    return Problems.NotFound($"no job with id '{jobId}'");
                default:
                    return Problems.Unavailable($"unexpected answer {reply.GetType().Name}");
            }
        }
        catch (AskTimeoutException)
        {
            return Problems.Unavailable($"job '{jobId}' did not answer within {AskTimeout.TotalSeconds} s");
        }
    }
}
