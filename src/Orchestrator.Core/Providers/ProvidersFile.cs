using Orchestrator.Protocol.Model;
using Orchestrator.Validation;

namespace Orchestrator.Providers;

/// <summary>
/// Reads a list of compute providers in the format the docs use (<c>examples/providers.json</c>: a JSON list of
/// capabilities, the API's field names and words), checks each as onboarding does, and normalises ids (NFC), so a
/// host sets <see cref="Hosting.OrchestratorOptions.Providers"/> from a file exactly as the node's <c>--providers</c> does.
/// </summary>
public static class ProvidersFile
{
    /// <summary>The capabilities in the file at <paramref name="path"/>, or <see cref="ProvidersFileException"/> naming every mistake.</summary>
    public static IReadOnlyList<ProviderCapability> Load(string path)
    {
        if (!File.Exists(path)) throw new ProvidersFileException(path, $"file '{path}' does not exist", new Dictionary<string, string[]>());
        return Parse(File.ReadAllBytes(path), path);
    }

    /// <summary>The capabilities in <paramref name="json"/>; <paramref name="source"/> names it in a refusal.</summary>
    public static IReadOnlyList<ProviderCapability> Parse(ReadOnlySpan<byte> json, string source = "the providers list")
    {
        var (read, complaints) = JsonErrors.Read<List<ProviderCapability?>>(json);
        if (!complaints.IsEmpty) throw new ProvidersFileException(source, $"'{source}' is not a valid providers list", complaints.ToDictionary());
        var providers = (read ?? []).Select(p => p is null ? null : p with { Id = Limits.NormalizeId(p.Id)! }).ToList();
        var errors = ProviderCapabilityValidator.Validate(providers);
        if (!errors.IsEmpty) throw new ProvidersFileException(source, $"'{source}' is invalid", errors.ToDictionary());
        return providers.Select(p => p!).ToArray();
    }
}

/// <summary>A providers list that cannot be used: what is wrong, field by field (<c>[2].resources.cpuCores</c>).</summary>
public sealed class ProvidersFileException(string source, string what, IReadOnlyDictionary<string, string[]> errors)
    : Exception(errors.Count == 0 ? what : $"{what}: " + string.Join("; ", errors.Select(kv => $"{kv.Key}: {string.Join(", ", kv.Value)}")))
{
    /// <summary>The file (or the name given for the text) that was read.</summary>
    public string Origin { get; } = source;

    /// <summary>Each wrong field by its path in the list, with what is wrong with it.</summary>
    public IReadOnlyDictionary<string, string[]> Errors { get; } = errors;
}
