using System.Text.Json;
using System.Text.RegularExpressions;
using Orchestrator.Validation;

namespace Orchestrator.Api;

/// <summary>The outcome of reading a JSON body: the value, or the fields that are wrong and why.</summary>
public sealed record BodyRead<T>(T? Value, ValidationErrors Errors, bool TooLarge);

/// <summary>
/// Reads a request body into a typed value with a hard size limit, turning the serializer's complaints into
/// field-named errors ("requirements.resources.cpuCores": "must be a number").
/// </summary>
public static partial class JsonBodyReader
{
    public static async Task<BodyRead<T>> ReadAsync<T>(HttpRequest request, int maxBytes, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        if (request.ContentLength > maxBytes) return new BodyRead<T>(default, errors, TooLarge: true);

        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > maxBytes) return new BodyRead<T>(default, errors, TooLarge: true);
            buffer.Write(chunk, 0, read);
        }

        if (buffer.Length == 0)
        {
            errors.Add("body", "is empty; a JSON object is required");
            return new BodyRead<T>(default, errors, false);
        }

        try
        {
            var value = JsonSerializer.Deserialize<T>(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), ApiJson.Options);
            if (value is null) errors.Add("body", "must be a JSON object, not null");
            return new BodyRead<T>(value, errors, false);
        }
        catch (JsonException e)
        {
            Describe(e, errors);
            return new BodyRead<T>(default, errors, false);
        }
    }

    private static void Describe(JsonException e, ValidationErrors errors)
    {
        var field = Field(e.Path);
        var message = e.Message;
        if (MissingRequired().Match(message) is { Success: true } missing)
        {
            foreach (var name in missing.Groups[1].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
                errors.Add(Join(field, name.Trim('\'')), "is required");
            return;
        }

        if (UnknownMember().Match(message) is { Success: true } unknown)
        {
            // The serializer's path already ends at the unknown property.
            var name = unknown.Groups[1].Value;
            errors.Add(field == name || field.EndsWith("." + name, StringComparison.Ordinal) ? field : Join(field, name), "is not a known field");
            return;
        }

        if (message.Contains("could not be converted to", StringComparison.Ordinal))
        {
            errors.Add(field.Length == 0 ? "body" : field, TypeMismatch(message));
            return;
        }

        if (message.Contains("null", StringComparison.OrdinalIgnoreCase) && message.Contains("non-nullable", StringComparison.OrdinalIgnoreCase))
        {
            errors.Add(field, "must not be null");
            return;
        }

        errors.Add(field.Length == 0 ? "body" : field, "is not valid JSON: " + FirstSentence(message));
    }

    private static string TypeMismatch(string message)
    {
        var target = ConvertedTo().Match(message) is { Success: true } m ? m.Groups[1].Value : "";
        var friendly = target switch
        {
            var t when t.Contains("Int32") || t.Contains("Int64") => "must be a whole number in range",
            var t when t.Contains("Decimal") || t.Contains("Double") => "must be a number",
            var t when t.Contains("Boolean") => "must be true or false",
            var t when t.Contains("String") => "must be a string",
            var t when t.Contains("ExecutorType") => "must be one of docker, firecracker, wasm",
            var t when t.Contains("OrchestrationType") => "must be one of pull, push",
            var t when t.Contains("List") || t.Contains("[]") => "must be a list",
            _ => "has the wrong type",
        };
        return friendly;
    }

    /// <summary>"$.requirements.resources.cpuCores" → "requirements.resources.cpuCores"; "$" → "".</summary>
    private static string Field(string? path)
    {
        if (string.IsNullOrEmpty(path) || path == "$") return "";
        return path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$');
    }

    private static string Join(string parent, string child) => parent.Length == 0 ? child : parent + "." + child;

    private static string FirstSentence(string message)
    {
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }

    [GeneratedRegex("missing required properties including: (.+?)\\.?( Path:|$)")]
    private static partial Regex MissingRequired();

    [GeneratedRegex("The JSON property '([^']+)' could not be mapped")]
    private static partial Regex UnknownMember();

    [GeneratedRegex("could not be converted to ([^ .]+(\\.[^ .]+)*)")]
    private static partial Regex ConvertedTo();
}
