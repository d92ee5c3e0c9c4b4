namespace Dms.Host;

/// <summary>The DMS's own settings (section <c>Dms</c>): its actor system, where it listens, whom it joins.</summary>
public sealed class DmsOptions
{
    public string ActorSystem { get; set; } = "dms";
    public string RemoteHost { get; set; } = "127.0.0.1";
    public int RemotePort { get; set; }

    /// <summary>Members to join (akka.tcp://dms@host:port); none: this host forms a cluster of one.</summary>
    public List<string> Seeds { get; set; } = [];

    /// <summary>
    /// This member's roles: the DMS's own, and the orchestrator's jobs and providers roles if it hosts them. Unset:
    /// dms, jobs, providers. (Null rather than a default list: the configuration binder appends to a list.)
    /// </summary>
    public List<string>? Roles { get; set; }

    /// <summary>A JSON file with the compute providers this host onboards (the orchestrator's providers format).</summary>
    public string? ProvidersFile { get; set; }
}
