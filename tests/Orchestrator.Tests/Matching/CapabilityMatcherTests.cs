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
}
