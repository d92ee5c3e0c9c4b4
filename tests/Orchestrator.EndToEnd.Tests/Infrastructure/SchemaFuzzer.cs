using System.Text.Json.Nodes;

namespace Orchestrator.EndToEnd.Tests.Infrastructure;

/// <summary>
/// Bad bodies made from a good one and the document's schema for it: every field (three levels deep, through
/// references) given a value of each wrong JSON type, null, a word outside its enum, a number beyond its range; every
/// required field left out; a field the schema does not know added at each level. A schema-driven fuzzer: the node
/// must answer each with a documented status and body, never a server error.
/// </summary>
public static class SchemaFuzzer
{
    public static IEnumerable<(string Name, string Body)> Mutations(JsonObject valid, JsonNode schema, OpenApiConformance document) =>
        Walk(valid, [], document.Resolve(schema), document, 0);

    private static IEnumerable<(string Name, string Body)> Walk(JsonObject root, List<string> at, JsonObject? schema, OpenApiConformance document, int depth)
    {
        if (schema is null) yield break;
        var here = at.Count == 0 ? "body" : string.Join(".", at);
        yield return ($"{here} + an unknown field", With(root, at, target => target["unknownField"] = 1));
        foreach (var required in schema["required"]?.AsArray().Select(r => r!.GetValue<string>()) ?? [])
            yield return ($"{here} without {required}", With(root, at, target => target.Remove(required)));

        foreach (var (name, propertySchema) in schema["properties"]?.AsObject() ?? [])
        {
            var resolved = NonNull(propertySchema, document);
            foreach (var (what, wrong) in WrongValues(resolved))
                yield return ($"{here}.{name} = {what}", With(root, at, target => target[name] = wrong?.DeepClone()));

            if (depth < 2 && Navigate(root, [.. at, name]) is JsonObject && resolved?["properties"] is not null)
                foreach (var nested in Walk(root, [.. at, name], resolved, document, depth + 1))
                    yield return nested;
        }
    }

    /// <summary>The schema of a field that may be null: the part that is not null, resolved.</summary>
    private static JsonObject? NonNull(JsonNode? schema, OpenApiConformance document)
    {
        if (schema?["oneOf"] is JsonArray alternatives)
            schema = alternatives.FirstOrDefault(a => a?["type"]?.ToString() != "null");
        return document.Resolve(schema);
    }

    private static IEnumerable<(string What, JsonNode? Value)> WrongValues(JsonObject? schema)
    {
        yield return ("null", null);
        var types = schema?["type"] switch
        {
            JsonArray list => list.Select(t => t!.GetValue<string>()).ToHashSet(),
            JsonValue one => [one.GetValue<string>()],
            _ => schema?["enum"] is not null ? ["string"] : [],
        };
        if (schema?["enum"] is not null) yield return ("a word outside its enum", "no-such-word");
        if (!types.Contains("string")) yield return ("a string", "text");
        if (types.Contains("string") || types.Contains("boolean") || types.Contains("object") || types.Contains("array"))
            yield return ("a number", 12345);
        if (types.Contains("integer"))
        {
            yield return ("a fraction", 1.5);
            yield return ("a number beyond int64", JsonNode.Parse("1e40"));
            yield return ("a negative number", -2147483649L);
        }

        if (types.Contains("number")) yield return ("a number beyond decimal", JsonNode.Parse("1e300"));
        if (!types.Contains("object")) yield return ("an object", new JsonObject { ["x"] = 1 });
        if (!types.Contains("array")) yield return ("a list", new JsonArray(1));
        if (types.Contains("array"))
        {
            yield return ("a list holding null", new JsonArray((JsonNode?)null));
            yield return ("a list holding a number", new JsonArray(12345));
        }
    }

    private static string With(JsonObject root, List<string> at, Action<JsonObject> change)
    {
        var copy = root.DeepClone().AsObject();
        change((JsonObject)Navigate(copy, at)!);
        return copy.ToJsonString();
    }

    private static JsonNode? Navigate(JsonNode node, IEnumerable<string> at) => at.Aggregate((JsonNode?)node, (n, key) => n?[key]);
}
