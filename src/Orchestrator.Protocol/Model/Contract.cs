namespace Orchestrator.Protocol.Model;

/// <summary>The agreed terms of a job on a provider, snapshotted at closure and held by both sides.</summary>
public sealed record Contract(
    string ContractId,
    string JobId,
    string RequesterNodeId,
    string ProviderId,
    ResourceRequirements Resources,
    IReadOnlyList<Gpu> AssignedGpus,
    decimal PricePerHour,
    DateTimeOffset SignedAt,
    DateTimeOffset StartsAt,
    DateTimeOffset EndsAt);
