using Microsoft.OpenApi;

namespace Orchestrator.Api;

/// <summary>
/// A route's body, for the OpenAPI document only. <c>Accepts&lt;T&gt;()</c> would also make routing refuse another
/// content type with a bare 415 before the handler runs; the handler's own 415 names what it takes.
/// </summary>
public static class RequestBodies
{
    /// <summary>Documents a required body of <typeparamref name="T"/> in each of <paramref name="contentTypes"/>.</summary>
    public static RouteHandlerBuilder WithBody<T>(this RouteHandlerBuilder route, params string[] contentTypes)
    {
        route.AddOpenApiOperationTransformer(async (operation, context, ct) =>
        {
            IOpenApiSchema schema = typeof(T) == typeof(byte[])
                ? new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary" }
                : await Component(typeof(T), context, ct);
            operation.RequestBody = new OpenApiRequestBody
            {
                Required = true,
                Content = contentTypes.ToDictionary(type => type, _ => new OpenApiMediaType { Schema = schema }),
            };
        });
        return route;
    }

    /// <summary>Schemas of bodies no answer uses, to add to the components when the document is complete.</summary>
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, IOpenApiSchema> BodyOnly = new();

    /// <summary>
    /// The type's schema as a reference to the document's components, where the answers' schemas are. The generator
    /// puts a type there when an answer uses it (with references of its own); one only a body uses is added at the end.
    /// </summary>
    private static async Task<IOpenApiSchema> Component(Type type, Microsoft.AspNetCore.OpenApi.OpenApiOperationTransformerContext context, CancellationToken ct)
    {
        var schema = await context.GetOrCreateSchemaAsync(type, null, ct);
        if (context.Document is not { } document) return schema;
        BodyOnly.TryAdd(type.Name, schema);
        return new OpenApiSchemaReference(type.Name, document);
    }

    /// <summary>Adds the schemas of bodies that no answer put in the components.</summary>
    internal static void AddBodyOnlySchemas(OpenApiDocument document)
    {
        document.Components ??= new OpenApiComponents();
        document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
        foreach (var (name, schema) in BodyOnly) document.Components.Schemas.TryAdd(name, schema);
    }
}
