using System.Text.Json;
using System.Text.Json.Serialization;
using Orchestrator.Protocol.Model;

namespace Orchestrator.Api;

/// <summary>
/// The JSON dialect of the API: camelCase fields, enums as kebab-case words ("docker", "no-eligible-provider"),
/// except job states, which keep their names ("Posted"). Strict on input: unknown fields, fields given twice,
/// numbers in strings, enum numbers and nulls for non-nullable fields are refused with the field named. On output a
/// field with no value is left out, never written as null (the document marks such fields optional).
/// </summary>
public static class ApiJson
{
    public static readonly JsonSerializerOptions Options = Configure(new JsonSerializerOptions(JsonSerializerDefaults.Web));

    /// <summary>
    /// For reading what the API itself wrote (the CLI, saved jobs): the same spelling, but absent nulls and fields
    /// added by a newer node are fine.
    /// </summary>
    public static readonly JsonSerializerOptions Reading = new(Options)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip,
        RespectRequiredConstructorParameters = false,
    };

    public static JsonSerializerOptions Configure(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        // Field names as documented, exactly: "ramMB" is a mistake to point out, not a spelling to guess at.
        options.PropertyNameCaseInsensitive = false;
        // "<=" and "+" as written, not \u003C= and \u002B: the API serves JSON to programs and terminals, never
        // inline into HTML.
        options.Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping;
        options.NumberHandling = JsonNumberHandling.Strict;
        options.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
        options.RespectNullableAnnotations = true;
        options.RespectRequiredConstructorParameters = true;
        options.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
        options.AllowTrailingCommas = false;
        // {"jobId":"a","jobId":"b"}: which one was meant cannot be told, so it is refused naming the field.
        options.AllowDuplicateProperties = false;
        options.ReadCommentHandling = JsonCommentHandling.Disallow;
        options.MaxDepth = 16;
        options.Converters.Add(new JsonStringEnumConverter<JobState>(allowIntegerValues: false));
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower, allowIntegerValues: false));
        return options;
    }
}
