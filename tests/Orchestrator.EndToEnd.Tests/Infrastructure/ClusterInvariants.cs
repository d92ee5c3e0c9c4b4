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

    /// <summary>
    /// Settlement, once the dust has settled (waits up to <paramref name="within"/>): every contract a job's run ended under
    /// is settled or disputed, once (a ledger row per contract); the provider's record of it equals the job's, amount,
    /// usage and signatures; and the ledger's totals per currency equal the sum of its settled rows.
    /// </summary>
    public static async Task AssertSettledAsync(HttpClient node, IEnumerable<string> jobIds, TimeSpan? within = null)
    {
        var ids = jobIds.ToArray();
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(90));
        var contracts = new List<(string Job, string Contract)>();
        string last = "";
        while (true)
        {
            contracts.Clear();
            var pending = new List<string>();
            foreach (var id in ids)
            {
                var job = await node.GetJobAsync(id);
                var ended = (job["runs"]?.AsArray() ?? []).Select(r => r!["contractId"]!.GetValue<string>()).ToArray();
                var settlements = (job["settlements"]?.AsArray() ?? []).Select(s => s!).ToArray();
                // One settlement per ended contract, in the order the runs ended.
                Assert.Equal(ended, settlements.Select(s => s["contractId"]!.GetValue<string>()).ToArray());
                foreach (var s in settlements)
                {
                    var contract = s["contractId"]!.GetValue<string>();
                    contracts.Add((id, contract));
                    var state = s["state"]!.GetValue<string>();
                    if (state is not ("settled" or "disputed") || (state == "settled" && s["transfer"] is null)) pending.Add($"{contract}: {state}");
                }
            }

            if (pending.Count == 0) break;
            last = string.Join(", ", pending.Take(10));
            if (DateTime.UtcNow > deadline) Assert.Fail($"{pending.Count} contract(s) not settled within {within ?? TimeSpan.FromSeconds(90)}: {last}");
            await Task.Delay(500);
        }

        foreach (var (_, contract) in contracts)
        {
            JsonObject detail = null!;
            // The provider records its side before the job does: both are there once the job's is (read through this node's
            // directory, which may take a moment to name a provider's new incarnation after its node restarted).
            await Poll.UntilAsync(async () =>
            {
                using var response = await node.GetAsync($"/orchestrator/settlements/{Uri.EscapeDataString(contract)}");
                Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
                detail = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
                Assert.True(detail["provider"] is not null, $"{contract}: the provider's record was not read: {detail["providerUnavailable"]}");
            }, TimeSpan.FromSeconds(90));
            var (mine, theirs) = (detail["requester"]!, detail["provider"]!);
            Assert.Equal(mine["state"]!.GetValue<string>(), theirs["state"]!.GetValue<string>());
            Assert.Equal(mine["settlement"]?.ToJsonString(), theirs["settlement"]?.ToJsonString());
            foreach (var proof in new[] { "requesterProof", "providerProof", "receiptProof" })
                Assert.Equal(mine[proof]?["signature"]?.GetValue<string>(), theirs[proof]?["signature"]?.GetValue<string>());
        }

        // The ledger: one row per contract, and its totals are the sum of its settled rows.
        using var ledgerResponse = await node.GetAsync("/orchestrator/settlements?limit=1000");
        var ledger = JsonNode.Parse(await ledgerResponse.Content.ReadAsStringAsync())!.AsObject();
        var rows = ledger["rows"]!.AsArray().Select(r => r!).ToArray();
        Assert.Equal(rows.Length, rows.Select(r => r["contractId"]!.GetValue<string>()).Distinct().Count());
        if (ledger["total"]!.GetValue<int>() <= rows.Length)
            foreach (var total in ledger["totals"]!.AsArray())
                Assert.Equal(rows.Where(r => r["currency"]!.GetValue<string>() == total!["currency"]!.GetValue<string>() && r["state"]!.GetValue<string>() == "settled")
                    .Sum(r => r["amount"]!.GetValue<decimal>()), total!["amount"]!.GetValue<decimal>());
    }
}
