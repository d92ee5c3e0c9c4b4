using Orchestrator.Matching;
using Orchestrator.Protocol.Model;

namespace Orchestrator.Tests.Matching;

public class GpuAssignmentTests
{
    private static readonly Gpu Big = new("nvidia", "A100", 81920);
    private static readonly Gpu Small = new("nvidia", "T4", 16384);

    [Fact]
    public void Each_required_gpu_gets_a_distinct_provider_gpu()
    {
        var needs = new[] { new GpuRequirement { Vendor = "nvidia" }, new GpuRequirement { Vendor = "nvidia" } };
        Assert.Null(GpuAssignment.Assign(needs, [Big], [0]));
        Assert.Equal([1, 0], GpuAssignment.Assign(needs, [Big, Small], [0, 1]));
    }

    [Fact]
    public void A_loose_requirement_does_not_steal_the_only_gpu_a_strict_one_fits()
    {
        // Greedy in order would give the A100 to the first (any-vendor) requirement and fail the second.
        var needs = new[] { new GpuRequirement(), new GpuRequirement { VramMb = 40000 } };
        var gpus = new[] { Big, Small };
        var assigned = GpuAssignment.Assign(needs, gpus, [0, 1]);
        Assert.NotNull(assigned);
        Assert.Equal(1, assigned[0]);
        Assert.Equal(0, assigned[1]);
    }

    [Fact]
    public void Vram_is_a_minimum_and_names_match_case_insensitively()
    {
        Assert.True(GpuAssignment.Satisfies(new GpuRequirement { Vendor = "NVIDIA", Model = "a100", VramMb = 81920 }, Big));
        Assert.False(GpuAssignment.Satisfies(new GpuRequirement { VramMb = 81921 }, Big));
        Assert.False(GpuAssignment.Satisfies(new GpuRequirement { Vendor = "amd" }, Big));
    }

    [Fact]
    public void Only_available_gpus_are_assigned()
    {
        Assert.Null(GpuAssignment.Assign([new GpuRequirement { Model = "A100" }], [Big, Small], [1]));
    }
}
