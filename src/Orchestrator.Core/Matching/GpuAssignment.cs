using Orchestrator.Protocol.Model;

namespace Orchestrator.Matching;

/// <summary>
/// Assigns each required GPU to a distinct provider GPU. A greedy pass can fail where an assignment exists
/// (a loose requirement taking the only GPU a strict one fits), so this searches with backtracking; the
/// numbers are small (a handful of GPUs per machine).
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
        if (needs.Count == 0) return [];
        if (needs.Count > available.Count) return null;

        // Smallest fitting GPU first, so large GPUs stay free for the requirements (and jobs) that need them.
        var ordered = available.OrderBy(i => gpus[i].VramMb).ThenBy(i => i).ToArray();
        var chosen = new int[needs.Count];
        var used = new HashSet<int>();
        return Search(0) ? chosen : null;

        bool Search(int n)
        {
            if (n == needs.Count) return true;
            foreach (var i in ordered)
            {
                if (used.Contains(i) || !Satisfies(needs[n], gpus[i])) continue;
                used.Add(i);
                chosen[n] = i;
                if (Search(n + 1)) return true;
                used.Remove(i);
            }

            return false;
        }
    }
}
