using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Orchestrator.Api;

namespace Orchestrator.Validation;

/// <summary>
/// The serializer's complaints about a JSON document in the API's words, as field-named errors
/// ("requirements.resources.cpuCores": "must be a whole number …"): every bad field at once, a document cut short said
/// as such. Shared by the HTTP API, the providers file and anything else that reads the API's JSON.
/// </summary>
public static partial class JsonErrors
{
    /// <summary>
    /// Reads <paramref name="json"/> as <typeparamref name="T"/> in the API's dialect (<see cref="ApiJson.Options"/>):
    /// the value, or every field that is wrong and why (the value is then default).
    /// </summary>
    public static (T? Value, ValidationErrors Errors) Read<T>(ReadOnlySpan<byte> json)
    {
        var errors = new ValidationErrors();
        try
        {
            return (JsonSerializer.Deserialize<T>(json, ApiJson.Options), errors);
        }
        catch (JsonException e)
        {
            if (Truncated(json) is { } where)
                errors.Add("body", $"is not valid JSON: it ends {where} (was it cut short?)");
            else DescribeAll<T>(json, e, errors);
            return (default, errors);
        }
    }

    /// <summary>The most fields a body is told are wrong in one answer.</summary>
    private const int MaxReported = 32;

    /// <summary>
    /// Every field the serializer cannot take, not only the first: the serializer stops at its first complaint, so the
    /// field it named is taken out of the body and the body read again, until it reads or a complaint cannot be got
    /// past that way (a required field missing, JSON that is not well-formed).
    /// </summary>
    internal static void DescribeAll<T>(ReadOnlySpan<byte> json, JsonException first, ValidationErrors errors)
    {
        JsonNode? tree;
        try
        {
            tree = JsonNode.Parse(json);
        }
        catch (JsonException)
        {
            Describe(first, errors);
            return;
        }

        Describe(first, errors, tree);

        var complaint = first;
        for (var i = 0; i < MaxReported && tree is not null && CanSkip(complaint) && Replace(tree, complaint.Path, Placeholder(complaint.Message)); i++)
        {
            try
            {
                tree.Deserialize<T>(ApiJson.Options);
                return;
            }
            catch (JsonException next)
            {
                var said = new ValidationErrors();
                Describe(next, said, tree);
                // The same field again (a required one taken out): what it is told already says what is wrong.
                if (said.ToDictionary().Keys.Any(errors.ToDictionary().ContainsKey)) return;
                Describe(next, errors, tree);
                complaint = next;
            }
        }
    }

    /// <summary>
    /// A value of the type the serializer wanted, to read on past a field of the wrong type (taking the field out would
    /// make a required one "missing"); null (take it out) for objects and unknown fields.
    /// </summary>
    private static JsonNode? Placeholder(string message)
    {
        if (!message.Contains("could not be converted to", StringComparison.Ordinal)) return null;
        var target = ConvertedTo().Match(message) is { Success: true } m ? m.Groups[1].Value : "";
        if (EnumNamed(target) is { } enumType) return EnumWords(enumType).First();
        return target switch
        {
            var t when t.Contains("Int32") || t.Contains("Int64") || t.Contains("Decimal") || t.Contains("Double") => 0,
            var t when t.Contains("Boolean") => false,
            var t when t.Contains("String") => "",
            var t when t.Contains("List") || t.Contains("[]") => new JsonArray(),
            _ => null,
        };
    }

    private static bool CanSkip(JsonException e) =>
        e.Path is { Length: > 1 } && !MissingRequired().IsMatch(e.Message) && e.Message.Contains("Path:", StringComparison.Ordinal);

    /// <summary>
    /// Puts <paramref name="placeholder"/> in place of the field at a serializer's path ("$.a.b[2].c", "$['x y']"), or
    /// takes the field out when there is none; false when there is no such field, or when it is an item of a list
    /// (taking it out would renumber the items after it, and their errors with them).
    /// </summary>
    private static bool Replace(JsonNode root, string? path, JsonNode? placeholder)
    {
        switch (Parent(root, path))
        {
            case (JsonObject obj, string name) when obj.ContainsKey(name):
                if (placeholder is null) obj.Remove(name);
                else obj[name] = placeholder;
                return true;
            default:
                return false;
        }
    }

