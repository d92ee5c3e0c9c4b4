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
    public sealed record Context(decimal CheapestPrice, IReadOnlyDictionary<ResourceDimension, long> Best)
    {
        public static Context Of(IReadOnlyCollection<Bid> bids) => new(
            bids.Count == 0 ? 0 : bids.Min(b => b.PricePerHour),
            Enum.GetValues<ResourceDimension>().ToDictionary(d => d, d => bids.Count == 0 ? 0 : bids.Max(b => Value(b, d))));
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

    public static double Score(Preference p, Bid bid, Context context)
    {
        var c = bid.Capability;
        if (p.LowerPrice == true)
            return bid.PricePerHour <= 0 ? 1 : (double)(context.CheapestPrice / bid.PricePerHour);
        if (p.SpareCapacity == true) return bid.SpareCapacity;
        if (c is null) return 0;
        if (p.Localities is { Count: > 0 } places)
            return Flag(places.Any(want => c.Localities.Any(have => CapabilityMatcher.SameLocality(want, have))));
        if (p.Executor is { } executor) return Flag(c.Executors.Contains(executor));
        if (p.Gpu is { } gpu)
            return Flag(GpuAssignment.Assign([gpu], c.Resources.Gpus, bid.FreeGpuIndices ?? Enumerable.Range(0, c.Resources.Gpus.Count).ToArray()) is not null);
        if (p.Label is { } label) return Flag(LabelMatcher.Holds(c.Labels, label));
        if (p.Library is { } lib)
            return Flag(VersionConstraint.TryParse(lib.Constraint, out var constraint, out _)
                        && c.Libraries.Any(l => string.Equals(l.Name, lib.Name, StringComparison.OrdinalIgnoreCase) && constraint.IsSatisfiedBy(l.Version)));
        if (p.DiskType is { Length: > 0 } disk) return Flag(string.Equals(disk, c.Resources.DiskType, StringComparison.OrdinalIgnoreCase));
        if (p.More is { } more)
        {
            var value = Value(bid, more.Resource);
            var against = more.Target ?? context.Best[more.Resource];
            return against <= 0 ? 0 : Math.Min(1.0, (double)value / against);
        }

        return 0;
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
    public static string Describe(Preference p) =>
        p.LowerPrice == true ? "lower price"
        : p.SpareCapacity == true ? "spare capacity"
        : p.Localities is { Count: > 0 } places ? "locality " + CapabilityMatcher.Places(places)
        : p.Executor is { } e ? "executor " + e.ToString().ToLowerInvariant()
        : p.Gpu is { } g ? "gpu " + CapabilityMatcher.Describe(g)
        : p.Label is { } l ? "label " + LabelMatcher.Describe(l)
        : p.Library is { } lib ? $"library {lib.Name} {lib.Constraint}".TrimEnd()
        : p.DiskType is { } d ? "disk type " + d
        : p.More is { } m ? $"more {System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(m.Resource.ToString())}" + (m.Target is { } t ? $" (target {t})" : "")
        : "nothing";

    private static double Flag(bool holds) => holds ? 1 : 0;
}
