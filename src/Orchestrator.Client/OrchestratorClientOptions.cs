using Orchestrator.Protocol.Messages;

namespace Orchestrator.Client;

/// <summary>
/// How an actor system reaches the orchestrator's jobs. Bindable from an <c>OrchestratorClient</c> section of the
/// host's configuration.
/// </summary>
public sealed class OrchestratorClientOptions
{
    public const string SectionName = "OrchestratorClient";

    /// <summary>
    /// Receptionists to contact when this system is <b>not</b> a member of the orchestrator's cluster, as addresses
    /// (<c>akka.tcp://system@host:port</c>) or actor paths (<c>…/system/receptionist</c>). Empty: this system is a
    /// member of that cluster (it joined with a role of its own, e.g. <c>client</c>) and reaches jobs through a
    /// shard-region proxy.
    /// </summary>
    public List<string> Receptionists { get; set; } = [];

    /// <summary>The cluster role of the members that host jobs (the orchestrator's <c>Roles:Jobs</c>).</summary>
    public string JobsRole { get; set; } = JobSharding.Role;

    public bool JoinsCluster => Receptionists.Count == 0;
}
