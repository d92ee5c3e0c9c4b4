using System.Globalization;
using Orchestrator.Protocol.Model;
using Orchestrator.Providers;

namespace Orchestrator.Matching;

/// <summary>
/// The provider side of search and match: compares a provider's capability (and what it has free) with a job's
/// hard constraints, and names the first that fails. Features are checked before amounts, so a provider that
/// could never run the job says so rather than "busy". The directory's pre-filter runs the same checks against
/// the advertised capacity.
/// </summary>
public static class CapabilityMatcher
{
    public static MatchResult Match(ProviderCapability capability, FreeResources free, JobRequirements job) =>
        FeatureMismatch(capability, job) ?? AmountMismatch(capability, free, job);

    /// <summary>Everything that does not depend on what is free right now.</summary>
    /// <remarks>
    /// Conditions read optional values directly (a comparison with an absent value is false) rather than through
    /// pattern variables: mutation testing cannot mutate a condition that declares a variable.
    /// </remarks>
    public static MatchResult.Ineligible? FeatureMismatch(ProviderCapability p, JobRequirements job)
    {
        var r = job.Resources;
        if (job.Executors.Count > 0 && !job.Executors.Any(p.Executors.Contains))
            return No(DeclineReason.ExecutorUnsupported, $"requires executor {Names(job.Executors)}; provider offers {Names(p.Executors)}");

        if (job.JobType is not null && p.JobTypes.Count > 0 && !p.JobTypes.Contains(job.JobType.Value))
            return No(DeclineReason.JobTypeUnsupported,
                $"job type {Snake(job.JobType.Value)} is not among those accepted ({string.Join(", ", p.JobTypes.Select(Snake))})");

        if (job.Localities.Count > 0 && !job.Localities.Any(want => p.Localities.Any(have => SameLocality(want, have))))
            return No(DeclineReason.LocalityMismatch, $"requires locality {Places(job.Localities)}; provider is in {Places(p.Localities)}");

        if (!string.IsNullOrEmpty(job.Currency) && !string.Equals(job.Currency, p.Currency, StringComparison.OrdinalIgnoreCase))
            return No(DeclineReason.CurrencyMismatch, $"requires prices in {job.Currency}; provider prices in {p.Currency}");

        if (Pricing.AboveMaxPerHour(p.PricePerHour, p.PricePerResult, job.MaxPricePerHour, job.DurationMinutes))
            return No(DeclineReason.PriceAboveMaximum, p.PricePerResult is null
                ? $"price {Money(p.PricePerHour)}/h is above the maximum {Money(job.MaxPricePerHour!.Value)}/h"
                : $"price {Money(p.PricePerResult.Value)} per result is above what the maximum {Money(job.MaxPricePerHour!.Value)}/h allows for the job's " +
                  $"{job.DurationMinutes ?? 60} min");

        if (p.MaxJobDurationMinutes > 0 && job.DurationMinutes > p.MaxJobDurationMinutes)
            return No(DeclineReason.DurationTooLong, $"job lasts {job.DurationMinutes} min; provider accepts at most {p.MaxJobDurationMinutes} min");

        if ((job.DurationMinutes is not null || p.PricePerResult is not null) && Pricing.ExpectedTotal(p, job.DurationMinutes) > job.MaxTotalBudget)
            return No(DeclineReason.BudgetExceeded, $"the expected total {Pricing.Basis(p.PricePerHour, p.PricePerResult, null, job.DurationMinutes)} " +
                                                    $"is above the budget {Money(job.MaxTotalBudget!.Value)}");

        if (!string.IsNullOrEmpty(r.Architecture) && !string.Equals(r.Architecture, p.Resources.Architecture, StringComparison.OrdinalIgnoreCase))
            return No(DeclineReason.ArchitectureMismatch, $"requires architecture {r.Architecture}; provider is {Declared(p.Resources.Architecture)}");

        if (p.Resources.CpuClockMhz < r.CpuClockMhz)
            return No(DeclineReason.CpuClockTooLow,
                $"requires {r.CpuClockMhz} MHz cores; provider has {(p.Resources.CpuClockMhz == 0 ? "no declared clock" : p.Resources.CpuClockMhz + " MHz")}");

        if (!string.IsNullOrEmpty(r.DiskType) && !string.Equals(r.DiskType, p.Resources.DiskType, StringComparison.OrdinalIgnoreCase))
            return No(DeclineReason.DiskTypeMismatch, $"requires {r.DiskType} disk; provider has {Declared(p.Resources.DiskType)}");

        foreach (var lib in job.Libraries)
        {
            var installed = p.Libraries.Where(l => string.Equals(l.Name, lib.Name, StringComparison.OrdinalIgnoreCase)).ToArray();
            if (installed.Length == 0)
                return No(DeclineReason.LibraryMissing, $"requires library {lib.Name}; provider does not have it");
            var parsed = VersionConstraint.TryParse(lib.Constraint, out var constraint, out _);
            if (parsed && !installed.Any(l => constraint.IsSatisfiedBy(l.Version)))
                return No(DeclineReason.LibraryVersion,
                    $"requires {lib.Name} {lib.Constraint}; provider has {string.Join(", ", installed.Select(l => l.Version))}");
        }

        foreach (var need in job.Storage)
            if (!p.Storage.Any(s => string.Equals(s.Kind, need.Kind, StringComparison.OrdinalIgnoreCase) && s.SizeGb >= need.SizeGb))
                return No(DeclineReason.StorageUnavailable, $"requires {need.Kind} storage of {need.SizeGb} GB; provider offers " +
                    (p.Storage.Count == 0 ? "none" : string.Join(", ", p.Storage.Select(s => $"{s.Kind} {s.SizeGb} GB"))));

        var net = job.Connectivity;
        if (net is not null)
        {
            var closed = net.Ports.Where(port => !p.Connectivity.OpenPorts.Contains(port)).ToArray();
            if (closed.Length > 0)
                return No(DeclineReason.ConnectivityMismatch, $"requires open port(s) {string.Join(", ", closed)}");
            if (net.Vpn == true && !p.Connectivity.Vpn)
                return No(DeclineReason.ConnectivityMismatch, "requires a VPN; provider has none");
        }

        foreach (var label in job.Labels)
        {
            if (LabelMatcher.Holds(p.Labels, label)) continue;
            var has = p.Labels.GetValueOrDefault(label.Key);
            return No(DeclineReason.LabelMismatch, $"requires label {LabelMatcher.Describe(label)}; provider has " +
                (has is null ? $"no label {label.Key}" : $"{label.Key}={has}"));
        }

        var total = Enumerable.Range(0, p.Resources.Gpus.Count).ToArray();
        if (GpuAssignment.Assign(r.Gpus, p.Resources.Gpus, total) is null)
            return No(DeclineReason.GpuUnavailable, $"requires {Describe(r.Gpus)}; provider has {Describe(p.Resources.Gpus)}");

        return null;
    }

