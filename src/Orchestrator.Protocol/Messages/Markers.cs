namespace Orchestrator.Protocol.Messages;

// The public protocol holds what crosses a process boundary: commands, their replies, the events a subscriber sees,
// and the journal's events. A node binds its serializers to IOrchestratorMessage, and every concrete type here goes
// through them in WireRoundTripTests. A signal between actors of one node is an internal type of Orchestrator.Core and
// wears none of these markers (CONTRIBUTING.md, "Where a message goes").

/// <summary>Every message that may cross a process boundary, and every journal event: the node's serializers bind to this.</summary>
public interface IOrchestratorMessage;

/// <summary>
/// About one job, carrying its id: a command to the job (cluster sharding routes these to the job's actor by
/// <see cref="JobId"/>) or the job's reply to one.
/// </summary>
public interface IJobMessage : IOrchestratorMessage
{
    string JobId { get; }
}

/// <summary>
/// About one compute provider, carrying its id: a command to the provider (the directory and the provider host route
/// these by <see cref="ProviderId"/>) or the provider's reply to one.
/// </summary>
public interface IProviderMessage : IOrchestratorMessage
{
    string ProviderId { get; }
}

/// <summary>A persisted event of a job's journal.</summary>
public interface IJobEvent : IOrchestratorMessage
{
    string JobId { get; }
    DateTimeOffset At { get; }
}

/// <summary>A persisted event of a provider's ledger.</summary>
public interface IProviderEvent : IOrchestratorMessage
{
    string ProviderId { get; }
    DateTimeOffset At { get; }
}
