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

    /// <summary>Clock of a core, MHz; 0 when not declared.</summary>
    public int CpuClockMhz { get; init; }

    /// <summary>CPU architecture, e.g. amd64, arm64; empty when not declared.</summary>
    public string Architecture { get; init; } = "";

    public required long RamMb { get; init; }
    public required long DiskGb { get; init; }

    /// <summary>Disk type, e.g. ssd, hdd, nvme; empty when not declared.</summary>
    public string DiskType { get; init; } = "";

    public IReadOnlyList<Gpu> Gpus { get => _gpus; init => _gpus = Wire.Array(value); }

    private readonly Gpu[] _gpus = [];
}

/// <summary>What a job needs.</summary>
public sealed record ResourceRequirements
{
    public required int CpuCores { get; init; }

    /// <summary>Minimum core clock, MHz.</summary>
    public int? CpuClockMhz { get; init; }

    /// <summary>Required architecture (exact, case-insensitive).</summary>
    public string? Architecture { get; init; }

    public required long RamMb { get; init; }
    public required long DiskGb { get; init; }

    /// <summary>Required disk type (exact, case-insensitive).</summary>
    public string? DiskType { get; init; }

    public IReadOnlyList<GpuRequirement> Gpus { get => _gpus; init => _gpus = Wire.Array(value); }

    private readonly GpuRequirement[] _gpus = [];
}

/// <summary>A place a provider is in, or a job may run in: kind (continent, country, city, region…) and name.</summary>
public sealed record Locality(string Kind, string Name);

/// <summary>A software library a provider has installed, with its version (e.g. cuda 12.2).</summary>
public sealed record Library(string Name, string Version);

/// <summary>A library a job needs: name and version constraint ("&gt;=12.0", "~&gt; 12.1", "&gt;=1.2 &lt;2.0", "1.2.3"; empty = any).</summary>
public sealed record LibraryRequirement(string Name, string Constraint = "");

/// <summary>Storage a provider offers (kind e.g. s3, ipfs, local-volume) and its size.</summary>
public sealed record Storage(string Kind, long SizeGb);

/// <summary>Storage a job needs: a kind, and at least this size.</summary>
public sealed record StorageRequirement(string Kind, long SizeGb = 0);

/// <summary>How a provider can be reached.</summary>
public sealed record Connectivity
{
    public IReadOnlyList<int> OpenPorts { get => _openPorts; init => _openPorts = Wire.Array(value); }
    private readonly int[] _openPorts = [];
    public bool Vpn { get; init; }
}

/// <summary>What a job needs of the provider's network: these ports open, and a VPN if asked.</summary>
public sealed record ConnectivityRequirement
{
    public IReadOnlyList<int> Ports { get => _ports; init => _ports = Wire.Array(value); }
    private readonly int[] _ports = [];
    public bool? Vpn { get; init; }
}

/// <summary>A constraint on a provider's free label: <c>gpu-tier in [gold, silver]</c>, <c>uptime &gt;= 99.5</c>, <c>sgx exists</c>.</summary>
public sealed record LabelConstraint
{
    public required string Key { get; init; }
    public LabelOperator Op { get; init; } = LabelOperator.Equals;
    public string? Value { get; init; }
    public IReadOnlyList<string> Values { get => _values; init => _values = Wire.Array(value); }
    private readonly string[] _values = [];
}
