using Orchestrator.Validation;

namespace Orchestrator.Api;

/// <summary>
/// Ids in paths and queries are normalised (Unicode NFC) before a handler checks or looks them up, as ids in bodies
/// are before they are validated and stored: "o" + U+0308 and "ö" name the same job on every route.
/// </summary>
public static class IdNormalization
{
    /// <summary>The normalisation, as an endpoint filter factory for a route group.</summary>
    public static EndpointFilterDelegate Filter(EndpointFilterFactoryContext factory, EndpointFilterDelegate next)
    {
        var positions = factory.MethodInfo.GetParameters()
            .Where(p => p.ParameterType == typeof(string) && p.Name is { } name && name.EndsWith("Id", StringComparison.Ordinal))
            .Select(p => p.Position).ToArray();
        if (positions.Length == 0) return next;
        return context =>
        {
            foreach (var i in positions)
                if (context.Arguments[i] is string id)
                    context.Arguments[i] = Limits.NormalizeId(id);
            return next(context);
        };
    }
}
