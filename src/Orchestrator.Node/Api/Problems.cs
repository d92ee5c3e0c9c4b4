using Orchestrator.Validation;

namespace Orchestrator.Node.Api;

/// <summary>RFC 9457 problem details for every error the API gives.</summary>
public static class Problems
{
    public static IResult Invalid(ValidationErrors errors) => Invalid(errors.ToDictionary());

    public static IResult Invalid(IReadOnlyDictionary<string, string[]> errors) =>
        Results.ValidationProblem(
            errors.ToDictionary(kv => kv.Key, kv => kv.Value),
            title: "The request is invalid.",
            detail: string.Join("; ", errors.Select(kv => $"{(kv.Key.Length == 0 ? "body" : kv.Key)}: {string.Join(", ", kv.Value)}")));

    public static IResult TooLarge(int limit) =>
        Results.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "The request body is too large.",
            detail: $"body: must be at most {limit} bytes");

    /// <summary>A job id in a path that could never name a job: the problem naming it, or null when it is well-formed.</summary>
    public static IResult? InvalidJobId(string jobId) =>
        Limits.CheckId(jobId) is { } error ? Invalid(new Dictionary<string, string[]> { ["jobId"] = [error] }) : null;

    public static IResult NotFound(string what) =>
        Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found.", detail: what);

    public static IResult Conflict(string detail) =>
        Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "The job id is taken.", detail: detail);

    public static IResult Unavailable(string detail) =>
        Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "The node could not answer in time.", detail: detail);

    public static IResult UnsupportedMediaType(string? contentType) =>
        Results.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "The body must be JSON.",
            detail: $"Content-Type: expected application/json, got '{contentType ?? "none"}'");
}
