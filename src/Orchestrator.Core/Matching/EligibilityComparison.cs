using System.Globalization;
using Orchestrator.Protocol.Messages;
using Orchestrator.Protocol.Model;
using Orchestrator.Providers;

namespace Orchestrator.Matching;

/// <summary>
/// A provider's full comparison with a job, for its EligibleComputeProvidersData: every hard constraint the job sets,
/// each passed or failed with the values compared (where <see cref="CapabilityMatcher"/>, which decides, stops at the
/// first failure), and the provider's own scores for the job's soft constraints. The checks run in the matcher's
/// order, so the first failed one is the reason the provider declined with (a test holds the two together).
/// </summary>
public static class EligibilityComparison
{
    public static IReadOnlyList<ConstraintCheck> HardConstraints(ProviderCapability p, FreeResources free, JobRequirements job)
    {
        var checks = new List<ConstraintCheck>();
        void Check(string constraint, bool passed, string required, string offered, DeclineReason reason) =>
            checks.Add(new ConstraintCheck(constraint, passed, required, offered, reason));

        var r = job.Resources;
        if (job.Executors.Count > 0)
            Check("executor", job.Executors.Any(p.Executors.Contains), Names(job.Executors), Names(p.Executors), DeclineReason.ExecutorUnsupported);
        if (job.JobType is { } type)
            Check("job-type", p.JobTypes.Count == 0 || p.JobTypes.Contains(type), Snake(type),
                p.JobTypes.Count == 0 ? "any" : string.Join(", ", p.JobTypes.Select(Snake)), DeclineReason.JobTypeUnsupported);
        if (job.Localities.Count > 0)
            Check("locality", job.Localities.Any(want => p.Localities.Any(have => CapabilityMatcher.SameLocality(want, have))),
                CapabilityMatcher.Places(job.Localities), CapabilityMatcher.Places(p.Localities), DeclineReason.LocalityMismatch);
        if (!string.IsNullOrEmpty(job.Currency))
            Check("currency", string.Equals(job.Currency, p.Currency, StringComparison.OrdinalIgnoreCase), job.Currency, p.Currency, DeclineReason.CurrencyMismatch);
        if (job.MaxPricePerHour is { } max)
            Check("max-price-per-hour", !Pricing.AboveMaxPerHour(p.PricePerHour, p.PricePerResult, max, job.DurationMinutes), $"at most {Money(max)}/h",
                p.PricePerResult is null ? $"{Money(p.PricePerHour)}/h" : $"{Money(p.PricePerResult.Value)} per result", DeclineReason.PriceAboveMaximum);
        if (job.DurationMinutes is { } minutes)
        {
            Check("duration", p.MaxJobDurationMinutes <= 0 || minutes <= p.MaxJobDurationMinutes, $"{minutes} min",
                p.MaxJobDurationMinutes <= 0 ? "no limit" : $"at most {p.MaxJobDurationMinutes} min", DeclineReason.DurationTooLong);
            if (job.MaxTotalBudget is { } budget)
            {
                var cost = Pricing.ExpectedTotal(p, minutes);
                Check("max-total-budget", cost <= budget, $"at most {Money(budget)}",
                    p.PricePerResult is null ? $"{Money(cost)} ({minutes} min at {Money(p.PricePerHour)}/h)" : $"{Money(cost)} per result",
                    DeclineReason.BudgetExceeded);
            }
        }

        if (!string.IsNullOrEmpty(r.Architecture))
            Check("architecture", string.Equals(r.Architecture, p.Resources.Architecture, StringComparison.OrdinalIgnoreCase), r.Architecture,
                Declared(p.Resources.Architecture), DeclineReason.ArchitectureMismatch);
        if (r.CpuClockMhz > 0)
            Check("cpu-clock-mhz", p.Resources.CpuClockMhz >= r.CpuClockMhz, $"at least {r.CpuClockMhz} MHz",
                p.Resources.CpuClockMhz == 0 ? "undeclared" : $"{p.Resources.CpuClockMhz} MHz", DeclineReason.CpuClockTooLow);
        if (!string.IsNullOrEmpty(r.DiskType))
            Check("disk-type", string.Equals(r.DiskType, p.Resources.DiskType, StringComparison.OrdinalIgnoreCase), r.DiskType,
                Declared(p.Resources.DiskType), DeclineReason.DiskTypeMismatch);

        foreach (var lib in job.Libraries)
        {
            var installed = p.Libraries.Where(l => string.Equals(l.Name, lib.Name, StringComparison.OrdinalIgnoreCase)).ToArray();
            var offered = installed.Length == 0 ? "not installed" : string.Join(", ", installed.Select(l => l.Version));
            var required = string.IsNullOrEmpty(lib.Constraint) ? "installed" : lib.Constraint;
            if (installed.Length == 0) Check("library:" + lib.Name, false, required, offered, DeclineReason.LibraryMissing);
            else
            {
                // A constraint that does not parse was accepted by validation's caller as "any version" (as the matcher does).
                var holds = !VersionConstraint.TryParse(lib.Constraint, out var constraint, out _) || installed.Any(l => constraint.IsSatisfiedBy(l.Version));
                Check("library:" + lib.Name, holds, required, offered, DeclineReason.LibraryVersion);
            }
        }

        foreach (var need in job.Storage)
            Check("storage:" + need.Kind, p.Storage.Any(s => string.Equals(s.Kind, need.Kind, StringComparison.OrdinalIgnoreCase) && s.SizeGb >= need.SizeGb),
                $"{need.SizeGb} GB", p.Storage.Count == 0 ? "none" : string.Join(", ", p.Storage.Select(s => $"{s.Kind} {s.SizeGb} GB")),
                DeclineReason.StorageUnavailable);

        if (job.Connectivity is { } net)
        {
            if (net.Ports.Count > 0)
                Check("open-ports", net.Ports.All(p.Connectivity.OpenPorts.Contains), string.Join(", ", net.Ports),
                    p.Connectivity.OpenPorts.Count == 0 ? "none" : string.Join(", ", p.Connectivity.OpenPorts), DeclineReason.ConnectivityMismatch);
            if (net.Vpn == true)
                Check("vpn", p.Connectivity.Vpn, "yes", p.Connectivity.Vpn ? "yes" : "no", DeclineReason.ConnectivityMismatch);
        }

        foreach (var label in job.Labels)
        {
            var has = p.Labels.GetValueOrDefault(label.Key);
            Check("label:" + label.Key, LabelMatcher.Holds(p.Labels, label), LabelMatcher.Describe(label), has is null ? "absent" : $"{label.Key}={has}",
                DeclineReason.LabelMismatch);
        }

        if (r.Gpus.Count > 0)
            Check("gpus", GpuAssignment.Assign(r.Gpus, p.Resources.Gpus, Enumerable.Range(0, p.Resources.Gpus.Count).ToArray()) is not null,
                Describe(r.Gpus), Describe(p.Resources.Gpus), DeclineReason.GpuUnavailable);

        var capacity = p.Resources;
        Check("cpu-cores", r.CpuCores <= free.CpuCores && r.CpuCores <= capacity.CpuCores, r.CpuCores.ToString(CultureInfo.InvariantCulture),
            $"{free.CpuCores} free of {capacity.CpuCores}", DeclineReason.InsufficientCpu);
        Check("ram-mb", r.RamMb <= free.RamMb && r.RamMb <= capacity.RamMb, $"{r.RamMb} MB", $"{free.RamMb} MB free of {capacity.RamMb} MB",
            DeclineReason.InsufficientRam);
        Check("disk-gb", r.DiskGb <= free.DiskGb && r.DiskGb <= capacity.DiskGb, $"{r.DiskGb} GB", $"{free.DiskGb} GB free of {capacity.DiskGb} GB",
            DeclineReason.InsufficientDisk);
        if (r.Gpus.Count > 0)
            Check("gpus-free", GpuAssignment.Assign(r.Gpus, capacity.Gpus, free.FreeGpuIndices) is not null, Describe(r.Gpus),
                $"{free.FreeGpuIndices.Count} of {capacity.Gpus.Count} GPU(s) free", DeclineReason.GpuUnavailable);
        return checks;
    }

