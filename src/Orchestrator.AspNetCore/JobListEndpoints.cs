using System.Globalization;
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

        DateTimeOffset? since = null;
        if (request.Query["since"] is { Count: > 0 } sinceText)
        {
            if (DateTimeOffset.TryParse(sinceText.ToString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed)) since = parsed;
            else errors["since"] = [$"'{sinceText}' is not a date and time (ISO 8601, e.g. 2026-11-28T10:00:00Z)"];
        }

        var offset = Number(request, "offset", 0, 0, int.MaxValue, errors);
        var limit = Number(request, "limit", 100, 1, MaxLimit, errors);
        if (errors.Count > 0) return Problems.Invalid(errors);

        var page = await index.ActorRef.Ask<JobPage>(new ListJobs(state, since, offset, limit), AskTimeout, ct);
        return TypedResults.Ok(page);
    }

    private static int Number(HttpRequest request, string name, int fallback, int min, int max, Dictionary<string, string[]> errors)
    {
        if (request.Query[name] is not { Count: > 0 } text) return fallback;
        if (int.TryParse(text.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max) return value;
        errors[name] = [$"must be a whole number from {min} to {max}, not '{text}'"];
        return fallback;
    }
}
