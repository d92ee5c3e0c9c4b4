namespace Orchestrator.Protocol.Model;

/// <summary>A GPU a provider has.</summary>
public sealed record Gpu(string Vendor, string Model, long VramMb);

/// <summary>A GPU a job needs: each given field must match (vendor and model case-insensitively; VRAM as a minimum).</summary>
public sealed record GpuRequirement
{
    public string? Vendor { get; init; }
    public string? Model { get; init; }
    public long? VramMb { get; init; }
}

/// <summary>What a provider has onboarded.</summary>
public sealed record Resources
{
    public required int CpuCores { get; init; }
    public required long RamMb { get; init; }
    public required long DiskGb { get; init; }
    public IReadOnlyList<Gpu> Gpus { get; init; } = [];
}

/// <summary>What a job needs.</summary>
public sealed record ResourceRequirements
{
    public required int CpuCores { get; init; }
    public required long RamMb { get; init; }
    public required long DiskGb { get; init; }
    public IReadOnlyList<GpuRequirement> Gpus { get; init; } = [];
}

/// <summary>A place a provider is in, or a job may run in: kind (continent, country, city, region…) and name.</summary>
public sealed record Locality(string Kind, string Name);