    /// <summary>
    /// The provider's own scores for the job's preferences, as the job's scoring would give them for this bid — except
    /// those relative to the other bids (lower price, "more of" without a target), which a provider cannot know: null.
    /// </summary>
    public static IReadOnlyList<SoftConstraintScore> SoftConstraints(IReadOnlyList<Preference> preferences, Bid bid)
    {
        if (preferences.Count == 0) return [];
        var scores = new SoftConstraintScore[preferences.Count];
        for (var i = 0; i < preferences.Count; i++)
        {
            var p = preferences[i];
            // The relative ones are left open, so no other bids are needed: the context is never read.
            double? score = IsRelative(p) ? null : Math.Round(Math.Clamp(PreferenceScoring.Score(p, bid, NoOtherBids), 0, 1), 6);
            scores[i] = new SoftConstraintScore(i, PreferenceScoring.Describe(p), p.Weight, score);
        }

        return scores;
    }

    private static readonly PreferenceScoring.Context NoOtherBids = new(0m, new Dictionary<ResourceDimension, long>());

    /// <summary>A preference whose score depends on the other bids.</summary>
    public static bool IsRelative(Preference p) => p.LowerPrice == true || p.More is { Target: null };

    /// <summary>
    /// Where a bid's claimed scores differ from the job's own breakdown of it (same preference index; beyond rounding).
    /// A claim the job cannot place (an index it does not have) or a claim left open (null) is not a disagreement.
    /// </summary>
    public static IReadOnlyList<ScoreDisagreement> Disagreements(IReadOnlyList<SoftConstraintScore>? claims, IReadOnlyList<ScoreTerm> computed)
    {
        if (claims is null || claims.Count == 0) return [];
        var found = new List<ScoreDisagreement>();
        foreach (var claim in claims)
        {
            if (claim.Score is not { } claimed || claim.Index < 0 || claim.Index >= computed.Count) continue;
            var own = computed[claim.Index];
            if (Math.Abs(claimed - own.Score) > 1e-6) found.Add(new ScoreDisagreement(claim.Index, own.Preference, claimed, own.Score));
        }

        return found;
    }

    private static string Names(IEnumerable<ExecutorType> executors)
    {
        var names = executors.Select(e => e.ToString().ToLowerInvariant()).ToArray();
        return names.Length == 0 ? "none" : string.Join(" or ", names);
    }

    private static string Snake(JobType type) => System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(type.ToString());

    private static string Money(decimal value) => CapabilityMatcher.Money(value);

    private static string Declared(string value) => value.Length == 0 ? "undeclared" : value;

    private static string Describe(IReadOnlyList<GpuRequirement> gpus) => string.Join(", ", gpus.Select(CapabilityMatcher.Describe));

    private static string Describe(IReadOnlyList<Gpu> gpus) =>
        gpus.Count == 0 ? "no GPUs" : string.Join(", ", gpus.Select(g => $"{g.Vendor} {g.Model} {g.VramMb} MB"));
}
