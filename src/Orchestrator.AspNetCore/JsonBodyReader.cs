using System.Text.Json;
using Orchestrator.Validation;

namespace Orchestrator.Api;

/// <summary>The outcome of reading a JSON body: the value, or the fields that are wrong and why.</summary>
public sealed record BodyRead<T>(T? Value, ValidationErrors Errors, bool TooLarge);

/// <summary>
/// Reads a request body into a typed value with a hard size limit, turning the serializer's complaints into
/// field-named errors ("requirements.resources.cpuCores": "must be a number"; see <see cref="JsonErrors"/>).
/// </summary>
public static class JsonBodyReader
{
    /// <summary>The content types a JSON body may be sent as: JSON, or a JSON-based type (<c>application/*+json</c>).</summary>
    public static bool IsJson(string? contentType) => MediaTypes.Accepts(contentType, MediaTypes.Json);

    /// <summary>
    /// A request's JSON body as <typeparamref name="T"/>, or the problem to answer with: 415 naming the content types
    /// accepted, 413 naming the limit, 400 naming each bad field (or the body, when it is not JSON at all).
    /// </summary>
    public static async Task<(T? Value, Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult? Problem)> ReadRequestAsync<T>(HttpRequest request, int maxBytes, CancellationToken ct)
        where T : class
    {
        if (!IsJson(request.ContentType)) return (null, Problems.UnsupportedMediaType(request.ContentType, "application/json"));
        var body = await ReadAsync<T>(request, maxBytes, ct);
        if (body.TooLarge) return (null, Problems.TooLarge(maxBytes));
        return body.Errors.IsEmpty ? (body.Value, null) : (null, Problems.Invalid(body.Errors));
    }

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

        var (value, complaints) = JsonErrors.Read<T>(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
        if (!complaints.IsEmpty) return new BodyRead<T>(default, complaints, false);
        if (value is null) errors.Add("body", "must be a JSON object, not null");
        return new BodyRead<T>(value, errors, false);
    }

    /// <summary>The serializer's complaint as field-named errors in the API's words (no framework text).</summary>
    public static ValidationErrors Describe(JsonException e) => JsonErrors.Describe(e);

    /// <summary>An enum's values exactly as the API writes them (its own converters and member names decide).</summary>
    public static IEnumerable<string> EnumWords(Type enumType) => JsonErrors.EnumWords(enumType);
}
