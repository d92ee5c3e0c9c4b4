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

    [Fact]
    public void The_smallest_fitting_gpu_is_taken_and_among_equals_the_first()
    {
        var gpus = new[] { Big, Small, Small, new Gpu("amd", "MI300", 196608) };
        Assert.Equal([1], GpuAssignment.Assign([new GpuRequirement()], gpus, [0, 1, 2, 3]));
        Assert.Equal([2], GpuAssignment.Assign([new GpuRequirement()], gpus, [3, 2, 0]));
        Assert.Equal([1, 2, 0, 3], GpuAssignment.Assign([new(), new(), new(), new()], gpus, [0, 1, 2, 3]));
        Assert.Equal([3], GpuAssignment.Assign([new GpuRequirement { Vendor = "AMD" }], gpus, [0, 1, 2, 3]));
        Assert.Equal([], GpuAssignment.Assign([], gpus, []));
    }

    [Fact]
    public void A_requirement_already_served_moves_over_for_one_that_fits_fewer()
    {
        // In order: the first takes the T4 (smallest), the second any nvidia (the A100), the third only fits a T4 or
        // the A100's 40 GB... so the first two must shift for it.
        var gpus = new[] { new Gpu("nvidia", "T4", 16384), new Gpu("nvidia", "A100", 40960), new Gpu("amd", "MI300", 196608) };
        var needs = new[] { new GpuRequirement(), new GpuRequirement { Vendor = "nvidia" }, new GpuRequirement { Model = "T4" } };
        Assert.Equal([2, 1, 0], GpuAssignment.Assign(needs, gpus, [0, 1, 2]));
    }

    [Fact]
    public void An_impossible_request_of_many_gpus_is_refused_at_once()
    {
        // 64 interchangeable GPUs, 63 loose requirements and one none fits: a search over assignments would try
        // 64! of them. This answers in far less than a test's timeout (and the run would never end otherwise).
        var gpus = Enumerable.Repeat(Small, 64).ToArray();
        var needs = Enumerable.Repeat(new GpuRequirement(), 63).Append(new GpuRequirement { Model = "H100" }).ToArray();
        Assert.Null(GpuAssignment.Assign(needs, gpus, Enumerable.Range(0, 64).ToArray()));
        var twoForOne = Enumerable.Repeat(new GpuRequirement(), 62).Concat([new GpuRequirement { Model = "A100" }, new GpuRequirement { Model = "A100" }]).ToArray();
        Assert.Null(GpuAssignment.Assign(twoForOne, [Big, .. Enumerable.Repeat(Small, 63)], Enumerable.Range(0, 64).ToArray()));
        Assert.Null(GpuAssignment.Assign(Enumerable.Repeat(new GpuRequirement(), 65).ToArray(), gpus, Enumerable.Range(0, 64).ToArray()));
    }
}
