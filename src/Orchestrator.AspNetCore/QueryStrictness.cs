using System.Reflection;
using Microsoft.AspNetCore.Mvc;
using Microsoft.OpenApi;
using Orchestrator.Configuration;

namespace Orchestrator.Api;

/// <summary>A query parameter a route reads itself (from <c>HttpRequest.Query</c>): what the document says of it.</summary>
/// <param name="Name">Its name, as typed in the URL.</param>
/// <param name="Description">What it does and what it must be.</param>
/// <param name="Type">Its JSON type in the document: string, integer or boolean.</param>
/// <param name="Format">The document's format: int32, int64, date-time; none for free text.</param>
/// <param name="Values">The words it takes, when it takes only some.</param>
public sealed record QueryParameterSpec(string Name, string Description, JsonSchemaType Type = JsonSchemaType.String, string? Format = null, IReadOnlyList<string>? Values = null);

/// <summary>The query parameters a route reads itself (metadata: the document lists them, the strict check allows them).</summary>
public sealed record QueryParametersMetadata(IReadOnlyList<QueryParameterSpec> Parameters);

/// <summary>
/// Every route takes only the query parameters it documents: any other is a 400 naming it, the closest one the route
/// takes, and the ones it takes. A misspelt <c>?limt=5</c> would otherwise be ignored and the default used, silently.
/// </summary>
public static class QueryStrictness
{
    /// <summary>Names the query parameters a route reads itself, for the document and for the strict check.</summary>
    public static RouteHandlerBuilder WithQuery(this RouteHandlerBuilder route, params QueryParameterSpec[] parameters)
    {
        route.WithMetadata(new QueryParametersMetadata(parameters));
        route.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            operation.Parameters ??= [];
            foreach (var p in parameters)
            {
                var schema = new OpenApiSchema { Type = p.Type, Format = p.Format };
                if (p.Values is { } values) schema.Enum = values.Select(v => (System.Text.Json.Nodes.JsonNode)v!).ToList();
                operation.Parameters.Add(new OpenApiParameter { Name = p.Name, In = ParameterLocation.Query, Description = p.Description, Schema = schema });
            }
            return Task.CompletedTask;
        });
        return route;
    }

    /// <summary>The check, as an endpoint filter factory for a route group.</summary>
    public static EndpointFilterDelegate Filter(EndpointFilterFactoryContext factory, EndpointFilterDelegate next)
    {
        // Parameters the handler binds from the query: simple values not bound from the route, the body or services.
        var bound = factory.MethodInfo.GetParameters().Where(BindableFromQuery)
            .Select(p => p.GetCustomAttribute<FromQueryAttribute>()?.Name ?? p.Name!).ToArray();
        string[]? allowed = null;
        return async context =>
        {
            var query = context.HttpContext.Request.Query;
            if (query.Count == 0) return await next(context);
            allowed ??= Allowed(context.HttpContext, bound);
            var errors = new Dictionary<string, string[]>();
            foreach (var name in query.Keys)
            {
                if (allowed.Contains(name, StringComparer.OrdinalIgnoreCase)) continue;
                var near = Spelling.Closest(name, allowed);
                errors[name] = [$"is not a parameter of this route" + (near is null ? "" : $"; did you mean '{near}'?") +
                                (allowed.Length == 0 ? " (it takes none)" : $" (it takes {string.Join(", ", allowed)})")];
            }

            return errors.Count == 0 ? await next(context) : Problems.Invalid(errors);
        };
    }

    private static string[] Allowed(HttpContext http, string[] bound)
    {
        var endpoint = http.GetEndpoint();
        var routeNames = (endpoint as RouteEndpoint)?.RoutePattern.Parameters.Select(p => p.Name).ToHashSet(StringComparer.OrdinalIgnoreCase) ?? [];
        var declared = endpoint?.Metadata.GetOrderedMetadata<QueryParametersMetadata>().SelectMany(m => m.Parameters).Select(p => p.Name) ?? [];
        return bound.Where(n => !routeNames.Contains(n)).Concat(declared).Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
    }

    private static bool BindableFromQuery(ParameterInfo p)
    {
        if (p.GetCustomAttribute<FromQueryAttribute>() is not null) return true;
        if (p.GetCustomAttributes().Any(a => a is FromRouteAttribute or FromBodyAttribute or FromServicesAttribute or FromHeaderAttribute or FromFormAttribute)) return false;
        var type = Nullable.GetUnderlyingType(p.ParameterType) ?? p.ParameterType;
        return type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal) || type == typeof(DateTimeOffset)
               || type == typeof(DateTime) || type == typeof(Guid) || type == typeof(TimeSpan);
    }
}
