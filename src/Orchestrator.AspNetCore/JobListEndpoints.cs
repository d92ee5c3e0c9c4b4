using Akka.Actor;
using Akka.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using Orchestrator.Protocol.Messages;
using Orchestrator.Protocol.Model;
using Orchestrator.ReadModel;
using Orchestrator.Validation;

namespace Orchestrator.Api;

/// <summary><c>GET /orchestrator/jobs</c>: every job in the cluster, newest first, filtered and paged.</summary>
public static class JobListEndpoints
{
    public const int MaxLimit = 1000;

    public static IEndpointRouteBuilder MapJobListEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/orchestrator/jobs", List).WithName("ListJobs")
            .WithSummary("Every job in the cluster, newest first (then by id), filtered by state, time and id, paged.")
            .WithQuery(
                new("state", "Only jobs in this state.", Values: Enum.GetNames<JobState>()),
                new("since", "Only jobs posted at or after this time (ISO 8601; UTC when no offset is given).", Format: "date-time"),
                new("until", "Only jobs posted before this time (ISO 8601): pin it while paging back, so jobs posted meanwhile do not shift the pages.",
                    Format: "date-time"),
                new("search", $"Only jobs whose id, or whose provider's id, contains this text (case-insensitive; 1 to {Limits.MaxIdLength} characters)."),
                new("offset", "Jobs to skip (0 or more; default 0).", Microsoft.OpenApi.JsonSchemaType.Integer, "int32"),
                new("limit", $"Jobs to return, 1 to {MaxLimit} (default 100).", Microsoft.OpenApi.JsonSchemaType.Integer, "int32"))
            .ProducesProblems(400, 503);
        return app;
    }

    private static async Task<Results<Ok<JobPage>, ProblemHttpResult>> List(HttpRequest request, IRequiredActor<JobIndexActor> index, ActorSystem system,
        CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        JobState? state = null;
        if (request.Query["state"] is { Count: > 0 } stateText)
        {
            if (Enum.TryParse<JobState>(stateText.ToString(), ignoreCase: true, out var parsed) && Enum.IsDefined(parsed) && !int.TryParse(stateText.ToString(), out _))
                state = parsed;
            else errors["state"] = [$"'{stateText}' is not a job state ({string.Join(", ", Enum.GetNames<JobState>())})"];
        }

        var since = QueryParameters.Time(request, "since", errors);
        var until = QueryParameters.Time(request, "until", errors);
        if (since is not null && until is not null && until <= since) errors["until"] = [$"must be after since ({since:O})"];
        var search = QueryParameters.Text(request, "search", Limits.MaxIdLength, errors);
        var offset = QueryParameters.Number(request, "offset", 0, 0, int.MaxValue, errors);
        var limit = QueryParameters.Number(request, "limit", 100, 1, MaxLimit, errors);
        if (errors.Count > 0) return Problems.Invalid(errors);

        var (page, unanswered) = await system.AskAsync<JobPage>(index.ActorRef,
            new ListJobs(state, since, offset, limit) { PostedBefore = until, Search = search }, "the job listing", ct);
        return page is null ? unanswered! : TypedResults.Ok(page);
    }
}
