using System.Reflection;

namespace Orchestrator.Api;

/// <summary>
/// <c>/ui/</c>: the web console — plain HTML, CSS and JavaScript embedded in this library (no build step, nothing
/// fetched from elsewhere), reading the same API as the CLI: the cluster's members and shards, every job (paged and
/// searched), a job's story (outcome, runs and output, settlement, timeline, providers asked, explanation), the
/// providers' capacity and the settlement ledger. Actions appear where the node would accept them (docs/operations.md).
/// </summary>
public static class ConsoleEndpoints
{
    private static readonly Assembly Assembly = typeof(ConsoleEndpoints).Assembly;

    private static readonly Dictionary<string, string> ContentTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        [".html"] = "text/html; charset=utf-8", [".css"] = "text/css; charset=utf-8", [".js"] = "text/javascript; charset=utf-8",
        [".svg"] = "image/svg+xml",
    };

    public static IEndpointRouteBuilder MapConsole(this IEndpointRouteBuilder app)
    {
        // The root of the API is the way to the console for a browser (API clients start from /openapi/v1.json).
        app.MapGet("/", (HttpContext context) => Results.Redirect(context.Request.PathBase + "/ui/")).ExcludeFromDescription();
        // "/ui" and "/ui/" both reach this route: the first is sent to the second, so the page's relative links resolve.
        app.MapGet("/ui", (HttpContext context) => context.Request.Path.Value!.EndsWith('/')
            ? Asset("index.html")
            : Results.Redirect(context.Request.PathBase + context.Request.Path + "/")).ExcludeFromDescription();
        app.MapGet("/ui/{*file}", (string? file) => Asset(string.IsNullOrEmpty(file) ? "index.html" : file)).ExcludeFromDescription();
        return app;
    }

    private static IResult Asset(string file)
    {
        if (!ContentTypes.TryGetValue(Path.GetExtension(file), out var type) || file.Contains("..", StringComparison.Ordinal)) return Results.NotFound();
        var stream = Assembly.GetManifestResourceStream("ui/" + file);
        return stream is null ? Results.NotFound() : Results.Stream(stream, type);
    }
}
