namespace Orchestrator.Protocol.Model;

/// <summary>
/// The seed's <c>jobDescription</c>: what a user posts. Requirements are hard constraints (a provider failing any
/// is ineligible); preferences are soft constraints that rank the eligible ones.
/// </summary>
public sealed record JobDescription
{
    /// <summary>Client-supplied id; makes posting idempotent. Generated when absent.</summary>
    public string? JobId { get; init; }

    /// <summary>Overrides the node's <c>defaultOrchestrationType</c> for this job.</summary>
    public OrchestrationType? OrchestrationType { get; init; }

    /// <summary>Push only: the providers the user chose, in order of preference.</summary>
    public IReadOnlyList<string> TargetProviders { get => _targetProviders; init => _targetProviders = Wire.Array(value); }
    private readonly string[] _targetProviders = [];

    public required JobRequirements Requirements { get; init; }

    public IReadOnlyList<Preference> Preferences { get => _preferences; init => _preferences = Wire.Array(value); }

    private readonly Preference[] _preferences = [];

    /// <summary>Overrides the node's <c>defaultSelection</c> for this job.</summary>
    public SelectionCriterion? Selection { get; init; }

    /// <summary>The job must be contracted within this many seconds of posting; the node's jobDeadline when absent.</summary>
    public int? DeadlineSeconds { get; init; }

    /// <summary>What to run once contracted; absent: a reservation (the contract holds the resources, nothing runs).</summary>
    public JobExecution? Execution { get; init; }
}

public sealed record JobRequirements
{
    public required ResourceRequirements Resources { get; init; }

    /// <summary>Executors the job can run on (any of them); empty means any.</summary>
    public IReadOnlyList<ExecutorType> Executors { get => _executors; init => _executors = Wire.Array(value); }
    private readonly ExecutorType[] _executors = [];

    /// <summary>
    /// Set by the node from the job's execution part: the job runs a program on this executor, so the provider's node must
    /// have registered it (declaring it is not enough). Absent for a reservation.
    /// </summary>
    public ExecutorType? Runs { get; init; }

    /// <summary>The job's type; the provider must accept it. Absent means any provider.</summary>
    public JobType? JobType { get; init; }

    /// <summary>Where the job may run (any of them); empty means anywhere.</summary>
    public IReadOnlyList<Locality> Localities { get => _localities; init => _localities = Wire.Array(value); }
    private readonly Locality[] _localities = [];

    /// <summary>Libraries that must be installed, each satisfying its version constraint.</summary>
    public IReadOnlyList<LibraryRequirement> Libraries { get => _libraries; init => _libraries = Wire.Array(value); }
    private readonly LibraryRequirement[] _libraries = [];

    public IReadOnlyList<StorageRequirement> Storage { get => _storage; init => _storage = Wire.Array(value); }

    private readonly StorageRequirement[] _storage = [];
    public ConnectivityRequirement? Connectivity { get; init; }

    /// <summary>The most the user pays per hour; absent means no ceiling.</summary>
    public decimal? MaxPricePerHour { get; init; }

    /// <summary>The currency the user pays in; the provider's must match. Absent means any.</summary>
    public string? Currency { get; init; }

    /// <summary>The most the whole job may cost: price per hour times duration.</summary>
    public decimal? MaxTotalBudget { get; init; }

    /// <summary>How long the contract holds the resources; the node's default when absent.</summary>
    public int? DurationMinutes { get; init; }

    /// <summary>Constraints on the provider's free labels; all must hold.</summary>
    public IReadOnlyList<LabelConstraint> Labels { get => _labels; init => _labels = Wire.Array(value); }
    private readonly LabelConstraint[] _labels = [];
}
