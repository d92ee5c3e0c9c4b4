using System.Collections.Concurrent;
using System.IO.Hashing;
using System.Text;
using System.Text.Json;
using Orchestrator.Protocol.Model;
using Orchestrator.Providers;

namespace Orchestrator.Matching;

/// <summary>
/// The directory's providers, prepared once per directory change for every search that follows: each id's hash
/// for rendezvous hashing, and the pre-filter's answer per distinct requirement (jobs of one shape are common, and
/// matching every provider of a 10,000-provider network for each of them was the cost that grew with the network).
/// Shared by the jobs of a node; safe for concurrent use.
/// </summary>
public sealed class ProviderPool
{
    private const int MaxRememberedShapes = 1024;
    private readonly ConcurrentDictionary<string, Prefilter> _prefilters = new(StringComparer.Ordinal);

    public ProviderPool(IReadOnlyList<ProviderCapability> providers)
    {
        Providers = providers;
        IdHashes = providers.Select(p => XxHash64.HashToUInt64(Encoding.UTF8.GetBytes(p.Id))).ToArray();
    }

    public static ProviderPool Empty { get; } = new([]);

    public IReadOnlyList<ProviderCapability> Providers { get; }
    internal ulong[] IdHashes { get; }

    /// <summary>Which providers' advertised capability can hold the requirements, and why the others cannot.</summary>
    internal Prefilter PrefilterFor(JobRequirements requirements)
    {
        var key = JsonSerializer.Serialize(requirements);
        if (_prefilters.TryGetValue(key, out var known)) return known;
        var computed = Compute(requirements);
        if (_prefilters.Count < MaxRememberedShapes) _prefilters.TryAdd(key, computed);
        return computed;
    }

    private Prefilter Compute(JobRequirements requirements)
    {
        var filtered = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var eligible = new List<int>();
        for (var i = 0; i < Providers.Count; i++)
        {
            var p = Providers[i];
            // Against the whole advertised capacity: what is free is the provider's to say when asked.
            var reason = (CapabilityMatcher.Match(p, FullCapacity(p), requirements) as MatchResult.Ineligible)?.Reason;
            if (reason is { } r) filtered[Reasons.Code(r)] = filtered.GetValueOrDefault(Reasons.Code(r)) + 1;
            else eligible.Add(i);
        }

        return new Prefilter(eligible.ToArray(), new Dictionary<string, int>(filtered));
    }

    private static FreeResources FullCapacity(ProviderCapability p) =>
        new(p.Resources.CpuCores, p.Resources.RamMb, p.Resources.DiskGb, Enumerable.Range(0, p.Resources.Gpus.Count).ToArray());
}

/// <summary>Indices (into the pool) of the providers that can hold a requirement, and counts of the rest per reason.</summary>
internal sealed record Prefilter(int[] Eligible, IReadOnlyDictionary<string, int> Filtered);
