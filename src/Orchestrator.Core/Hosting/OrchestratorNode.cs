using Orchestrator.Persistence;
using Akka.Actor;
using Orchestrator.Configuration;
using Orchestrator.Trust;

namespace Orchestrator.Hosting;

/// <summary>
/// What <see cref="OrchestratorHostingExtensions.WithOrchestrator"/> decided for this actor system, for whoever
/// serves it (the HTTP API's readiness, the executable's start-up line): <c>OrchestratorNode.Get(system)</c>.
/// </summary>
public sealed class OrchestratorNode : IExtension
{
    internal OrchestratorNode(OrchestratorSettings settings, PersistenceChoice persistence, string jobsRole, string providersRole, ParticipantTrust trust,
        Execution.ExecutorRegistry? executors = null, Settlements.ISettlementProvider? settlementProvider = null)
    {
        SettlementProvider = settlementProvider ?? Settlements.JournalSettlementProvider.Instance;
        Executors = executors ?? Execution.ExecutorRegistry.Default;
        Settings = settings;
        Persistence = persistence;
        JobsRole = jobsRole;
        ProvidersRole = providersRole;
        Trust = trust;
    }

    public OrchestratorSettings Settings { get; }
    public PersistenceChoice Persistence { get; }
    public string JobsRole { get; }
    public string ProvidersRole { get; }
    public ParticipantTrust Trust { get; }

    /// <summary>The executors this node's providers run contracted programs with (built in, and the host's own).</summary>
    public Execution.ExecutorRegistry Executors { get; }

    /// <summary>What moves the money of this node's jobs' settled contracts.</summary>
    public Settlements.ISettlementProvider SettlementProvider { get; }

    /// <summary>Whether the journal failed this node's actors more recently than it served them.</summary>
    public JournalStatus Journal { get; } = new();

    /// <summary>
    /// Whether this member has been up in its cluster: until then it is joining (starting, or restarting after a crash
    /// and waiting to be let in), and says so rather than that it is leaving.
    /// </summary>
    public bool HasBeenUp => _hasBeenUp;

    private volatile bool _hasBeenUp;

    internal void MarkUp() => _hasBeenUp = true;

    /// <summary>The orchestrator of this actor system, or null (an actor under test in a bare system).</summary>
    public static OrchestratorNode? Find(ActorSystem system) => system.GetExtension<OrchestratorNode>();

    public static OrchestratorNode Get(ActorSystem system) =>
        system.GetExtension<OrchestratorNode>() ?? throw new InvalidOperationException(
            $"the actor system '{system.Name}' runs no orchestrator: add it with WithOrchestrator on its AkkaConfigurationBuilder");

    internal sealed class Provider(OrchestratorNode node) : ExtensionIdProvider<OrchestratorNode>
    {
        public override OrchestratorNode CreateExtension(ExtendedActorSystem system) => node;
    }
}
