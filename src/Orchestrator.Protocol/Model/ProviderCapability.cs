namespace Orchestrator.Protocol.Model;

/// <summary>What a compute provider advertises: its onboarded resources, software, places, terms and labels.</summary>
public sealed record ProviderCapability
{
    public required string Id { get; init; }
    public required Resources Resources { get; init; }
    public IReadOnlyList<ExecutorType> Executors { get; init; } = [];

    /// <summary>Job types it accepts; empty means all.</summary>
    public IReadOnlyList<JobType> JobTypes { get; init; } = [];

    public IReadOnlyList<Locality> Localities { get; init; } = [];
    public IReadOnlyList<Library> Libraries { get; init; } = [];
    public IReadOnlyList<Storage> Storage { get; init; } = [];
    public Connectivity Connectivity { get; init; } = new();
    public decimal PricePerHour { get; init; }

    /// <summary>ISO 4217 code of the price, e.g. USD, NTX.</summary>
    public string Currency { get; init; } = "USD";

    /// <summary>The longest job it accepts, minutes; 0 means no limit.</summary>
    public int MaxJobDurationMinutes { get; init; }

    /// <summary>Free key/value labels for anything else (tier, uptime, sgx, …).</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    /// <summary>Lock the resources when bidding, so the job-request step can be skipped.</summary>
    public bool LockOnBid { get; init; }
}
