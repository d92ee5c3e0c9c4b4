using System.Globalization;

namespace Orchestrator.Api;

/// <summary>Reading a listing's query parameters: a bad one is named in <c>errors</c> with what it must be, and its default is used.</summary>
internal static class QueryParameters
{
    /// <summary>A whole number in [<paramref name="min"/>, <paramref name="max"/>], or <paramref name="fallback"/> when absent.</summary>
    public static int Number(HttpRequest request, string name, int fallback, int min, int max, Dictionary<string, string[]> errors)
    {
        if (request.Query[name] is not { Count: > 0 } text) return fallback;
        if (int.TryParse(text.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max) return value;
        errors[name] = [$"must be a whole number from {min} to {max}, not '{text}'"];
        return fallback;
    }

    /// <summary>A date and time (ISO 8601; UTC when it names no offset), or null when absent.</summary>
    public static DateTimeOffset? Time(HttpRequest request, string name, Dictionary<string, string[]> errors)
    {
        if (request.Query[name] is not { Count: > 0 } text) return null;
        if (DateTimeOffset.TryParse(text.ToString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed)) return parsed;
        errors[name] = [$"'{text}' is not a date and time (ISO 8601, e.g. 2026-11-28T10:00:00Z)"];
        return null;
    }
}
