namespace Orchestrator.Protocol.Model;

/// <summary>What a compute provider advertises: its onboarded resources, software, places, terms and labels.</summary>
public sealed record ProviderCapability
{
    public required string Id { get; init; }
    public required Resources Resources { get; init; }
    public IReadOnlyList<ExecutorType> Executors { get => _executors; init => _executors = Wire.Array(value); }
    private readonly ExecutorType[] _executors = [];

    /// <summary>Job types it accepts; empty means all.</summary>
    public IReadOnlyList<JobType> JobTypes { get => _jobTypes; init => _jobTypes = Wire.Array(value); }
    private readonly JobType[] _jobTypes = [];

    public IReadOnlyList<Locality> Localities { get => _localities; init => _localities = Wire.Array(value); }

    private readonly Locality[] _localities = [];
    public IReadOnlyList<Library> Libraries { get => _libraries; init => _libraries = Wire.Array(value); }
    private readonly Library[] _libraries = [];
    public IReadOnlyList<Storage> Storage { get => _storage; init => _storage = Wire.Array(value); }
    private readonly Storage[] _storage = [];
    public Connectivity Connectivity { get; init; } = new();
    public decimal PricePerHour { get; init; }

    /// <summary>
    /// Set when the provider charges per result instead of per hour (NuNet's PriceBid per result): this amount for each
    /// completed run, nothing for one that failed; <see cref="PricePerHour"/> is then 0.
    /// </summary>
    public decimal? PricePerResult { get; init; }

    /// <summary>ISO 4217 code of the price, e.g. USD, NTX.</summary>
    public string Currency { get; init; } = "USD";

    /// <summary>The longest job it accepts, minutes; 0 means no limit.</summary>
    public int MaxJobDurationMinutes { get; init; }

    /// <summary>Free key/value labels for anything else (tier, uptime, sgx, …).</summary>
    public IReadOnlyDictionary<string, string> Labels { get => _labels; init => _labels = Wire.Map(value); }
    private readonly Dictionary<string, string> _labels = new(StringComparer.Ordinal);

    /// <summary>Lock the resources when bidding, so the job-request step can be skipped.</summary>
    public bool LockOnBid { get; init; }
}
