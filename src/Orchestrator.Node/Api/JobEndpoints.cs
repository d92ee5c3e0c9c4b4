using Akka.Actor;
using Akka.Hosting;
using Orchestrator.Hosting;
using Orchestrator.Protocol.Messages;
using Orchestrator.Protocol.Model;
using Orchestrator.Validation;

namespace Orchestrator.Node.Api;

/// <summary>The job API: post a job (the seed's /orchestrator/postJob) and read it back.</summary>
public static class JobEndpoints
{
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(15);

    public static IEndpointRouteBuilder MapJobEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/orchestrator/postJob", PostJob);
        app.MapGet("/orchestrator/jobs/{jobId}", GetJob);
        return app;
    }

    private static async Task<IResult> PostJob(HttpContext http, IRequiredActor<JobRegion> jobs, CancellationToken ct)
    {
        if (!IsJson(http.Request.ContentType)) return Problems.UnsupportedMediaType(http.Request.ContentType);

        var body = await JsonBodyReader.ReadAsync<JobDescription>(http.Request, Limits.MaxBodyBytes, ct);
        if (body.TooLarge) return Problems.TooLarge(Limits.MaxBodyBytes);
        if (!body.Errors.IsEmpty) return Problems.Invalid(body.Errors);

        var description = body.Value!;
        var errors = JobDescriptionValidator.Validate(description);
        if (!errors.IsEmpty) return Problems.Invalid(errors);

        var jobId = description.JobId ?? "job-" + Guid.CreateVersion7().ToString("N");
        var requester = "http:" + (http.Connection.RemoteIpAddress?.ToString() ?? "unknown");
        try
        {
            var reply = await jobs.ActorRef.Ask<IJobMessage>(new PostJob(jobId, description, requester), AskTimeout, ct);
            return reply switch
            {
                JobAccepted accepted => Results.Accepted($"/orchestrator/jobs/{Uri.EscapeDataString(accepted.JobId)}",
                    new PostJobResponse(accepted.JobId, accepted.State, accepted.Created)),
                JobConflict conflict => Problems.Conflict(conflict.Detail),
                JobRejected rejected => Problems.Invalid(rejected.Errors),
                _ => Problems.Unavailable($"unexpected answer {reply.GetType().Name}"),
            };
        }
        catch (AskTimeoutException)
        {
            return Problems.Unavailable($"job '{jobId}' was not confirmed within {AskTimeout.TotalSeconds} s; " +
                                        "re-post with the same jobId to find out whether it was taken");
        }
    }

    private static async Task<IResult> GetJob(string jobId, IRequiredActor<JobRegion> jobs, CancellationToken ct)
    {
        if (Limits.CheckId(jobId) is { } idError)
            return Problems.Invalid(new Dictionary<string, string[]> { ["jobId"] = [idError] });
        try
        {
            var reply = await jobs.ActorRef.Ask<IJobMessage>(new GetJob(jobId), AskTimeout, ct);
            return reply switch
            {
                JobStatus status => Results.Ok(status),
                JobNotFound => Problems.NotFound($"no job with id '{jobId}'"),
                _ => Problems.Unavailable($"unexpected answer {reply.GetType().Name}"),
            };
        }
        catch (AskTimeoutException)
        {
            return Problems.Unavailable($"job '{jobId}' did not answer within {AskTimeout.TotalSeconds} s");
        }
    }

    private static bool IsJson(string? contentType) =>
        contentType is not null &&
        (contentType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase)
         || contentType.Contains("+json", StringComparison.OrdinalIgnoreCase));
}

public sealed record PostJobResponse(string JobId, JobState State, bool Created);
