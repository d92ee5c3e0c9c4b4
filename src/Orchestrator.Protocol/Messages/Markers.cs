namespace Orchestrator.Protocol.Messages;

/// <summary>Every message and event the orchestrator sends or persists; serialization binds to this.</summary>
public interface IOrchestratorMessage;

/// <summary>A message for one job: sharding routes it to that job's actor by <see cref="JobId"/>.</summary>
public interface IJobMessage : IOrchestratorMessage
{
    string JobId { get; }
}

/// <summary>A message for one compute provider, routed by <see cref="ProviderId"/>.</summary>
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
