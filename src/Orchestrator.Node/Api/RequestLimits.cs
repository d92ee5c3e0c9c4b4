using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Orchestrator.Node.Api;

/// <summary>
/// The request line and headers are bounded by the node, with an answer that says so (problem details naming the
/// limit), not by Kestrel, whose own refusals are an empty body. Kestrel's limits are set above the node's, so a
/// request between the two reaches this check; beyond Kestrel's (a request line over 64 KiB, headers over 128 KiB),
/// and for what Kestrel refuses before any application code runs (a NUL in the path, malformed HTTP), its bare 400,
/// 414 or 431 is all there is.
/// </summary>
public static class RequestLimits
{
    /// <summary>The longest path and query the node reads (Kestrel's own default, 8 KiB).</summary>
    public const int MaxTargetBytes = 8 * 1024;

    /// <summary>The most header bytes the node reads (Kestrel's own default, 32 KiB).</summary>
    public const int MaxHeaderBytes = 32 * 1024;

    public static void RaiseKestrelLimits(KestrelServerOptions kestrel)
    {
        kestrel.Limits.MaxRequestLineSize = 64 * 1024;
        kestrel.Limits.MaxRequestHeadersTotalSize = 128 * 1024;
    }

    public static IApplicationBuilder UseRequestLimits(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var request = context.Request;
        var target = System.Text.Encoding.UTF8.GetByteCount(request.Path.ToUriComponent()) + (request.QueryString.Value?.Length ?? 0);
        if (target > MaxTargetBytes)
        {
            await Results.Problem(statusCode: StatusCodes.Status414UriTooLong, title: "The URL is too long.",
                detail: $"path and query: at most {MaxTargetBytes} bytes, was {target}").ExecuteAsync(context);
            return;
        }

        var headers = request.Headers.Sum(h => h.Key.Length + 4 + h.Value.Sum(v => v?.Length ?? 0));
        if (headers > MaxHeaderBytes)
        {
            await Results.Problem(statusCode: StatusCodes.Status431RequestHeaderFieldsTooLarge, title: "The request's headers are too large.",
                detail: $"headers: at most {MaxHeaderBytes} bytes in all, were about {headers}").ExecuteAsync(context);
            return;
        }

        await next(context);
    });

    /// <summary><c>/metrics</c> is not a route of the API's group: it refuses query parameters here, as the API's routes do.</summary>
    public static IApplicationBuilder UseNoQueryOn(this IApplicationBuilder app, string path) => app.Use(async (context, next) =>
    {
        if (context.Request.Path.Equals(path, StringComparison.Ordinal) && context.Request.Query.Count > 0)
        {
            await Orchestrator.Api.Problems.Invalid(context.Request.Query.Keys.ToDictionary(k => k, _ => new[] { "is not a parameter of this route (it takes none)" }))
                .ExecuteAsync(context);
            return;
        }

        await next(context);
    });
}
