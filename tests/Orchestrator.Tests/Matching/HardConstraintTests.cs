using Orchestrator.Matching;
using Orchestrator.Protocol.Model;
using static Orchestrator.Tests.Fixtures;

namespace Orchestrator.Tests.Matching;

/// <summary>Each hard constraint of the capability model, on a provider that has a bit of everything.</summary>
public class HardConstraintTests
{
    internal static readonly ProviderCapability Rich = Provider("cp-rich", cpu: 16, ramMb: 65536, diskGb: 500, price: 2m,
        gpus: [new Gpu("nvidia", "A100", 40960), new Gpu("nvidia", "T4", 16384)],
        executors: [ExecutorType.Docker, ExecutorType.Wasm]) with
    {
        Resources = new Resources
        {
            CpuCores = 16, CpuClockMhz = 3200, Architecture = "amd64", RamMb = 65536, DiskGb = 500, DiskType = "nvme",
            Gpus = [new Gpu("nvidia", "A100", 40960), new Gpu("nvidia", "T4", 16384)],
        },
        JobTypes = [JobType.Batch, JobType.LongRunning],
        Libraries = [new Library("cuda", "11.8"), new Library("cuda", "12.2"), new Library("python", "3.11.7")],
        Storage = [new Storage("s3", 1000), new Storage("nfs", 20)],
        Connectivity = new Connectivity { OpenPorts = [22, 443], Vpn = true },
        Currency = "USD",
        MaxJobDurationMinutes = 600,
        Labels = new Dictionary<string, string> { ["tier"] = "gold", ["uptime"] = "99.9" },
    };

    /// <summary>A provider that declares nothing beyond its amounts.</summary>
    internal static readonly ProviderCapability Plain = Provider("cp-plain", executors: []) with { Localities = [] };

    private static JobRequirements Base => Needs();

    private static JobRequirements WithResources(Func<ResourceRequirements, ResourceRequirements> change) => Base with { Resources = change(Base.Resources) };

    private const string RichGpus = "2 GPU(s) [nvidia A100 40960 MB, nvidia T4 16384 MB]";

