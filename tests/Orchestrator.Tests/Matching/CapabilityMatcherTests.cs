using Orchestrator.Matching;
using Orchestrator.Protocol.Model;
using Orchestrator.Providers;
using static Orchestrator.Tests.Fixtures;

namespace Orchestrator.Tests.Matching;

public class CapabilityMatcherTests
{
    private static MatchResult Match(ProviderCapability p, JobRequirements needs) => CapabilityMatcher.Match(p, AllFree(p), needs);

    [Fact]
    public void Eligible_when_every_hard_constraint_holds()
    {
        var p = Provider("cp", cpu: 8, ramMb: 16384, diskGb: 100, price: 1.5m, executors: [ExecutorType.Docker, ExecutorType.Wasm]);
        var result = Match(p, Needs(cpu: 8, ramMb: 16384, diskGb: 100, executors: [ExecutorType.Wasm],
            localities: [new Locality("country", "de")], maxPrice: 1.5m));
        var eligible = Assert.IsType<MatchResult.Eligible>(result);
        Assert.Equal(0, eligible.SpareCapacity, 3);
    }

    public static TheoryData<JobRequirements, DeclineReason, string> Failures => new()
    {
        { Needs(cpu: 9), DeclineReason.InsufficientCpu, "requires 9 CPU cores; provider has 8 in total" },
        { Needs(ramMb: 20000), DeclineReason.InsufficientRam, "requires 20000 MB RAM; provider has 16384 MB in total" },
        { Needs(diskGb: 101), DeclineReason.InsufficientDisk, "requires 101 GB disk; provider has 100 GB in total" },
        { Needs(executors: [ExecutorType.Firecracker]), DeclineReason.ExecutorUnsupported, "requires executor firecracker; provider offers docker" },
        { Needs(localities: [new Locality("country", "FR")]), DeclineReason.LocalityMismatch, "requires locality country=FR; provider is in country=DE" },
        { Needs(maxPrice: 0.99m), DeclineReason.PriceAboveMaximum, "price 1/h is above the maximum 0.99/h" },
        { Needs(gpus: [new GpuRequirement { Vendor = "nvidia" }]), DeclineReason.GpuUnavailable, "requires 1 GPU(s) [nvidia any]; provider has no GPUs" },
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public void Ineligible_names_the_failing_constraint(JobRequirements needs, DeclineReason reason, string detail)
    {
        var no = Assert.IsType<MatchResult.Ineligible>(Match(Provider("cp"), needs));
        Assert.Equal(reason, no.Reason);
        Assert.Equal(detail, no.Detail);
    }

    [Fact]
    public void Capacity_held_by_other_jobs_is_reported_as_not_free()
    {
        var p = Provider("cp", cpu: 8);
        var free = AllFree(p) with { CpuCores = 1 };
        var no = Assert.IsType<MatchResult.Ineligible>(CapabilityMatcher.Match(p, free, Needs(cpu: 2)));
        Assert.Equal(DeclineReason.InsufficientCpu, no.Reason);
        Assert.Equal("requires 2 CPU cores; only 1 of 8 are free", no.Detail);
    }

    [Fact]
    public void Any_listed_locality_or_executor_is_enough()
    {
        var p = Provider("cp", localities: [new Locality("city", "Berlin")], executors: [ExecutorType.Wasm]);
        var needs = Needs(localities: [new Locality("country", "FR"), new Locality("city", "berlin")],
            executors: [ExecutorType.Docker, ExecutorType.Wasm]);
        Assert.IsType<MatchResult.Eligible>(Match(p, needs));
    }

    [Fact]
    public void Gpus_held_by_other_jobs_make_the_provider_busy_not_incapable()
    {
        var p = Provider("cp", gpus: [new Gpu("nvidia", "A100", 40960)]);
        var free = AllFree(p) with { FreeGpuIndices = [] };
        var no = Assert.IsType<MatchResult.Ineligible>(CapabilityMatcher.Match(p, free, Needs(gpus: [new GpuRequirement { Model = "a100" }])));
        Assert.Equal(DeclineReason.GpuUnavailable, no.Reason);
        Assert.Contains("held by other jobs", no.Detail);
    }

    public static TheoryData<JobRequirements, DeclineReason, string> NotFree => new()
    {
        { Needs(cpu: 7), DeclineReason.InsufficientCpu, "requires 7 CPU cores; only 6 of 8 are free" },
        { Needs(ramMb: 8193), DeclineReason.InsufficientRam, "requires 8193 MB RAM; only 8192 MB of 16384 MB are free" },
        { Needs(diskGb: 26), DeclineReason.InsufficientDisk, "requires 26 GB disk; only 25 GB of 100 GB are free" },
        { Needs(gpus: [new GpuRequirement { Model = "T4" }]), DeclineReason.GpuUnavailable, "requires 1 GPU(s) [any T4]; the matching GPUs are held by other jobs" },
    };

    [Theory]
    [MemberData(nameof(NotFree))]
    public void What_other_jobs_hold_is_not_free(JobRequirements needs, DeclineReason reason, string detail)
    {
        var p = Provider("cp", cpu: 8, ramMb: 16384, diskGb: 100, gpus: [new Gpu("nvidia", "T4", 16384), new Gpu("nvidia", "A100", 40960)]);
        var free = new FreeResources(6, 8192, 25, [1]);
        var no = Assert.IsType<MatchResult.Ineligible>(CapabilityMatcher.Match(p, free, needs));
        Assert.Equal((reason, detail), (no.Reason, no.Detail));
    }

    [Fact]
    public void Exactly_what_is_free_is_enough_and_the_free_gpu_is_assigned()
    {
        var p = Provider("cp", cpu: 8, ramMb: 16384, diskGb: 100, gpus: [new Gpu("nvidia", "T4", 16384), new Gpu("nvidia", "T4", 16384)]);
        var free = new FreeResources(6, 8192, 25, [1]);
        var yes = Assert.IsType<MatchResult.Eligible>(CapabilityMatcher.Match(p, free, Needs(cpu: 6, ramMb: 8192, diskGb: 25, gpus: [new GpuRequirement()])));
        Assert.Equal([1], yes.GpuIndices);
        Assert.Equal(0, yes.SpareCapacity);
    }

    [Theory]
    // free (cpu, ram, disk) less the job, each over the capacity 8 cores / 16384 MB / 100 GB, averaged.
    [InlineData(8, 16384, 100, 0, 1, 0, (1 + 16383 / 16384.0 + 1) / 3)]
    [InlineData(6, 16384, 100, 2, 4096, 0, (0.5 + 0.75 + 1) / 3)]
    [InlineData(6, 8192, 50, 2, 4096, 25, (0.5 + 0.25 + 0.25) / 3)]
    [InlineData(2, 1024, 10, 2, 1024, 10, 0)]
    // A job larger than what is free leaves nothing, never less than nothing.
    [InlineData(1, 1024, 10, 2, 2048, 20, 0)]
    public void Spare_capacity_is_the_mean_share_left_free(int freeCpu, long freeRam, long freeDisk, int cpu, long ram, long disk, double expected)
    {
        var capacity = new Resources { CpuCores = 8, RamMb = 16384, DiskGb = 100 };
        var spare = CapabilityMatcher.SpareCapacity(capacity, new FreeResources(freeCpu, freeRam, freeDisk, []), Needs(cpu, ram, disk).Resources);
        Assert.Equal(expected, spare, 9);
    }

    [Fact]
    public void A_dimension_the_provider_has_none_of_counts_as_nothing_spare()
    {
        var capacity = new Resources { CpuCores = 4, RamMb = 1024, DiskGb = 0 };
        var spare = CapabilityMatcher.SpareCapacity(capacity, new FreeResources(4, 1024, 0, []), Needs(cpu: 2, ramMb: 512, diskGb: 0).Resources);
        Assert.Equal((0.5 + 0.5 + 0) / 3, spare, 9);
    }

    [Theory]
    [InlineData("1.5", 45, "1.125")]
    [InlineData("1", 1, "0.016667")]
    [InlineData("2", 120, "4")]
    [InlineData("0", 600, "0")]
    public void Cost_is_price_per_hour_times_hours_to_the_millionth(string price, int minutes, string expected) =>
        Assert.Equal(decimal.Parse(expected, System.Globalization.CultureInfo.InvariantCulture),
            CapabilityMatcher.Cost(decimal.Parse(price, System.Globalization.CultureInfo.InvariantCulture), minutes));
}
