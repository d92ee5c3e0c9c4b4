namespace Orchestrator.Api;

/// <summary>
/// The API's one rule for a request's content type: its media type, parameters (a charset) aside, compared without
/// regard to case; a route that takes JSON also takes a JSON-based type (<c>application/merge-patch+json</c> and the like).
/// </summary>
public static class MediaTypes
{
    public const string Json = "application/json";

    public static bool Accepts(string? contentType, params string[] accepted)
    {
        var type = contentType?.Split(';')[0].Trim();
        if (string.IsNullOrEmpty(type)) return false;
        return accepted.Any(a => string.Equals(a, type, StringComparison.OrdinalIgnoreCase)
                                 || (a == Json && type.StartsWith("application/", StringComparison.OrdinalIgnoreCase)
                                               && type.EndsWith("+json", StringComparison.OrdinalIgnoreCase)));
    }
}
