using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
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

    private static bool NeedsToken(HttpRequest request) => NeedsToken(request.Method, request.Path);

    private static bool NeedsToken(string method, PathString path) =>
        !(HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method)) || path.StartsWithSegments("/ops");

    /// <summary>The security scheme's name in the OpenAPI document.</summary>
    public const string SchemeName = "apiToken";

    /// <summary>
    /// The document says what the node enforces: operations that change something, and every ops endpoint, name the
    /// bearer token (and their 401); reading jobs and health names none (<c>security: []</c>).
    /// </summary>
    public static IServiceCollection DocumentBearerToken(this IServiceCollection services) =>
        services.Configure<OpenApiOptions>("v1", openApi => openApi.AddDocumentTransformer((document, _, _) =>
        {
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes[SchemeName] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                Description = "The node's API token (ORCHESTRATOR_API_TOKEN or --api-token-file). A node bound beyond loopback always has one; " +
                              "a node on 127.0.0.1 without one checks nothing. Needed by every request that changes something and by every /ops endpoint.",
            };
            foreach (var (path, item) in document.Paths)
            foreach (var (method, operation) in item.Operations ?? [])
            {
                if (!NeedsToken(method.Method, new PathString(path)))
                {
                    operation.Security = [];
                    continue;
                }

                operation.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(SchemeName, document)] = [] }];
                operation.Responses ??= new OpenApiResponses();
                operation.Responses["401"] = new OpenApiResponse
                {
                    Description = "The node has an API token and the request did not present it (Authorization: Bearer <token>).",
                    Content = new Dictionary<string, OpenApiMediaType>
                    {
                        ["application/problem+json"] = new() { Schema = new OpenApiSchemaReference("ProblemDetails", document) },
                    },
                };
            }
            return Task.CompletedTask;
        }));

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
