using System.IO.Hashing;
using System.Text;
using Orchestrator.Protocol.Model;
using Orchestrator.Providers;

namespace Orchestrator.Matching;

/// <summary>Which providers a search asks, and how many the directory's pre-filter ruled out, per constraint.</summary>
public sealed record CandidateChoice(IReadOnlyList<string> Candidates, int Considered, IReadOnlyDictionary<string, int> Prefiltered);

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
        IReadOnlyList<ProviderCapability> providers, JobDescription job, JobRequirements requirements, int maxBidRequests, string seed)
    {
        if (job.OrchestrationType == OrchestrationType.Push)
            return new CandidateChoice(job.TargetProviders.Distinct().ToArray(), providers.Count, new Dictionary<string, int>());

        var filtered = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var eligible = new List<string>();
        foreach (var p in providers)
        {
            // Against the whole advertised capacity: what is free is the provider's to say when asked.
            var reason = (CapabilityMatcher.Match(p, FullCapacity(p), requirements) as MatchResult.Ineligible)?.Reason;
            if (reason is { } r) filtered[Reasons.Code(r)] = filtered.GetValueOrDefault(Reasons.Code(r)) + 1;
            else eligible.Add(p.Id);
        }

        var chosen = eligible.Count <= maxBidRequests
            ? eligible
            : eligible.OrderByDescending(id => Weight(seed, id)).ThenBy(id => id, StringComparer.Ordinal).Take(maxBidRequests).ToList();
        return new CandidateChoice(chosen.Order(StringComparer.Ordinal).ToArray(), providers.Count, new Dictionary<string, int>(filtered));
    }

    private static FreeResources FullCapacity(ProviderCapability p) =>
        new(p.Resources.CpuCores, p.Resources.RamMb, p.Resources.DiskGb, Enumerable.Range(0, p.Resources.Gpus.Count).ToArray());

    private static ulong Weight(string seed, string providerId) =>
        XxHash64.HashToUInt64(Encoding.UTF8.GetBytes(seed + "\u0000" + providerId));
}

/// <summary>The wire spelling of decline reasons, used as keys of filter counts.</summary>
public static class Reasons
{
    public static string Code(Orchestrator.Protocol.Model.DeclineReason reason) =>
        System.Text.Json.JsonNamingPolicy.KebabCaseLower.ConvertName(reason.ToString());
}
