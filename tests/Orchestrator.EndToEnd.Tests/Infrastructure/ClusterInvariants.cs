using System.Text.Json.Nodes;

namespace Orchestrator.EndToEnd.Tests.Infrastructure;

/// <summary>What must hold across a cluster once the dust of a fault has settled.</summary>
public static class ClusterInvariants
{
    /// <summary>
    /// Once every provider is back (<paramref name="providerCount"/>), every provider's contracts are exactly the jobs
    /// that name it (nothing missing, no contract for a job that holds another or none: a provider that committed for
    /// a job that moved on has reverted it), no provider holds more than its capacity, and no lock outlives its lease.
    /// Providers reconcile in the background, so this waits (up to 90 s) for the contracts to settle before asserting.
    /// </summary>
    /// <remarks>
    /// A job whose post was not acknowledged (a 503 from a node that was cut off or crashed while the post was under
    /// way) may still have been taken: a contract for such a job is checked against the job as read from the cluster.
    /// </remarks>
    public static async Task AssertProvidersSettledAsync(HttpClient node, int providerCount, IReadOnlyCollection<JsonObject> terminalJobs)
    {
        var known = terminalJobs.ToDictionary(j => j["jobId"]!.GetValue<string>());
        // A reservation holds its contract; a job that runs a program holds none once its run has ended.
        (string Job, string Provider)[] Expected() => known.Values.Where(j => j.State() == "Contracted")
            .Select(j => (j["jobId"]!.GetValue<string>(), j["contract"]!["providerId"]!.GetValue<string>())).Order().ToArray();
        (string Job, string Provider)[] held = [];
        JsonNode[] providers = [];
        var settleBy = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        do
        {
            providers = (await node.GetProvidersAsync()).Select(p => p!).ToArray();
            held = providers.SelectMany(p => p["contracts"]!.AsArray())
                .Select(c => (c!["jobId"]!.GetValue<string>(), c["providerId"]!.GetValue<string>())).Order().ToArray();
            foreach (var (job, _) in held.Where(h => !known.ContainsKey(h.Job)).ToArray())
                known[job] = await node.AwaitTerminalAsync(job, TimeSpan.FromMinutes(3));
            if (providers.Length == providerCount && held.SequenceEqual(Expected())) break;
            await Task.Delay(500);
        } while (DateTime.UtcNow < settleBy);

        var expected = Expected();
        Assert.Equal(providerCount, providers.Length);
        Assert.Equal(expected, held);
        foreach (var p in providers)
        {
            var capacity = p["capability"]!["resources"]!["cpuCores"]!.GetValue<int>();
            Assert.InRange(p["contracted"]!["cpuCores"]!.GetValue<int>() + p["locked"]!["cpuCores"]!.GetValue<int>(), 0, capacity);
        }

        // Runs: no job's program runs on two providers at once, and none runs for a job whose life has ended or without
        // its contract (an allocation holds a contract the provider still has).
        var allocations = providers.SelectMany(p => (p["allocations"]?.AsArray() ?? []).Select(a => (Provider: p["capability"]!["id"]!.GetValue<string>(),
            Contract: a!.GetValue<string>()))).ToArray();
        foreach (var (provider, contract) in allocations)
            Assert.Contains(providers.Single(p => p["capability"]!["id"]!.GetValue<string>() == provider)["contracts"]!.AsArray(),
                c => c!["contractId"]!.GetValue<string>() == contract);
        var jobsOf = allocations.Select(a => a.Contract[..a.Contract.LastIndexOf('@')]).ToArray();
        Assert.Equal(jobsOf.Length, jobsOf.Distinct().Count());
        Assert.All(jobsOf.Where(known.ContainsKey), job => Assert.False(known[job]["final"]?.GetValue<bool>() == true && known[job].State() != "Contracted",
            $"job {job} ended, yet a provider still runs its program"));

        var leaseOver = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        int locks;
        do
        {
            locks = (await node.GetProvidersAsync()).Sum(p => p!["locks"]!.AsArray().Count);
            if (locks > 0) await Task.Delay(250);
        } while (locks > 0 && DateTime.UtcNow < leaseOver);
        Assert.Equal(0, locks);
    }
}
