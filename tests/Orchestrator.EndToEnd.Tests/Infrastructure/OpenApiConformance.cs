using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;

namespace Orchestrator.EndToEnd.Tests.Infrastructure;

/// <summary>
/// Holds an answer to what the OpenAPI document says of its operation: the status is one the operation documents,
/// the content type one that status documents, and a JSON body validates against that status's schema (JSON Schema
/// 2020-12, as OpenAPI 3.1 means it, by JsonSchema.Net). Every mismatch is kept, with the request that caused it.
/// </summary>
public sealed class OpenApiConformance(JsonObject document)
{
    private readonly JsonObject _definitions = Rewrite(document["components"]?["schemas"]?.DeepClone() ?? new JsonObject())!.AsObject();
    private readonly Dictionary<string, JsonSchema> _schemas = [];
    private int _built;

    public JsonObject Document { get; } = document;
    public List<string> Mismatches { get; } = [];
    public int Checked { get; private set; }

    /// <summary>Every operation of the document: its path template, method and description.</summary>
    public IEnumerable<(string Path, string Method, JsonObject Operation)> Operations() =>
        Document["paths"]!.AsObject().SelectMany(path => path.Value!.AsObject()
            .Where(op => op.Key is "get" or "post" or "put" or "delete" or "patch")
            .Select(op => (path.Key, op.Key.ToUpperInvariant(), op.Value!.AsObject())));

    /// <summary>A component schema with its references resolved one level (for building bodies from it).</summary>
    public JsonObject? Resolve(JsonNode? schema)
    {
        var reference = schema?["$ref"]?.GetValue<string>();
        if (reference is null) return schema as JsonObject;
        return Document["components"]!["schemas"]![reference.Split('/')[^1]] as JsonObject;
    }

    /// <summary>Checks one answer; returns its body (read whole unless it is a stream).</summary>
    public async Task<string> CheckAsync(string path, string method, string variant, HttpResponseMessage response)
    {
        Checked++;
        var operation = Document["paths"]![path]![method.ToLowerInvariant()]!.AsObject();
        var status = ((int)response.StatusCode).ToString();
        var where = $"{method} {path} ({variant}) answered {status}";
        var documented = operation["responses"]!.AsObject();
        var described = documented[status] ?? documented["default"];
        var mediaType = response.Content.Headers.ContentType?.MediaType;
        var streamed = mediaType is "text/event-stream" || variant == "follow=true";
        var body = streamed ? "" : await response.Content.ReadAsStringAsync();
        if ((int)response.StatusCode >= 500 && status != "503")
            Mismatches.Add($"{where}: a server error: {Shorten(body)}");
        if (described is null)
        {
            Mismatches.Add($"{where}, which the document does not list (it lists {string.Join(", ", documented.Select(r => r.Key))}): {Shorten(body)}");
            return body;
        }

        var content = described["content"]?.AsObject();
        if (content is null || content.Count == 0)
        {
            if (body.Length > 0) Mismatches.Add($"{where} with a body the document does not describe ({mediaType}): {Shorten(body)}");
            return body;
        }

        if (mediaType is null || !content.ContainsKey(mediaType))
        {
            Mismatches.Add($"{where} as {mediaType ?? "no content type"}, the document says {string.Join(" or ", content.Select(c => c.Key))}: {Shorten(body)}");
            return body;
        }

        if (!mediaType.EndsWith("json", StringComparison.Ordinal) || content[mediaType]?["schema"] is not { } schema) return body;
        JsonNode? instance;
        try
        {
            instance = JsonNode.Parse(body);
        }
        catch (JsonException e)
        {
            Mismatches.Add($"{where}: the body is not JSON ({e.Message}): {Shorten(body)}");
            return body;
        }

        var result = SchemaFor(schema).Evaluate(JsonSerializer.SerializeToElement(instance), new EvaluationOptions { OutputFormat = OutputFormat.List });
        if (!result.IsValid)
        {
            var errors = (result.Details ?? []).Where(d => d.Errors is { Count: > 0 })
                .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Key} {e.Value}")).Distinct().Take(6);
            Mismatches.Add($"{where}: the body does not match its schema: {string.Join("; ", errors)}\n  body: {Shorten(body)}");
        }

        return body;
    }

    private JsonSchema SchemaFor(JsonNode schema)
    {
        var key = schema.ToJsonString();
        if (_schemas.TryGetValue(key, out var built)) return built;
        var whole = Rewrite(schema.DeepClone())!.AsObject();
        whole["$schema"] = "https://json-schema.org/draft/2020-12/schema";
        whole["$defs"] = _definitions.DeepClone();
        built = JsonSchema.FromText(whole.ToJsonString(), new BuildOptions { SchemaRegistry = new SchemaRegistry() },
            new Uri($"https://orchestrator.test/answer/{++_built}"));
        return _schemas[key] = built;
    }

    /// <summary>OpenAPI's "#/components/schemas/X" is JSON Schema's "#/$defs/X" in a schema of its own.</summary>
    private static JsonNode? Rewrite(JsonNode? node) =>
        node is null ? null : JsonNode.Parse(node.ToJsonString().Replace("\"#/components/schemas/", "\"#/$defs/"));

    public static string Shorten(string text) => text.Length <= 400 ? text : text[..400] + "…";

    public static HttpContent Json(string text, string contentType = "application/json") =>
        new StringContent(text, Encoding.UTF8, new MediaTypeHeaderValue(contentType));
}
