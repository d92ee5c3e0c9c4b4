using System.Collections.Concurrent;
using System.IO.Hashing;
using System.Text;
using System.Text.Json;
using Orchestrator.Protocol.Messages;
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

    /// <summary>How many ruled-out providers a search names (with their constraint); beyond that, counts only.</summary>
    public const int MaxNamed = 100;

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
        var named = new List<ProviderVerdict>();
        var unnamed = 0;
        for (var i = 0; i < Providers.Count; i++)
        {
            var p = Providers[i];
            // Against the whole advertised capacity: what is free is the provider's to say when asked.
            if (CapabilityMatcher.Match(p, FullCapacity(p), requirements) is MatchResult.Ineligible no)
            {
                filtered[Reasons.Code(no.Reason)] = filtered.GetValueOrDefault(Reasons.Code(no.Reason)) + 1;
                if (named.Count < MaxNamed) named.Add(new ProviderVerdict(p.Id, ProviderOutcomes.RuledOut, Reasons.Code(no.Reason), no.Detail));
                else unnamed++;
            }
            else eligible.Add(i);
        }

        return new Prefilter(eligible.ToArray(), new Dictionary<string, int>(filtered), named, unnamed);
    }

    private static FreeResources FullCapacity(ProviderCapability p) =>
        new(p.Resources.CpuCores, p.Resources.RamMb, p.Resources.DiskGb, Enumerable.Range(0, p.Resources.Gpus.Count).ToArray());
}

/// <summary>Indices (into the pool) of the providers that can hold a requirement, and counts of the rest per reason.</summary>
internal sealed record Prefilter(int[] Eligible, IReadOnlyDictionary<string, int> Filtered, IReadOnlyList<ProviderVerdict> Named, int Unnamed);