    /// <summary>Against <see cref="Rich"/>: each constraint that holds (at its bound, too), or the reason and the sentence a user reads.</summary>
    public static TheoryData<string, JobRequirements, DeclineReason?, string?> Cases => new()
    {
        { "all hold", Base with { JobType = JobType.Batch, Libraries = [new LibraryRequirement("cuda", ">=12.0")], Currency = "usd" }, null, null },
        { "executor", Base with { Executors = [ExecutorType.Firecracker] }, DeclineReason.ExecutorUnsupported, "requires executor firecracker; provider offers docker or wasm" },
        { "any executor", Base with { Executors = [ExecutorType.Firecracker, ExecutorType.Wasm] }, null, null },
        { "job type", Base with { JobType = JobType.Recurring }, DeclineReason.JobTypeUnsupported, "job type recurring is not among those accepted (batch, long_running)" },
        { "job type single run", Base with { JobType = JobType.SingleRun }, DeclineReason.JobTypeUnsupported, "job type single_run is not among those accepted (batch, long_running)" },
        { "job type accepted", Base with { JobType = JobType.LongRunning }, null, null },
        { "locality", Base with { Localities = [new Locality("country", "FR")] }, DeclineReason.LocalityMismatch, "requires locality country=FR; provider is in country=DE" },
        { "locality kind", Base with { Localities = [new Locality("city", "DE")] }, DeclineReason.LocalityMismatch, "requires locality city=DE; provider is in country=DE" },
        { "locality any-of", Base with { Localities = [new Locality("country", "FR"), new Locality("COUNTRY", "de")] }, null, null },
        { "currency", Base with { Currency = "EUR" }, DeclineReason.CurrencyMismatch, "requires prices in EUR; provider prices in USD" },
        { "currency empty", Base with { Currency = "" }, null, null },
        { "price ceiling", Base with { MaxPricePerHour = 1.99m }, DeclineReason.PriceAboveMaximum, "price 2/h is above the maximum 1.99/h" },
        { "price at the ceiling", Base with { MaxPricePerHour = 2m }, null, null },
        { "prices read without trailing zeros", Base with { MaxPricePerHour = 1.50m }, DeclineReason.PriceAboveMaximum, "price 2/h is above the maximum 1.5/h" },
        { "duration", Base with { DurationMinutes = 601 }, DeclineReason.DurationTooLong, "job lasts 601 min; provider accepts at most 600 min" },
        { "duration at the limit", Base with { DurationMinutes = 600 }, null, null },
        { "budget", Base with { DurationMinutes = 120, MaxTotalBudget = 3.99m }, DeclineReason.BudgetExceeded, "the expected total 2/h × 120 min = 4 is above the budget 3.99" },
        { "budget ok", Base with { DurationMinutes = 120, MaxTotalBudget = 4m }, null, null },
        { "budget without a duration", Base with { MaxTotalBudget = 0m }, null, null },
        { "architecture", WithResources(r => r with { Architecture = "arm64" }), DeclineReason.ArchitectureMismatch, "requires architecture arm64; provider is amd64" },
        { "architecture any case", WithResources(r => r with { Architecture = "AMD64" }), null, null },
        { "clock", WithResources(r => r with { CpuClockMhz = 3201 }), DeclineReason.CpuClockTooLow, "requires 3201 MHz cores; provider has 3200 MHz" },
        { "clock ok", WithResources(r => r with { CpuClockMhz = 3200 }), null, null },
        { "disk type", WithResources(r => r with { DiskType = "hdd" }), DeclineReason.DiskTypeMismatch, "requires hdd disk; provider has nvme" },
        { "disk type any case", WithResources(r => r with { DiskType = "NVMe" }), null, null },
        { "library missing", Base with { Libraries = [new LibraryRequirement("tensorflow")] }, DeclineReason.LibraryMissing, "requires library tensorflow; provider does not have it" },
        { "library version", Base with { Libraries = [new LibraryRequirement("cuda", "~> 10.0")] }, DeclineReason.LibraryVersion, "requires cuda ~> 10.0; provider has 11.8, 12.2" },
        { "second library", Base with { Libraries = [new LibraryRequirement("CUDA"), new LibraryRequirement("python", "<3")] }, DeclineReason.LibraryVersion, "requires python <3; provider has 3.11.7" },
        { "any installed version will do", Base with { Libraries = [new LibraryRequirement("cuda", ">=12")] }, null, null },
        { "library range", Base with { Libraries = [new LibraryRequirement("python", ">=3.10 <3.12")] }, null, null },
        { "storage kind", Base with { Storage = [new StorageRequirement("ipfs")] }, DeclineReason.StorageUnavailable, "requires ipfs storage of 0 GB; provider offers s3 1000 GB, nfs 20 GB" },
        { "storage size", Base with { Storage = [new StorageRequirement("s3", 1001)] }, DeclineReason.StorageUnavailable, "requires s3 storage of 1001 GB; provider offers s3 1000 GB, nfs 20 GB" },
        { "storage at the size", Base with { Storage = [new StorageRequirement("S3", 1000)] }, null, null },
        { "port", Base with { Connectivity = new ConnectivityRequirement { Ports = [22, 8080, 9090] } }, DeclineReason.ConnectivityMismatch, "requires open port(s) 8080, 9090" },
        { "vpn ok", Base with { Connectivity = new ConnectivityRequirement { Ports = [443], Vpn = true } }, null, null },
        { "label", Base with { Labels = [new LabelConstraint { Key = "tier", Op = LabelOperator.In, Values = ["silver", "bronze"] }] }, DeclineReason.LabelMismatch,
            "requires label tier in [silver, bronze]; provider has tier=gold" },
        { "label absent", Base with { Labels = [new LabelConstraint { Key = "region", Op = LabelOperator.Exists }] }, DeclineReason.LabelMismatch,
            "requires label region exists; provider has no label region" },
        { "label numeric", Base with { Labels = [new LabelConstraint { Key = "uptime", Op = LabelOperator.GreaterThanOrEqual, Value = "99" }] }, null, null },
        { "gpu vram", WithResources(r => r with { Gpus = [new GpuRequirement { VramMb = 80000 }] }), DeclineReason.GpuUnavailable,
            $"requires 1 GPU(s) [any any >=80000 MB]; provider has {RichGpus}" },
        { "two distinct gpus", WithResources(r => r with { Gpus = [new GpuRequirement { VramMb = 16000 }, new GpuRequirement { Model = "A100" }] }), null, null },
        { "three gpus", WithResources(r => r with { Gpus = [new(), new(), new GpuRequirement { Vendor = "amd", Model = "MI300" }] }), DeclineReason.GpuUnavailable,
            $"requires 3 GPU(s) [any any, any any, amd MI300]; provider has {RichGpus}" },
        // The first constraint that fails is named: features before amounts, in the order a user reads them.
        { "executor before price", Base with { Executors = [ExecutorType.Firecracker], MaxPricePerHour = 1m }, DeclineReason.ExecutorUnsupported,
            "requires executor firecracker; provider offers docker or wasm" },
        { "currency before price", Base with { Currency = "EUR", MaxPricePerHour = 1m }, DeclineReason.CurrencyMismatch, "requires prices in EUR; provider prices in USD" },
        { "features before amounts", Needs(cpu: 99) with { Localities = [new Locality("country", "FR")] }, DeclineReason.LocalityMismatch,
            "requires locality country=FR; provider is in country=DE" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Each_constraint_holds_or_names_itself(string name, JobRequirements needs, DeclineReason? expected, string? detail) =>
        Check(Rich, needs, expected, detail, name);

    /// <summary>Against a provider that declares nothing: what it cannot be asked for, and what it accepts because it sets no limit.</summary>
    public static TheoryData<string, JobRequirements, DeclineReason?, string?> Undeclared => new()
    {
        { "executor", Base with { Executors = [ExecutorType.Docker] }, DeclineReason.ExecutorUnsupported, "requires executor docker; provider offers none" },
        { "any job type", Base with { JobType = JobType.Recurring }, null, null },
        { "locality", Base with { Localities = [new Locality("country", "DE")] }, DeclineReason.LocalityMismatch, "requires locality country=DE; provider is in no declared locality" },
        { "any duration", Base with { DurationMinutes = 527040 }, null, null },
        { "architecture", WithResources(r => r with { Architecture = "amd64" }), DeclineReason.ArchitectureMismatch, "requires architecture amd64; provider is undeclared" },
        { "clock", WithResources(r => r with { CpuClockMhz = 1 }), DeclineReason.CpuClockTooLow, "requires 1 MHz cores; provider has no declared clock" },
        { "disk type", WithResources(r => r with { DiskType = "ssd" }), DeclineReason.DiskTypeMismatch, "requires ssd disk; provider has undeclared" },
        { "storage", Base with { Storage = [new StorageRequirement("s3", 1)] }, DeclineReason.StorageUnavailable, "requires s3 storage of 1 GB; provider offers none" },
        { "vpn", Base with { Connectivity = new ConnectivityRequirement { Vpn = true } }, DeclineReason.ConnectivityMismatch, "requires a VPN; provider has none" },
        { "no vpn asked", Base with { Connectivity = new ConnectivityRequirement { Vpn = false } }, null, null },
        { "gpu", WithResources(r => r with { Gpus = [new GpuRequirement { Vendor = "nvidia", Model = "T4" }] }), DeclineReason.GpuUnavailable,
            "requires 1 GPU(s) [nvidia T4]; provider has no GPUs" },
        { "cpu", Needs(cpu: 9), DeclineReason.InsufficientCpu, "requires 9 CPU cores; provider has 8 in total" },
        { "ram", Needs(ramMb: 16385), DeclineReason.InsufficientRam, "requires 16385 MB RAM; provider has 16384 MB in total" },
        { "disk", Needs(diskGb: 101), DeclineReason.InsufficientDisk, "requires 101 GB disk; provider has 100 GB in total" },
        { "everything at once", Needs(cpu: 8, ramMb: 16384, diskGb: 100), null, null },
    };

    [Theory]
    [MemberData(nameof(Undeclared))]
    public void A_provider_that_declares_nothing(string name, JobRequirements needs, DeclineReason? expected, string? detail) =>
        Check(Plain, needs, expected, detail, name);

    private static void Check(ProviderCapability provider, JobRequirements needs, DeclineReason? expected, string? detail, string name)
    {
        var result = CapabilityMatcher.Match(provider, AllFree(provider), needs);
        if (expected is null)
        {
            Assert.True(result is MatchResult.Eligible, $"{name}: {result}");
            Assert.Null(CapabilityMatcher.FeatureMismatch(provider, needs));
            return;
        }

        var no = Assert.IsType<MatchResult.Ineligible>(result);
        Assert.Equal((expected, detail), (no.Reason, no.Detail));
    }
}
