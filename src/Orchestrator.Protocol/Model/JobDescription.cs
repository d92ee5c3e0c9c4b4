namespace Orchestrator.Protocol.Model;

/// <summary>
/// The seed's <c>jobDescription</c>: what a user posts. Requirements are hard constraints; a provider that fails
/// any of them is ineligible.
/// </summary>
public sealed record JobDescription
{
    /// <summary>Client-supplied id; makes posting idempotent. Generated when absent.</summary>
    public string? JobId { get; init; }

    /// <summary>Overrides the node's <c>defaultOrchestrationType</c> for this job.</summary>
    public OrchestrationType? OrchestrationType { get; init; }

    public required JobRequirements Requirements { get; init; }
}

public sealed record JobRequirements
{
    public required ResourceRequirements Resources { get; init; }

    /// <summary>Executors the job can run on (any of them); empty means any.</summary>
    public IReadOnlyList<ExecutorType> Executors { get; init; } = [];

    /// <summary>Where the job may run (any of them); empty means anywhere.</summary>
    public IReadOnlyList<Locality> Localities { get; init; } = [];

    /// <summary>The most the user pays per hour; absent means no ceiling.</summary>
    public decimal? MaxPricePerHour { get; init; }

    /// <summary>How long the contract holds the resources; the node's default when absent.</summary>
    public int? DurationMinutes { get; init; }
}