    /// <summary>The node holding the value at a serializer's path, and the value's name or index in it.</summary>
    private static (JsonNode? Parent, object? Last) Parent(JsonNode root, string? path)
    {
        var segments = PathSegment().Matches(path ?? "").Select(m => m.Groups["name"].Success ? (object)m.Groups["name"].Value
            : m.Groups["quoted"].Success ? m.Groups["quoted"].Value : int.Parse(m.Groups["index"].Value, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        if (segments.Count == 0) return (null, null);
        JsonNode? parent = root;
        foreach (var segment in segments.SkipLast(1))
            parent = segment is int index ? (parent as JsonArray) is { } list && index < list.Count ? list[index] : null : parent?[(string)segment];
        return (parent, segments[^1]);
    }

    /// <summary>The value at a serializer's path, or null when there is none.</summary>
    private static JsonNode? Find(JsonNode? root, string? path) => root is null ? null : Parent(root, path) switch
    {
        (JsonObject obj, string name) => obj[name],
        (JsonArray list, int index) when index < list.Count => list[index],
        _ => null,
    };

    /// <summary>The serializer's complaint as field-named errors in the API's words (no framework text).</summary>
    public static ValidationErrors Describe(JsonException e)
    {
        var errors = new ValidationErrors();
        Describe(e, errors);
        return errors;
    }

    /// <summary>
    /// Where a body that is well-formed as far as it goes stops short (inside a string, a value, an object or a list),
    /// or null when it is wrong before its end or complete: a truncated body is said as truncated, not blamed on the
    /// last field read.
    /// </summary>
    public static string? Truncated(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, isFinalBlock: false, state: default);
        try
        {
            while (reader.Read()) { }
        }
        catch (JsonException)
        {
            return null;
        }

        var complete = reader.BytesConsumed == json.Length && reader.CurrentDepth == 0 && reader.TokenType is
            JsonTokenType.EndObject or JsonTokenType.EndArray or JsonTokenType.String or JsonTokenType.True or JsonTokenType.False or JsonTokenType.Null;
        return complete || json.Trim(" \t\r\n"u8).IsEmpty
            ? null
            : $"at byte {json.Length}, before every string, object and list is closed";
    }

    private static void Describe(JsonException e, ValidationErrors errors, JsonNode? tree = null)
    {
        var field = Field(e.Path);
        var message = e.Message;
        if (DuplicateProperty().Match(message) is { Success: true } duplicate)
        {
            // The serializer's path already ends at the repeated property (or at its parent, depending on the type).
            var name = duplicate.Groups[1].Value;
            errors.Add(field == name || field.EndsWith("." + name, StringComparison.Ordinal) ? field : Join(field, name),
                "is given twice; give each field once (which one was meant cannot be told)");
            return;
        }

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
            errors.Add(field.Length == 0 ? "body" : field, TypeMismatch(message, Find(tree, e.Path)));
            return;
        }

        if (message.Contains("null", StringComparison.OrdinalIgnoreCase)
            && (message.Contains("non-nullable", StringComparison.OrdinalIgnoreCase) || message.Contains("nullability", StringComparison.OrdinalIgnoreCase)))
        {
            errors.Add(field.Length == 0 ? "body" : field, "must not be null");
            return;
        }

        // Malformed JSON: where, in the user's terms (the parser's own sentences name its internals).
        var where = e.LineNumber is { } line ? $" at line {line + 1}, column {(e.BytePositionInLine ?? 0) + 1}" : "";
        var what = message.Contains("depth", StringComparison.OrdinalIgnoreCase) || message.Contains("end of", StringComparison.OrdinalIgnoreCase)
            ? "the JSON ends before every object and list is closed"
            : message.Contains("invalid start of a value", StringComparison.OrdinalIgnoreCase) ? "a value is expected here (a string in double quotes, a number, true, false, null, an object or a list)"
            : message.Contains("trailing comma", StringComparison.OrdinalIgnoreCase) ? "a comma is followed by nothing"
            : message.Contains("comment", StringComparison.OrdinalIgnoreCase) ? "comments are not allowed"
            : "it is not well-formed JSON";
        errors.Add(field.Length == 0 ? "body" : field, $"is not valid JSON{where}: {what}");
    }

