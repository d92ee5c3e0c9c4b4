namespace Orchestrator.Protocol.Model;

/// <summary>
/// A soft constraint: exactly one of the fields besides <see cref="Weight"/> is set. It scores each eligible
/// provider in [0, 1]; the score times the weight (1–100) is its contribution to the provider's rank.
/// </summary>
public sealed record Preference
{
    public required int Weight { get; init; }

    /// <summary>1 if the provider is in any of these places.</summary>
    public IReadOnlyList<Locality>? Localities { get => _localities; init => _localities = value is null ? null : Wire.Array(value); }
    private readonly Locality[]? _localities;

    /// <summary>1 if the provider offers this executor.</summary>
    public ExecutorType? Executor { get; init; }

    /// <summary>1 if a free provider GPU satisfies this.</summary>
    public GpuRequirement? Gpu { get; init; }

    /// <summary>1 if the provider's labels satisfy this.</summary>
    public LabelConstraint? Label { get; init; }

    /// <summary>1 if the library is installed in a satisfying version.</summary>
    public LibraryRequirement? Library { get; init; }

    /// <summary>1 if the provider's disk is of this type.</summary>
    public string? DiskType { get; init; }

    /// <summary>More of a resource is better: value / target (or / the best bid's value), capped at 1.</summary>
    public MorePreference? More { get; init; }

    /// <summary>Cheaper is better: the cheapest bid's price / this bid's price.</summary>
    public bool? LowerPrice { get; init; }

    /// <summary>More capacity left free after the job is better: the share left free.</summary>
    public bool? SpareCapacity { get; init; }
}

public sealed record MorePreference(ResourceDimension Resource, long? Target = null);
