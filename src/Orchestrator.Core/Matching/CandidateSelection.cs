using System.IO.Hashing;
using System.Text;
using Orchestrator.Protocol.Messages;
using Orchestrator.Protocol.Model;

namespace Orchestrator.Matching;

/// <summary>Which providers a search asks, and how many the directory's pre-filter ruled out, per constraint.</summary>
public sealed record CandidateChoice(IReadOnlyList<string> Candidates, int Considered, IReadOnlyDictionary<string, int> Prefiltered)
{
    /// <summary>The providers ruled out before asking, by name (the first <see cref="ProviderPool.MaxNamed"/>).</summary>
    public IReadOnlyList<ProviderVerdict> RuledOut { get; init; } = [];

    /// <summary>Ruled out but not named, in a network larger than the bound.</summary>
    public int RuledOutUnnamed { get; init; }
}

/// <summary>
/// Keeps the messages per job bounded however large the network: providers whose advertised capability fails a
/// hard constraint are not asked, and of the rest at most <c>maxBidRequests</c> are, chosen by rendezvous
/// hashing on the job id: each job gets its own spread of providers (so load balances across them), and the same
/// job id always gets the same ones (so a plan made with that id shows what the job will ask). The directory is
/// a hint; the provider's own answer is what counts.
/// </summary>
public static class CandidateSelection
{
    public static CandidateChoice Choose(
        IReadOnlyList<ProviderCapability> providers, JobDescription job, JobRequirements requirements, int maxBidRequests, string seed) =>
        Choose(new ProviderPool(providers), job, requirements, maxBidRequests, seed);

    public static CandidateChoice Choose(ProviderPool pool, JobDescription job, JobRequirements requirements, int maxBidRequests, string seed)
    {
        // Push: the user named the providers; they are what the search considers.
        if (job.OrchestrationType == OrchestrationType.Push)
        {
            var named = job.TargetProviders.Distinct().ToArray();
            return new CandidateChoice(named, named.Length, new Dictionary<string, int>());
        }

        var prefilter = pool.PrefilterFor(requirements);
        var chosen = HighestWeights(pool, prefilter.Eligible, maxBidRequests, XxHash64.HashToUInt64(Encoding.UTF8.GetBytes(seed)));
        var ids = chosen.Select(i => pool.Providers[i].Id).Order(StringComparer.Ordinal).ToArray();
        return new CandidateChoice(ids, pool.Providers.Count, prefilter.Filtered) { RuledOut = prefilter.Named, RuledOutUnnamed = prefilter.Unnamed };
    }

    /// <summary>The <paramref name="count"/> eligible providers with the highest weight for this seed, in one pass.</summary>
    private static int[] HighestWeights(ProviderPool pool, int[] eligible, int count, ulong seedHash)
    {
        // A min-heap of the best so far: its head is the weakest of them, replaced when a stronger one comes
        // (EnqueueDequeue hands a weaker newcomer straight back).
        var best = new PriorityQueue<int, ulong>();
        foreach (var i in eligible)
        {
            var weight = Weight(seedHash, pool.IdHashes[i]);
            if (best.Count < count) best.Enqueue(i, weight);
            else best.EnqueueDequeue(i, weight);
        }

        return best.UnorderedItems.Select(e => e.Element).ToArray();
    }

    // Rendezvous weight of (job, provider): both ids hashed once, combined by a 64-bit finaliser (SplitMix64's), so
    // every job ranks the providers in its own well-mixed order without hashing a string per provider.
    private static ulong Weight(ulong seed, ulong provider)
    {
        var z = seed ^ provider;
        // Stryker disable once Bitwise : on a ulong, >> already shifts in zeros: >>> is the same shift
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        // Stryker disable once Bitwise : on a ulong, >> already shifts in zeros: >>> is the same shift
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        // Stryker disable once Bitwise : on a ulong, >> already shifts in zeros: >>> is the same shift
        return z ^ (z >> 31);
    }
}

/// <summary>What became of a provider in a search (<see cref="ProviderVerdict.Outcome"/>).</summary>
public static class ProviderOutcomes
{
    public const string Eligible = "eligible";
    public const string RuledOut = "ruled-out";
    public const string Declined = "declined";
    public const string TimedOut = "timed-out";
}

/// <summary>The wire spelling of decline reasons, used as keys of filter counts.</summary>
public static class Reasons
{
    public static string Code(Orchestrator.Protocol.Model.DeclineReason reason) =>
        System.Text.Json.JsonNamingPolicy.KebabCaseLower.ConvertName(reason.ToString());
}
