using System.Globalization;
using Orchestrator.Protocol.Model;
using Orchestrator.Providers;

namespace Orchestrator.Matching;

/// <summary>
/// The provider side of search and match: compares a provider's capability (and what it has free) with a job's
/// hard constraints. Static features are checked before amounts, so a provider that could never run the job
/// says so rather than "busy".
/// </summary>
public static class CapabilityMatcher
{
    public static MatchResult Match(ProviderCapability capability, FreeResources free, JobRequirements job)
    {
        var r = job.Resources;
        var capacity = capability.Resources;

        if (job.Executors.Count > 0 && !job.Executors.Any(capability.Executors.Contains))
            return No(DeclineReason.ExecutorUnsupported,
                $"requires executor {Names(job.Executors)}; provider offers {Names(capability.Executors)}");

        if (job.Localities.Count > 0 && !job.Localities.Any(want => capability.Localities.Any(have => SameLocality(want, have))))
            return No(DeclineReason.LocalityMismatch,
                $"requires locality {Places(job.Localities)}; provider is in {Places(capability.Localities)}");

        if (job.MaxPricePerHour is { } max && capability.PricePerHour > max)
            return No(DeclineReason.PriceAboveMaximum,
                $"price {Money(capability.PricePerHour)}/h is above the maximum {Money(max)}/h");

        if (Shortfall(r.CpuCores, capacity.CpuCores, free.CpuCores, "CPU cores", "") is { } cpu)
            return No(DeclineReason.InsufficientCpu, cpu);
        if (Shortfall(r.RamMb, capacity.RamMb, free.RamMb, "RAM", " MB") is { } ram)
            return No(DeclineReason.InsufficientRam, ram);
        if (Shortfall(r.DiskGb, capacity.DiskGb, free.DiskGb, "disk", " GB") is { } disk)
            return No(DeclineReason.InsufficientDisk, disk);

        var allGpus = Enumerable.Range(0, capacity.Gpus.Count).ToArray();
        if (r.Gpus.Count > 0 && GpuAssignment.Assign(r.Gpus, capacity.Gpus, allGpus) is null)
            return No(DeclineReason.GpuUnavailable,
                $"requires {Describe(r.Gpus)}; provider has {Describe(capacity.Gpus)}");
        var assigned = GpuAssignment.Assign(r.Gpus, capacity.Gpus, free.FreeGpuIndices);
        if (assigned is null)
            return No(DeclineReason.GpuUnavailable,
                $"requires {Describe(r.Gpus)}; the matching GPUs are held by other jobs");

        return new MatchResult.Eligible(assigned, SpareCapacity(capacity, free, r));
    }

    /// <summary>The mean share of CPU, RAM and disk still free after taking the job, in [0, 1].</summary>
    public static double SpareCapacity(Resources capacity, FreeResources free, ResourceRequirements job)
    {
        static double Share(double left, double total) => total <= 0 ? 0 : Math.Clamp(left / total, 0, 1);
        return (Share(free.CpuCores - job.CpuCores, capacity.CpuCores)
                + Share(free.RamMb - job.RamMb, capacity.RamMb)
                + Share(free.DiskGb - job.DiskGb, capacity.DiskGb)) / 3.0;
    }

    private static string? Shortfall(long need, long total, long free, string what, string unit)
    {
        if (need > total) return $"requires {need}{unit} {what}; provider has {total}{unit} in total";
        if (need > free) return $"requires {need}{unit} {what}; only {free}{unit} of {total}{unit} are free";
        return null;
    }

    private static bool SameLocality(Locality a, Locality b) =>
        string.Equals(a.Kind, b.Kind, StringComparison.OrdinalIgnoreCase)
        && string.Equals(a.Name, b.Name, StringComparison.OrdinalIgnoreCase);

    private static MatchResult No(DeclineReason reason, string detail) => new MatchResult.Ineligible(reason, detail);

    private static string Names(IEnumerable<ExecutorType> executors)
    {
        var names = executors.Select(e => e.ToString().ToLowerInvariant()).ToArray();
        return names.Length == 0 ? "none" : string.Join(" or ", names);
    }

    private static string Places(IEnumerable<Locality> places)
    {
        var names = places.Select(p => $"{p.Kind}={p.Name}").ToArray();
        return names.Length == 0 ? "no declared locality" : string.Join(" or ", names);
    }

    private static string Money(decimal value) => value.ToString("0.####", CultureInfo.InvariantCulture);

    private static string Describe(IReadOnlyList<GpuRequirement> gpus) =>
        gpus.Count + " GPU(s) [" + string.Join(", ", gpus.Select(g =>
            $"{g.Vendor ?? "any"} {g.Model ?? "any"}{(g.VramMb is { } v ? $" >={v} MB" : "")}")) + "]";

    private static string Describe(IReadOnlyList<Gpu> gpus) =>
        gpus.Count == 0 ? "no GPUs" : gpus.Count + " GPU(s) [" + string.Join(", ", gpus.Select(g => $"{g.Vendor} {g.Model} {g.VramMb} MB")) + "]";
}
