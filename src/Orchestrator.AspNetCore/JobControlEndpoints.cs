using System.Globalization;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Threading.Channels;
using Akka.Actor;
using Akka.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Orchestrator.Hosting;
using Orchestrator.Protocol.Messages;
using Orchestrator.Protocol.Model;

namespace Orchestrator.Api;

/// <summary>Following a job live (Server-Sent Events) and cancelling it.</summary>
public static class JobControlEndpoints
{
    public static IEndpointRouteBuilder MapJobControlEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/orchestrator/jobs/{jobId}/events", Events).WithName("FollowJob")
            .WithSummary("Server-Sent Events: every state the job has been in, then each change, until its life ends (final: true). Each event's id " +
                         "is its place in the job's history: with Last-Event-ID only what came after it; 204 once a finished job's last state was sent.")
            .Produces<JobStateChanged>(StatusCodes.Status200OK, "text/event-stream")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesProblems(400, 404, 503);
        app.MapPost("/orchestrator/jobs/{jobId}/cancel", Cancel).WithName("CancelJob")
            .WithSummary("Cancel a job: before its contract it fails as cancelled (its locks released); while its program runs, the program is stopped, the provider frees the resources and the job ends Cancelled.")
            .ProducesProblems(400, 404, 409, 503);
        return app;
    }

    /// <summary>
    /// <c>event: state</c> for every state the job has been in so far (its history, so a watcher who comes late sees
    /// the whole story), then one per state change as it happens, until the job is terminal (then the stream
    /// ends). Each event's id is its place in the job's history: a client that reconnects with <c>Last-Event-ID</c>
    /// (as a browser's EventSource does by itself) gets only what came after it, and once a final job's last state has
    /// been sent, 204 No Content: the answer that tells an EventSource to stop reconnecting (a stream that merely ends
    /// is reopened every few seconds, for ever). 404 for an unknown job.
    /// </summary>
    private static async Task<Results<ServerSentEventsResult<string>, NoContent, ProblemHttpResult>> Events(string jobId,
        [FromHeader(Name = "Last-Event-ID")] string? lastEventId, IRequiredActor<JobRegion> jobs, ActorSystem system, CancellationToken ct)
    {
        if (Problems.InvalidJobId(jobId) is { } problem) return problem;
        var seen = -1;
        if (lastEventId is not null && !int.TryParse(lastEventId, NumberStyles.None, CultureInfo.InvariantCulture, out seen))
            return Problems.Invalid(new Dictionary<string, string[]> { ["Last-Event-ID"] = [$"must be the id of an event of this stream (a whole number), not '{lastEventId}'"] });
        var (status, unanswered) = await system.JobAsync(jobs.ActorRef, jobId, ct);
        if (status is null) return unanswered!;

        if (status.Final && seen >= status.History.Count - 1) return TypedResults.NoContent();
        return TypedResults.ServerSentEvents(Follow(status, seen, jobs.ActorRef, system, ct));
    }

    private static async IAsyncEnumerable<SseItem<string>> Follow(JobStatus status, int seen, IActorRef jobs, ActorSystem system,
        [EnumeratorCancellation] CancellationToken ct)
    {
        var changes = Channel.CreateUnbounded<JobStateChanged>(new UnboundedChannelOptions { SingleReader = true });
        var follower = system.ActorOf(JobFollower.Props(jobs, status.JobId, changes.Writer));
        try
        {
            // The history first (from after what the client has seen); the live changes then only from after its last
            // entry (the subscription starts by repeating the current state, and may overlap what the history said).
            var shown = DateTimeOffset.MinValue;
            for (var i = 0; i < status.History.Count; i++)
            {
                var past = status.History[i];
                shown = past.At;
                if (i <= seen) continue;
                // The last entry is the job's state now: it carries the contract, the failure, the run and whether it is final.
                var last = i == status.History.Count - 1;
                yield return Item(i, new JobStateChanged(status.JobId, past.State, past.At, past.Note,
                    last || past.State == JobState.Contracted ? status.Contract : null, last ? status.Failure : null)
                {
                    Final = last && status.Final,
                    Run = last ? status.CurrentRun ?? (status.Runs.Count > 0 && past.State != JobState.Contracted ? status.Runs[^1] : null) : null,
                });
            }

            if (status.Final) yield break;
            var next = status.History.Count;
            await foreach (var change in changes.Reader.ReadAllAsync(ct))
            {
                if (change.At <= shown) continue;
                shown = change.At;
                yield return Item(next++, change);
            }
        }
        finally
        {
            // The client went away, or the job is terminal: stop following (the job drops the watched subscriber).
            system.Stop(follower);
        }
    }

    private static SseItem<string> Item(int id, JobStateChanged change) =>
        new(JsonSerializer.Serialize(change, ApiJson.Options), "state") { EventId = id.ToString(CultureInfo.InvariantCulture) };

    /// <summary>200 with the job's status once it has failed as cancelled; 409 when it is terminal already.</summary>
    private static async Task<Results<Ok<JobStatus>, ProblemHttpResult>> Cancel(string jobId, IRequiredActor<JobRegion> jobs, ActorSystem system, CancellationToken ct)
    {
        if (Problems.InvalidJobId(jobId) is { } problem) return problem;
        var (reply, unanswered) = await system.AskAsync<IJobMessage>(jobs.ActorRef, new CancelJob(jobId, "cancelled through the API"), $"job '{jobId}'", ct);
        switch (reply)
        {
            case null:
                return unanswered!;
            case JobCancelled:
                var (status, unread) = await system.JobAsync(jobs.ActorRef, jobId, ct);
                return status is null ? unread! : TypedResults.Ok(status);
            case JobNotCancellable terminal:
                return Problems.Conflict(terminal.Detail, "The job cannot be cancelled.");
            case JobNotFound:
                return Problems.NotFound($"no job with id '{jobId}'");
            default:
                return Problems.Unavailable($"job '{jobId}' answered {reply.GetType().Name}");
        }
    }
}
