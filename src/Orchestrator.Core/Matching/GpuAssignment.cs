using Orchestrator.Protocol.Model;

namespace Orchestrator.Matching;

/// <summary>
/// Assigns each required GPU to a distinct provider GPU. A greedy pass can fail where an assignment exists (a loose
/// requirement taking the only GPU a strict one fits), and a plain backtracking search takes factorial time when
/// none exists (64 requirements, the last one impossible), so this is a bipartite matching by augmenting paths:
/// at most requirements × GPUs² steps, whatever the input.
/// </summary>
public static class GpuAssignment
{
    public static bool Satisfies(GpuRequirement need, Gpu gpu) =>
        (string.IsNullOrEmpty(need.Vendor) || string.Equals(need.Vendor, gpu.Vendor, StringComparison.OrdinalIgnoreCase))
        && (string.IsNullOrEmpty(need.Model) || string.Equals(need.Model, gpu.Model, StringComparison.OrdinalIgnoreCase))
        && (need.VramMb is null || gpu.VramMb >= need.VramMb);

    /// <summary>Indices into <paramref name="gpus"/>, one per requirement in order, or null when impossible.</summary>
    public static IReadOnlyList<int>? Assign(IReadOnlyList<GpuRequirement> needs, IReadOnlyList<Gpu> gpus, IReadOnlyList<int> available)
    {
        // Most jobs need no GPU, and the directory's pre-filter asks this for every provider: answer those at once.
        // Stryker disable once Statement,Block,Equality : the general path returns the same empty assignment, only slower
        if (needs.Count == 0) return [];
        if (needs.Count > available.Count) return null;

        // Smallest fitting GPU first, so large GPUs stay free for the requirements (and jobs) that need them.
        var ordered = available.OrderBy(i => gpus[i].VramMb).ThenBy(i => i).ToArray();
        var holder = new Dictionary<int, int>();
        for (var n = 0; n < needs.Count; n++)
            if (!Place(n, [])) return null;

        var chosen = new int[needs.Count];
        foreach (var (gpu, need) in holder) chosen[need] = gpu;
        return chosen;

        // Gives requirement n a GPU: the smallest free one that fits; failing that, one whose holder can move to
        // another GPU (so requirements placed earlier keep their GPU unless moving is the only way).
        bool Place(int n, HashSet<int> tried)
        {
            foreach (var i in ordered)
            {
                if (holder.ContainsKey(i) || !Satisfies(needs[n], gpus[i])) continue;
                holder[i] = n;
                return true;
            }

            foreach (var i in ordered)
            {
                if (!Satisfies(needs[n], gpus[i]) || !tried.Add(i) || !Place(holder[i], tried)) continue;
                holder[i] = n;
                return true;
            }

            return false;
        }
    }
}
