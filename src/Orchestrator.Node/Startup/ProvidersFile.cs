using System.Text.Json;
using Orchestrator.Api;
using Orchestrator.Protocol.Model;
using Orchestrator.Validation;

namespace Orchestrator.Node.Startup;

/// <summary>Reads the <c>--providers FILE</c> list; any mistake stops the node with the field named.</summary>
public static class ProvidersFile
{
    public static IReadOnlyList<ProviderCapability> Load(string path)
    {
        if (!File.Exists(path)) throw new StartupException($"--providers: file '{path}' does not exist");
        List<ProviderCapability?>? providers;
        try
        {
            providers = JsonSerializer.Deserialize<List<ProviderCapability?>>(File.ReadAllBytes(path), ApiJson.Options);
        }
        catch (JsonException e)
        {
            throw new StartupException($"--providers: '{path}' is not a valid providers list: " +
                string.Join("; ", JsonBodyReader.Describe(e).ToDictionary().Select(kv => $"{kv.Key}: {string.Join(", ", kv.Value)}")));
        }

        var errors = ProviderCapabilityValidator.Validate(providers ?? []);
        if (!errors.IsEmpty)
            throw new StartupException($"--providers: '{path}' is invalid: " +
                string.Join("; ", errors.ToDictionary().Select(kv => $"{kv.Key}: {string.Join(", ", kv.Value)}")));
        return providers!.Select(p => p!).ToArray();
    }
}

/// <summary>A configuration mistake the operator must fix; printed without a stack trace.</summary>
public sealed class StartupException(string message) : Exception(message);
