using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Orchestrator.Api;

/// <summary>
/// What the generated OpenAPI document needs to say what the API does, and that the generator does not know:
/// fields with no value are left out (never null), so they are optional; problem details carry <c>traceId</c> and
/// their extensions; every route of the API refuses query parameters it does not take (400); its tags, licence and
/// server address as a linter expects them.
/// </summary>
internal static class OpenApiContract
{
    /// <summary>Marks the endpoints of the API (they check their query parameters and normalise their ids).</summary>
    internal sealed record ApiEndpoint;

    private static readonly Dictionary<string, string> TagDescriptions = new()
    {
        ["Jobs"] = "Post compute jobs, follow them to a contract and through their run, cancel them, read their logs and results.",
        ["Providers"] = "Onboard and offboard compute providers; their capacity, contracts, earnings and eligibility for a job.",
        ["Settlements"] = "The ledger: every contract's settlement, signed by both sides, with its amount and transfer.",
        ["Operations"] = "The operator's palette: cluster members, sharding, actors, logs and fault injection (behind the API token on an exposed node).",
        ["Health"] = "Liveness and readiness probes.",
        ["Metrics"] = "Prometheus metrics.",
    };

    public static void Configure(OpenApiOptions options)
    {
        options.AddOperationTransformer((operation, context, _) =>
        {
            var isApi = context.Description.ActionDescriptor.EndpointMetadata.OfType<ApiEndpoint>().Any();
            if (isApi && operation.Responses is { } responses && !responses.ContainsKey("400"))
                responses["400"] = new OpenApiResponse
                {
                    Description = "A query parameter this operation does not take (each named in errors, with the closest it does).",
                    Content = new Dictionary<string, OpenApiMediaType>
                    {
                        ["application/problem+json"] = new() { Schema = new OpenApiSchemaReference("HttpValidationProblemDetails", context.Document) },
                    },
                };
            return Task.CompletedTask;
        });
        options.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "Orchestrator";
            document.Info.Description = "Post compute jobs, follow them to a contract, onboard providers, operate the cluster. " +
                                        "A field with no value is left out of an answer, never written as null; a request may leave it out or give null.";
            document.Info.License = new OpenApiLicense { Name = "Apache-2.0", Identifier = "Apache-2.0" };
            foreach (var server in document.Servers ?? [])
                if (server.Url is { Length: > 1 } url) server.Url = url.TrimEnd('/');
            foreach (var tag in document.Tags ?? new HashSet<OpenApiTag>())
                if (tag.Name is { } name && TagDescriptions.TryGetValue(name, out var description)) tag.Description ??= description;
            RequestBodies.AddBodyOnlySchemas(document);
            if (document.Components?.Schemas is { } schemas)
            {
                foreach (var schema in schemas.Values.OfType<OpenApiSchema>()) OptionalWhenNullable(schema);
                foreach (var name in new[] { "ProblemDetails", "HttpValidationProblemDetails" })
                    if (schemas.TryGetValue(name, out var problem) && problem is OpenApiSchema details) Problem(details);
            }
            return Task.CompletedTask;
        });
    }

    /// <summary>A field that may have no value is left out when it has none: it cannot be required.</summary>
    private static void OptionalWhenNullable(OpenApiSchema schema)
    {
        if (schema.Required is not { Count: > 0 } required || schema.Properties is not { } properties) return;
        foreach (var (name, property) in properties)
            if (Nullable(property)) required.Remove(name);
    }

    private static bool Nullable(IOpenApiSchema schema) =>
        schema.Type is { } type && type.HasFlag(JsonSchemaType.Null)
        || (schema.OneOf ?? []).Any(s => s.Type == JsonSchemaType.Null)
        || (schema.AnyOf ?? []).Any(s => s.Type == JsonSchemaType.Null);

    /// <summary>
    /// RFC 9457 lets a problem carry members of its own: ours carry <c>traceId</c> (every one), <c>errors</c> (400),
    /// <c>accepted</c> (415), <c>jobId</c> (a post's 503).
    /// </summary>
    private static void Problem(OpenApiSchema details)
    {
        details.AdditionalPropertiesAllowed = true;
        details.AdditionalProperties = null;
        details.Properties ??= new Dictionary<string, IOpenApiSchema>();
        details.Properties["traceId"] = new OpenApiSchema
        {
            Type = JsonSchemaType.String,
            Description = "The W3C trace id of the request, to find it in the node's log and traces.",
        };
    }
}
