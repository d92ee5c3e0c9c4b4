using Orchestrator.Protocol.Model;

namespace Orchestrator.Node.Startup;

/// <summary>Reads the <c>--providers FILE</c> list (the library's loader); any mistake stops the node with the field named.</summary>
public static class ProvidersFile
{
    public static IReadOnlyList<ProviderCapability> Load(string path)
    {
        try
        {
            return Orchestrator.Providers.ProvidersFile.Load(path);
        }
        catch (Orchestrator.Providers.ProvidersFileException e)
        {
            throw new StartupException("--providers: " + e.Message);
        }
    }
}

/// <summary>A configuration mistake the operator must fix; printed without a stack trace.</summary>
public sealed class StartupException(string message) : Exception(message);
