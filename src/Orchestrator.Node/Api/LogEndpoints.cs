using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Orchestrator.Api;
using Orchestrator.Node.Startup;

namespace Orchestrator.Node.Api;

/// <summary>
/// <c>GET /ops/logs?after=&amp;level=&amp;last=</c>: the node's recent log lines (an in-memory ring), numbered, so
/// <c>orchestrator log tail --follow</c> asks for what came after the last line it printed. Behind the API token.
/// </summary>
public static class LogEndpoints
{
    public const int MaxLast = RecentLogs.DefaultCapacity;

    public static IEndpointRouteBuilder MapLogEndpoints(this IEndpointRouteBuilder app, RecentLogs logs)
    {
        app.MapGet("/ops/logs", (HttpRequest request) => Read(request, logs)).WithName("LogTail").WithTags("Operations")
            .WithSummary("The node's recent log lines (in memory), after a line number, at a level or above.")
            .WithQuery(
                new QueryParameterSpec("after", "Only lines numbered above this one (0 or more; default 0).", Microsoft.OpenApi.JsonSchemaType.Integer, "int64"),
                new QueryParameterSpec("level", "Only lines at this level or above (default info).", Values: ["trace", "debug", "info", "warning", "error", "critical"]),
                new QueryParameterSpec("last", $"At most this many of the newest lines, 1 to {MaxLast} (default {MaxLast}).", Microsoft.OpenApi.JsonSchemaType.Integer, "int32"))
            .AddEndpointFilterFactory(QueryStrictness.Filter)
            .ProducesProblems(400);
        return app;
    }

    private static Results<Ok<LogPage>, ProblemHttpResult> Read(HttpRequest request, RecentLogs logs)
    {
        var errors = new Dictionary<string, string[]>();
        var after = 0L;
        if (request.Query["after"] is { Count: > 0 } afterText && !long.TryParse(afterText.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out after))
            errors["after"] = [$"must be a line number (0 or more), not '{afterText}'"];
        var level = "info";
        if (request.Query["level"] is { Count: > 0 } levelText)
        {
            level = levelText.ToString().ToLowerInvariant();
            if (RecentLogs.Level(level) == Microsoft.Extensions.Logging.LogLevel.None)
                errors["level"] = [$"'{levelText}' is not a level (trace, debug, info, warning, error, critical)"];
        }

        var last = MaxLast;
        if (request.Query["last"] is { Count: > 0 } lastText &&
            (!int.TryParse(lastText.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out last) || last is < 1 or > MaxLast))
            errors["last"] = [$"must be a whole number from 1 to {MaxLast}, not '{lastText}'"];
        if (errors.Count > 0) return Orchestrator.Api.Problems.Invalid(errors);
        return TypedResults.Ok(logs.Read(after, RecentLogs.Level(level), last));
    }
}
