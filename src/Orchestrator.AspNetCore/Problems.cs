using Microsoft.AspNetCore.Http.HttpResults;
using Orchestrator.Validation;

namespace Orchestrator.Api;

/// <summary>RFC 9457 problem details for every error the API gives: one typed result, whatever the status.</summary>
public static class Problems
{
    public static ProblemHttpResult Invalid(ValidationErrors errors) => Invalid(errors.ToDictionary());

    /// <summary>400 with an <c>errors</c> object naming each bad field by its JSON path.</summary>
    public static ProblemHttpResult Invalid(IReadOnlyDictionary<string, string[]> errors) =>
        TypedResults.Problem(new HttpValidationProblemDetails(errors.ToDictionary(kv => kv.Key, kv => kv.Value))
        {
            Status = StatusCodes.Status400BadRequest,
            Title = "The request is invalid.",
            Detail = string.Join("; ", errors.Select(kv => $"{(kv.Key.Length == 0 ? "body" : kv.Key)}: {string.Join(", ", kv.Value)}")),
        });

    public static ProblemHttpResult TooLarge(int limit) =>
        TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "The request body is too large.",
            detail: $"body: must be at most {limit} bytes");

    /// <summary>A job id in a path that could never name a job: the problem naming it, or null when it is well-formed.</summary>
    public static ProblemHttpResult? InvalidJobId(string jobId) =>
        Limits.CheckId(jobId) is { } error ? Invalid(new Dictionary<string, string[]> { ["jobId"] = [error] }) : null;

    public static ProblemHttpResult NotFound(string what) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found.", detail: what);

    public static ProblemHttpResult Conflict(string detail, string title = "The job id is taken.") =>
        TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: title, detail: detail);

    public static ProblemHttpResult Forbidden(string title, string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: title, detail: detail);

    public static ProblemHttpResult Unavailable(string detail, string title = "The node could not answer in time.") =>
        TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: title, detail: detail);

    /// <summary>
    /// 503 for a post refused before anything was written (<see cref="ProblemTypes.PostNotTaken"/>): the job does not
    /// exist because of this request, and posting it anywhere, under any id, is safe.
    /// </summary>
    public static ProblemHttpResult PostNotTaken(string jobId, string detail, string title) =>
        TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: title, detail: detail,
            type: ProblemTypes.PostNotTaken, extensions: new Dictionary<string, object?> { ["jobId"] = jobId });

    /// <summary>
    /// 503 for a post this node cannot say was stored or not (<see cref="ProblemTypes.PostOutcomeUnknown"/>): it may
    /// have been taken, so the only safe retry is the same jobId (idempotent), to this node or another.
    /// </summary>
    public static ProblemHttpResult PostOutcomeUnknown(string jobId, string detail, string title = "Whether the job was taken is not known.") =>
        TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: title,
            detail: detail + $"; re-post with the same jobId ('{jobId}') to find out: it is taken at most once",
            type: ProblemTypes.PostOutcomeUnknown, extensions: new Dictionary<string, object?> { ["jobId"] = jobId });

    /// <summary>415 naming the content types the route takes and the one it was given.</summary>
    public static ProblemHttpResult UnsupportedMediaType(string? contentType, params string[] accepted) =>
        TypedResults.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "The body's content type is not one this route takes.",
            detail: $"Content-Type: expected {string.Join(" or ", accepted)}, got {(contentType is null ? "none" : $"'{contentType}'")}",
            extensions: new Dictionary<string, object?> { ["accepted"] = accepted });

    /// <summary>The problem responses an endpoint documents, besides its success.</summary>
    public static RouteHandlerBuilder ProducesProblems(this RouteHandlerBuilder route, params int[] statuses)
    {
        foreach (var status in statuses)
            if (status == StatusCodes.Status400BadRequest) route.ProducesValidationProblem();
            else route.ProducesProblem(status);
        return route;
    }
}
