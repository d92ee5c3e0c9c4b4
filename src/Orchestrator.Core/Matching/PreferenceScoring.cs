using Orchestrator.Protocol.Messages;
using Orchestrator.Protocol.Model;

namespace Orchestrator.Matching;

/// <summary>
/// Soft constraints. Each preference scores a bid in [0, 1]: yes/no preferences 1 or 0; "more of" preferences
/// value / target (or / the best bid's value) capped at 1; lower price the cheapest price / this price. A bid's
/// score is the weighted mean, so each preference weighs exactly its weight whatever its units, and a higher
/// value in a preferred dimension can only raise the bid's own score.
/// </summary>
public static class PreferenceScoring
{
    /// <summary>Facts about the whole set of bids that relative preferences normalise against.</summary>
    /// <param name="CheapestPrice">The lowest expected total among the bids (<see cref="Pricing.ExpectedTotal(Bid, int?)"/>).</param>
    /// <param name="JobMinutes">The job's duration, which an hourly price's expected total is computed for.</param>
    public sealed record Context(decimal CheapestPrice, IReadOnlyDictionary<ResourceDimension, long> Best, int? JobMinutes = null)
    {
        public static Context Of(IReadOnlyCollection<Bid> bids, int? jobMinutes = null) => new(
            bids.Count == 0 ? 0 : bids.Min(b => Pricing.ExpectedTotal(b, jobMinutes)),
            Enum.GetValues<ResourceDimension>().ToDictionary(d => d, d => bids.Count == 0 ? 0 : bids.Max(b => Value(b, d))), jobMinutes);
    }

    public static IReadOnlyList<ScoreTerm> Breakdown(IReadOnlyList<Preference> preferences, Bid bid, Context context) =>
        preferences.Select(p =>
        {
            var score = Math.Clamp(Score(p, bid, context), 0, 1);
            return new ScoreTerm(Describe(p), p.Weight, Math.Round(score, 6), Math.Round(score * p.Weight, 6));
        }).ToArray();

    /// <summary>The weighted mean of the terms, in [0, 1]; 0 when there are no preferences.</summary>
    public static double Total(IReadOnlyList<ScoreTerm> terms)
    {
        var weights = terms.Sum(t => t.Weight);
        return weights == 0 ? 0 : Math.Round(terms.Sum(t => t.Score * t.Weight) / weights, 6);
    }

    // Plain null checks rather than pattern variables in these conditions: mutation testing cannot mutate a condition
    // that declares a variable (its mutant declares it twice), and these are the decisions it must be able to test.
    public static double Score(Preference p, Bid bid, Context context)
    {
        var c = bid.Capability;
        if (p.LowerPrice == true)
            return Pricing.ExpectedTotal(bid, context.JobMinutes) <= 0 ? 1 : (double)(context.CheapestPrice / Pricing.ExpectedTotal(bid, context.JobMinutes));
        if (p.SpareCapacity == true) return bid.SpareCapacity;
        if (c is null) return 0;
        if (p.Localities is not null)
            return Flag(p.Localities.Any(want => c.Localities.Any(have => CapabilityMatcher.SameLocality(want, have))));
        if (p.Executor is not null) return Flag(c.Executors.Contains(p.Executor.Value));
        if (p.Gpu is not null)
            return Flag(GpuAssignment.Assign([p.Gpu], c.Resources.Gpus, bid.FreeGpuIndices ?? Enumerable.Range(0, c.Resources.Gpus.Count).ToArray()) is not null);
        if (p.Label is not null) return Flag(LabelMatcher.Holds(c.Labels, p.Label));
        if (p.Library is not null) return Flag(HasLibrary(c, p.Library));
        if (p.DiskType is not null) return Flag(string.Equals(p.DiskType, c.Resources.DiskType, StringComparison.OrdinalIgnoreCase));
        if (p.More is not null)
        {
            var value = Value(bid, p.More.Resource);
            var against = p.More.Target ?? context.Best[p.More.Resource];
            return against <= 0 ? 0 : Math.Min(1.0, (double)value / against);
        }

        return 0;
    }

    private static bool HasLibrary(ProviderCapability c, LibraryRequirement lib)
    {
        if (!VersionConstraint.TryParse(lib.Constraint, out var constraint, out _)) return false;
        return c.Libraries.Any(l => string.Equals(l.Name, lib.Name, StringComparison.OrdinalIgnoreCase) && constraint.IsSatisfiedBy(l.Version));
    }

    public static long Value(Bid bid, ResourceDimension dimension)
    {
        var r = bid.Capability?.Resources;
        if (r is null) return 0;
        return dimension switch
        {
            ResourceDimension.CpuCores => r.CpuCores,
            ResourceDimension.CpuClockMhz => r.CpuClockMhz,
            ResourceDimension.RamMb => r.RamMb,
            ResourceDimension.DiskGb => r.DiskGb,
            ResourceDimension.GpuVramMb => r.Gpus.Count == 0 ? 0 : r.Gpus.Max(g => g.VramMb),
            _ => 0,
        };
    }

    /// <summary>How a preference reads in an explanation.</summary>
    public static string Describe(Preference p)
    {
        if (p.LowerPrice == true) return "lower price";
        if (p.SpareCapacity == true) return "spare capacity";
        if (p.Localities is not null) return "locality " + CapabilityMatcher.Places(p.Localities);
        if (p.Executor is not null) return "executor " + p.Executor.Value.ToString().ToLowerInvariant();
        if (p.Gpu is not null) return "gpu " + CapabilityMatcher.Describe(p.Gpu);
        if (p.Label is not null) return "label " + LabelMatcher.Describe(p.Label);
        if (p.Library is not null) return $"library {p.Library.Name} {p.Library.Constraint}".TrimEnd();
        if (p.DiskType is not null) return "disk type " + p.DiskType;
        if (p.More is not null)
            return $"more {System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(p.More.Resource.ToString())}" +
                   (p.More.Target is null ? "" : $" (target {p.More.Target})");
        return "nothing";
    }

    private static double Flag(bool holds) => holds ? 1 : 0;
}
