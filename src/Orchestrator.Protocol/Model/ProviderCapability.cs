namespace Orchestrator.Protocol.Model;

/// <summary>What a compute provider advertises: its onboarded resources and terms.</summary>
public sealed record ProviderCapability
{
    public required string Id { get; init; }
    public required Resources Resources { get; init; }
    public IReadOnlyList<ExecutorType> Executors { get; init; } = [];
    public IReadOnlyList<Locality> Localities { get; init; } = [];
    public decimal PricePerHour { get; init; }

    /// <summary>Lock the resources when bidding, so the job-request step can be skipped.</summary>
    public bool LockOnBid { get; init; }
}