    private static MatchResult AmountMismatch(ProviderCapability p, FreeResources free, JobRequirements job)
    {
        var r = job.Resources;
        var capacity = p.Resources;
        var cpu = Shortfall(r.CpuCores, capacity.CpuCores, free.CpuCores, "CPU cores", "");
        if (cpu is not null) return No(DeclineReason.InsufficientCpu, cpu);
        var ram = Shortfall(r.RamMb, capacity.RamMb, free.RamMb, "RAM", " MB");
        if (ram is not null) return No(DeclineReason.InsufficientRam, ram);
        var disk = Shortfall(r.DiskGb, capacity.DiskGb, free.DiskGb, "disk", " GB");
        if (disk is not null) return No(DeclineReason.InsufficientDisk, disk);

        var assigned = GpuAssignment.Assign(r.Gpus, capacity.Gpus, free.FreeGpuIndices);
        if (assigned is null)
            return No(DeclineReason.GpuUnavailable, $"requires {Describe(r.Gpus)}; the matching GPUs are held by other jobs");

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

    public static decimal Cost(decimal pricePerHour, int minutes) => decimal.Round(pricePerHour * minutes / 60m, 6);

    private static string? Shortfall(long need, long total, long free, string what, string unit)
    {
        if (need > total) return $"requires {need}{unit} {what}; provider has {total}{unit} in total";
        if (need > free) return $"requires {need}{unit} {what}; only {free}{unit} of {total}{unit} are free";
        return null;
    }

    internal static bool SameLocality(Locality a, Locality b) =>
        string.Equals(a.Kind, b.Kind, StringComparison.OrdinalIgnoreCase)
        && string.Equals(a.Name, b.Name, StringComparison.OrdinalIgnoreCase);

    private static MatchResult.Ineligible No(DeclineReason reason, string detail) => new(reason, detail);

    private static string Declared(string value) => value.Length == 0 ? "undeclared" : value;

    private static string Snake(JobType type) => type switch
    {
        JobType.SingleRun => "single_run",
        JobType.LongRunning => "long_running",
        _ => type.ToString().ToLowerInvariant(),
    };

    private static string Names(IEnumerable<ExecutorType> executors)
    {
        var names = executors.Select(e => e.ToString().ToLowerInvariant()).ToArray();
        return names.Length == 0 ? "none" : string.Join(" or ", names);
    }

    internal static string Places(IEnumerable<Locality> places)
    {
        var names = places.Select(p => $"{p.Kind}={p.Name}").ToArray();
        return names.Length == 0 ? "no declared locality" : string.Join(" or ", names);
    }

    internal static string Money(decimal value) => value.ToString("0.####", CultureInfo.InvariantCulture);

    internal static string Describe(GpuRequirement g) =>
        $"{g.Vendor ?? "any"} {g.Model ?? "any"}{(g.VramMb is null ? "" : $" >={g.VramMb} MB")}";

    private static string Describe(IReadOnlyList<GpuRequirement> gpus) =>
        gpus.Count + " GPU(s) [" + string.Join(", ", gpus.Select(Describe)) + "]";

    private static string Describe(IReadOnlyList<Gpu> gpus) =>
        gpus.Count == 0 ? "no GPUs" : gpus.Count + " GPU(s) [" + string.Join(", ", gpus.Select(g => $"{g.Vendor} {g.Model} {g.VramMb} MB")) + "]";
}
