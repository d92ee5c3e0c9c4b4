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

    /// <summary>
    /// Text of 1 to <paramref name="maxLength"/> characters, in the form ids are kept in (NFC, so text typed in another
    /// normal form still matches them), or null when absent.
    /// </summary>
    public static string? Text(HttpRequest request, string name, int maxLength, Dictionary<string, string[]> errors)
    {
        if (request.Query[name] is not { Count: > 0 } given) return null;
        string text;
        try
        {
            text = given.ToString().Normalize(System.Text.NormalizationForm.FormC);
        }
        catch (ArgumentException)
        {
            errors[name] = ["is not valid Unicode text"];
            return null;
        }

        if (text.Length is > 0 && text.Length <= maxLength) return text;
        errors[name] = [$"must be 1 to {maxLength} characters, was {text.Length}"];
        return null;
    }
}
