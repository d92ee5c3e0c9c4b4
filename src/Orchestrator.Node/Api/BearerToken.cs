using System.Security.Cryptography;
using System.Text;
using Orchestrator.Node.Startup;

namespace Orchestrator.Node.Api;

/// <summary>
/// With an API token set, every request that changes something (any method but GET, HEAD and OPTIONS) and every
/// ops endpoint needs <c>Authorization: Bearer &lt;token&gt;</c>. Reading jobs and health stays open, so probes and
/// dashboards need no secret.
/// </summary>
public static class BearerToken
{
    public static IApplicationBuilder UseBearerToken(this IApplicationBuilder app, ApiAccess access)
    {
        if (access.Token is not { } token) return app;
        var expected = SHA256.HashData(Encoding.UTF8.GetBytes(token));
        return app.Use(async (context, next) =>
        {
            if (!NeedsToken(context.Request) || Presented(context.Request, expected))
            {
                await next(context);
                return;
            }

            context.Response.Headers.WWWAuthenticate = "Bearer";
            await Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized",
                detail: "this request needs the node's API token: Authorization: Bearer <token>").ExecuteAsync(context);
        });
    }

    private static bool NeedsToken(HttpRequest request) =>
        !(HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsOptions(request.Method))
        || request.Path.StartsWithSegments("/ops");

    // Both sides hashed to the same length, then compared in constant time: the time taken says nothing about how
    // much of a guess was right.
    private static bool Presented(HttpRequest request, byte[] expected)
    {
        var header = request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return false;
        var given = SHA256.HashData(Encoding.UTF8.GetBytes(header["Bearer ".Length..].Trim()));
        return CryptographicOperations.FixedTimeEquals(given, expected);
    }
}
