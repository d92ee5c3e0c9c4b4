namespace Orchestrator.EndToEnd.Tests.Infrastructure;

/// <summary>What a test node runs with: its data folder, providers and HOCON overrides.</summary>
public sealed class NodeSetup : IDisposable
{
    private NodeSetup(string dataDirectory) => DataDirectory = dataDirectory;

    public string DataDirectory { get; }
    public string? ProvidersFile { get; private init; }
    public string? ConfigFile { get; private init; }
    public string NodeId { get; private init; } = "sp-e2e";

    /// <summary>Bind HTTP to this host (e.g. 0.0.0.0) on the test's port; the test still talks to it on loopback.</summary>
    public string? HttpBindHost { get; init; }

    /// <summary>
    /// Another program than the orchestrator executable (an embedding host, e.g. examples/Dms.Host): it is started
    /// with <c>--urls</c> and <see cref="ExtraArguments"/> only.
    /// </summary>
    public string? Program { get; init; }

    /// <summary>More options, e.g. --remote-port, --seeds, --postgres for a cluster member.</summary>
    public List<string> ExtraArguments { get; } = [];

    /// <summary>Gives an option of <see cref="ExtraArguments"/> another value (e.g. a restarted seed's seeds).</summary>
    public void ReplaceArgument(string option, string value)
    {
        var at = ExtraArguments.IndexOf(option);
        if (at < 0) throw new ArgumentException($"no {option} among the node's arguments");
        ExtraArguments[at + 1] = value;
    }

    /// <summary>Environment variables for the node process (the container way to configure it).</summary>
    public Dictionary<string, string> Environment { get; } = [];

    public static NodeSetup Create(string? providersJson = null, string? hocon = null, string nodeId = "sp-e2e", string? providersFile = null,
        bool viaEnvironment = false, string? httpBindHost = null)
    {
        var dir = Directory.CreateTempSubdirectory("orchestrator-e2e-").FullName;
        string? providers = providersFile;
        if (providersJson is not null)
        {
            providers = Path.Combine(dir, "providers.json");
            File.WriteAllText(providers, providersJson);
        }

        string? config = null;
        if (hocon is not null)
        {
            config = Path.Combine(dir, "override.conf");
            File.WriteAllText(config, hocon);
        }

        return new NodeSetup(dir) { ProvidersFile = providers, ConfigFile = config, NodeId = nodeId, ViaEnvironment = viaEnvironment, HttpBindHost = httpBindHost };
    }

    /// <summary>The node with the example providers shipped in examples/.</summary>
    public static NodeSetup WithExampleProviders(string? hocon = null) =>
        Create(hocon: hocon, providersFile: Path.Combine(AppContext.BaseDirectory, "examples", "providers.json"));

    /// <summary>Configure the node with ORCHESTRATOR_* environment variables instead of options, as a container is.</summary>
    public bool ViaEnvironment { get; init; }

    /// <summary>The same settings as <see cref="Arguments"/>, as the environment variables a container would set.</summary>
    public IEnumerable<KeyValuePair<string, string>> EnvironmentFor(Uri http)
    {
        if (!ViaEnvironment) yield break;
        yield return new("ORCHESTRATOR_HTTP", http.ToString().TrimEnd('/'));
        yield return new("ORCHESTRATOR_DATA", Path.Combine(DataDirectory, "data"));
        yield return new("ORCHESTRATOR_NODE_ID", NodeId);
        if (ProvidersFile is not null) yield return new("ORCHESTRATOR_PROVIDERS", ProvidersFile);
        if (ConfigFile is not null) yield return new("ORCHESTRATOR_CONFIG", ConfigFile);
    }

    /// <summary>A host program of the repository (e.g. examples/Dms.Host), built alongside the tests, with its own configuration.</summary>
    public static NodeSetup ForProgram(string project) =>
        new(Directory.CreateTempSubdirectory("orchestrator-host-").FullName) { Program = NodeProcess.BuiltProgram(project) };

    public IEnumerable<string> Arguments(Uri http)
    {
        if (Program is not null)
        {
            yield return "--urls";
            yield return http.ToString().TrimEnd('/');
            foreach (var extra in ExtraArguments) yield return extra;
            yield break;
        }

        if (ViaEnvironment) yield break;
        yield return "--http";
        yield return (HttpBindHost is { } host ? new UriBuilder(http) { Host = host }.Uri : http).ToString().TrimEnd('/');
        yield return "--data";
        yield return Path.Combine(DataDirectory, "data");
        yield return "--node-id";
        yield return NodeId;
        if (ProvidersFile is not null)
        {
            yield return "--providers";
            yield return ProvidersFile;
        }

        if (ConfigFile is not null)
        {
            yield return "--config";
            yield return ConfigFile;
        }

        foreach (var extra in ExtraArguments) yield return extra;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A node still shutting down may hold the file; the temp folder is cleaned by the OS eventually.
        }
    }
}
