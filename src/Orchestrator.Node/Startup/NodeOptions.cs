namespace Orchestrator.Node.Startup;

/// <summary>
/// Command-line options of <c>orchestrator</c> (ASP.NET configuration syntax: <c>--key value</c>; environment
/// variables ORCHESTRATOR_KEY work too).
/// </summary>
public sealed record NodeOptions
{
    public string Http { get; init; } = "http://127.0.0.1:9999";
    public string DataDirectory { get; init; } = "data";
    public string? ProvidersFile { get; init; }
    public string? ConfigFile { get; init; }
    public string? NodeId { get; init; }
    public string RemoteHost { get; init; } = "127.0.0.1";
    public int RemotePort { get; init; }

    public static NodeOptions From(IConfiguration config) => new()
    {
        Http = config["http"] ?? config["urls"] ?? "http://127.0.0.1:9999",
        DataDirectory = config["data"] ?? "data",
        ProvidersFile = config["providers"],
        ConfigFile = config["config"],
        NodeId = config["node-id"],
        RemoteHost = config["remote-host"] ?? "127.0.0.1",
        RemotePort = int.TryParse(config["remote-port"], out var port) ? port : 0,
    };
}
