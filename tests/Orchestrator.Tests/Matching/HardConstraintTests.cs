using Orchestrator.Matching;
using Orchestrator.Protocol.Model;
using static Orchestrator.Tests.Fixtures;

namespace Orchestrator.Tests.Matching;

/// <summary>Each hard constraint of the capability model, on a provider that has a bit of everything.</summary>
public class HardConstraintTests
{
    private static readonly ProviderCapability Rich = Provider("cp-rich", cpu: 16, ramMb: 65536, diskGb: 500, price: 2m,
        gpus: [new Gpu("nvidia", "A100", 40960), new Gpu("nvidia", "T4", 16384)],
        executors: [ExecutorType.Docker, ExecutorType.Wasm]) with
    {
        Resources = new Resources
        {
            CpuCores = 16, CpuClockMhz = 3200, Architecture = "amd64", RamMb = 65536, DiskGb = 500, DiskType = "nvme",
            Gpus = [new Gpu("nvidia", "A100", 40960), new Gpu("nvidia", "T4", 16384)],
        },
        JobTypes = [JobType.Batch, JobType.LongRunning],
        Libraries = [new Library("cuda", "12.2"), new Library("python", "3.11.7")],
        Storage = [new Storage("s3", 1000)],
        Connectivity = new Connectivity { OpenPorts = [22, 443], Vpn = true },
        Currency = "USD",
        MaxJobDurationMinutes = 600,
        Labels = new Dictionary<string, string> { ["tier"] = "gold", ["uptime"] = "99.9" },
    };

    private static JobRequirements Base => Needs();

    public static TheoryData<string, JobRequirements, DeclineReason?> Cases => new()
    {
        { "all hold", Base with { JobType = JobType.Batch, Libraries = [new LibraryRequirement("cuda", ">=12.0")], Currency = "usd" }, null },
        { "job type", Base with { JobType = JobType.Recurring }, DeclineReason.JobTypeUnsupported },
        { "architecture", Base with { Resources = Base.Resources with { Architecture = "arm64" } }, DeclineReason.ArchitectureMismatch },
        { "clock", Base with { Resources = Base.Resources with { CpuClockMhz = 3500 } }, DeclineReason.CpuClockTooLow },
        { "clock ok", Base with { Resources = Base.Resources with { CpuClockMhz = 3200 } }, null },
        { "disk type", Base with { Resources = Base.Resources with { DiskType = "hdd" } }, DeclineReason.DiskTypeMismatch },
        { "library missing", Base with { Libraries = [new LibraryRequirement("tensorflow")] }, DeclineReason.LibraryMissing },
        { "library version", Base with { Libraries = [new LibraryRequirement("cuda", "~> 11.0")] }, DeclineReason.LibraryVersion },
        { "library range", Base with { Libraries = [new LibraryRequirement("python", ">=3.10 <3.12")] }, null },
        { "storage kind", Base with { Storage = [new StorageRequirement("ipfs")] }, DeclineReason.StorageUnavailable },
        { "storage size", Base with { Storage = [new StorageRequirement("s3", 2000)] }, DeclineReason.StorageUnavailable },
        { "port", Base with { Connectivity = new ConnectivityRequirement { Ports = [22, 8080] } }, DeclineReason.ConnectivityMismatch },
        { "vpn ok", Base with { Connectivity = new ConnectivityRequirement { Ports = [443], Vpn = true } }, null },
        { "currency", Base with { Currency = "EUR" }, DeclineReason.CurrencyMismatch },
        { "price ceiling", Base with { MaxPricePerHour = 1.99m }, DeclineReason.PriceAboveMaximum },
        { "duration", Base with { DurationMinutes = 601 }, DeclineReason.DurationTooLong },
        { "budget", Base with { DurationMinutes = 120, MaxTotalBudget = 3.99m }, DeclineReason.BudgetExceeded },
        { "budget ok", Base with { DurationMinutes = 120, MaxTotalBudget = 4m }, null },
        { "label", Base with { Labels = [new LabelConstraint { Key = "tier", Op = LabelOperator.In, Values = ["silver"] }] }, DeclineReason.LabelMismatch },
        { "label numeric", Base with { Labels = [new LabelConstraint { Key = "uptime", Op = LabelOperator.GreaterThanOrEqual, Value = "99" }] }, null },
        { "gpu vram", Base with { Resources = Base.Resources with { Gpus = [new GpuRequirement { VramMb = 80000 }] } }, DeclineReason.GpuUnavailable },
        { "two distinct gpus", Base with { Resources = Base.Resources with { Gpus = [new GpuRequirement { VramMb = 16000 }, new GpuRequirement { Model = "A100" }] } }, null },
        { "three gpus", Base with { Resources = Base.Resources with { Gpus = [new(), new(), new()] } }, DeclineReason.GpuUnavailable },
        { "locality any-of", Base with { Localities = [new Locality("country", "FR"), new Locality("country", "DE")] }, null },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Each_constraint_holds_or_names_itself(string name, JobRequirements needs, DeclineReason? expected)
    {
        var result = CapabilityMatcher.Match(Rich, AllFree(Rich), needs);
        if (expected is null) Assert.True(result is MatchResult.Eligible, $"{name}: {result}");
        else Assert.Equal(expected, Assert.IsType<MatchResult.Ineligible>(result).Reason);
    }
}
