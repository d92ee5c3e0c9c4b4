using Akka.Actor;
using Akka.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using Orchestrator.Protocol.Messages;
using Orchestrator.Protocol.Model;
using Orchestrator.ReadModel;

namespace Orchestrator.Api;

/// <summary><c>GET /orchestrator/jobs</c>: every job in the cluster, newest first, filtered and paged.</summary>
public static class JobListEndpoints
{
    public const int MaxLimit = 1000;
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(15);

    public static IEndpointRouteBuilder MapJobListEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/orchestrator/jobs", List).WithName("ListJobs")
            .WithSummary("Every job in the cluster, newest first, filtered by state and time, paged.")
            .WithQuery(
                new("state", "Only jobs in this state.", Values: Enum.GetNames<JobState>()),
                new("since", "Only jobs posted at or after this time (ISO 8601; UTC when no offset is given).", Format: "date-time"),
                new("offset", "Jobs to skip (0 or more; default 0).", Microsoft.OpenApi.JsonSchemaType.Integer, "int32"),
                new("limit", $"Jobs to return, 1 to {MaxLimit} (default 100).", Microsoft.OpenApi.JsonSchemaType.Integer, "int32"))
            .ProducesProblems(400);
        return app;
    }

    private static async Task<Results<Ok<JobPage>, ProblemHttpResult>> List(HttpRequest request, IRequiredActor<JobIndexActor> index, CancellationToken ct)
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
        var offset = QueryParameters.Number(request, "offset", 0, 0, int.MaxValue, errors);
        var limit = QueryParameters.Number(request, "limit", 100, 1, MaxLimit, errors);
        if (errors.Count > 0) return Problems.Invalid(errors);

        var page = await index.ActorRef.Ask<JobPage>(new ListJobs(state, since, offset, limit), AskTimeout, ct);
        return TypedResults.Ok(page);
    }
}