    private static string TypeMismatch(string message, JsonNode? given)
    {
        var target = ConvertedTo().Match(message) is { Success: true } m ? m.Groups[1].Value : "";
        if (EnumNamed(target) is { } enumType) return $"must be one of {string.Join(", ", EnumWords(enumType))}";
        return target switch
        {
            // The serializer's type is not the field's range (cpuCores takes 1 to 4096, not any Int32): say what is
            // wrong with the value, and leave the range to the check that knows it, once the value is a whole number.
            var t when t.Contains("Int32") || t.Contains("Int64") => "must be a whole number" + WhatWasGiven(given),
            var t when t.Contains("Decimal") || t.Contains("Double") => "must be a number",
            var t when t.Contains("Boolean") => "must be true or false",
            var t when t.Contains("String") => "must be a string",
            var t when t.Contains("List") || t.Contains("[]") => "must be a list",
            _ => "must be an object with the documented fields",
        };
    }

    private static string WhatWasGiven(JsonNode? given) => given?.GetValueKind() switch
    {
        JsonValueKind.Number when double.TryParse(given.ToJsonString(), System.Globalization.NumberStyles.Float,
            System.Globalization.CultureInfo.InvariantCulture, out var value) && Math.Floor(value) != value => $", not {given.ToJsonString()}",
        JsonValueKind.Number => $" in the field's range; {given.ToJsonString()} is far beyond it",
        JsonValueKind.String => ", not text",
        JsonValueKind.True or JsonValueKind.False => ", not true or false",
        JsonValueKind.Object => ", not an object",
        JsonValueKind.Array => ", not a list",
        _ => "",
    };

    /// <summary>The protocol's enum the serializer wanted ("…Model.SelectionCriterion", nullable or not).</summary>
    private static Type? EnumNamed(string target)
    {
        var name = target.Replace("System.Nullable`1[", "").TrimEnd(']').Split(',')[0].Trim();
        if (name.Length == 0) return null;
        var type = typeof(Orchestrator.Protocol.Model.JobDescription).Assembly.GetType(name);
        return type is { IsEnum: true } ? type : null;
    }

    /// <summary>An enum's values exactly as the API writes them (its own converters and member names decide).</summary>
    public static IEnumerable<string> EnumWords(Type enumType) =>
        Enum.GetValues(enumType).Cast<object>().Select(v => JsonSerializer.Serialize(v, enumType, ApiJson.Options).Trim('"'));

    /// <summary>"$.requirements.resources.cpuCores" → "requirements.resources.cpuCores"; "$" → "".</summary>
    private static string Field(string? path)
    {
        if (string.IsNullOrEmpty(path) || path == "$") return "";
        return path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$');
    }

    private static string Join(string parent, string child) => parent.Length == 0 ? child : parent + "." + child;

    [GeneratedRegex(@"\.(?<name>[^.\[]+)|\['(?<quoted>[^']*)'\]|\[(?<index>\d+)\]")]
    private static partial Regex PathSegment();

    [GeneratedRegex("Duplicate property '([^']+)'")]
    private static partial Regex DuplicateProperty();

    [GeneratedRegex("missing required properties including: (.+?)\\.?( Path:|$)")]
    private static partial Regex MissingRequired();

    [GeneratedRegex("The JSON property '([^']+)' could not be mapped")]
    private static partial Regex UnknownMember();

    [GeneratedRegex("could not be converted to ([^ ]+?)\\.? Path")]
    private static partial Regex ConvertedTo();
}
