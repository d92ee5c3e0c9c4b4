using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Orchestrator.EndToEnd.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Orchestrator.EndToEnd.Tests;

/// <summary>
/// Settlement under crashes, on three real nodes on PostgreSQL: a run ends while its provider's node and its job's node
/// cannot talk (the receipt is signed and recorded on the provider, the job has not heard it), and then the provider's
/// node, or the job's, is SIGKILLed. After the restart each contract is settled exactly once, with both sides' records
/// equal. Nodes 0 and 1 host the jobs; node 2 only the provider that runs them (so a job and its provider are always on
/// different nodes).
/// </summary>
[Collection(FaultTiming.Name)]
public class SettlementCrashTests(ITestOutputHelper output)
{
    private static string? ProvidersOf(int node) => node == 2
        ? """[{"id":"cp-n2","resources":{"cpuCores":64,"ramMb":65536,"diskGb":100},"executors":["simulated"],"pricePerHour":3.6,"currency":"NTX"}]"""
        : null;

    private const string Hocon = "akka.remote.dot-netty.tcp.applied-adapters = [trttl]\n" +
                                 "orchestrator { execution { heartbeat = 500ms, lostAfter = 4s, restart.mode = never }\n contractConfirmAfter = 2s }";

    private static Task<ClusterOfNodes> StartAsync() => ClusterOfNodes.StartAsync(3, ProvidersOf, Hocon, protocol: "akka.trttl.tcp", prepare: (i, setup) =>
    {
        if (i == 2) setup.ExtraArguments.AddRange(["--roles", "providers"]);
        return Task.CompletedTask;
    });

    private static string Job(string id) =>
        ("""{"jobId":"@ID@","orchestrationType":"push","targetProviders":["cp-n2"],"requirements":{"resources":{"cpuCores":1,"ramMb":256,"diskGb":1}},""" +
         "\"execution\":{\"executor\":\"simulated\",\"args\":[\"print=started\",\"sleep-ms=3000\",\"print=done\"]}}").Replace("@ID@", id);

    private static async Task Fault(NodeProcess node, string command, string address)
    {
        using var response = await node.Http.PostAsJsonAsync($"/ops/faults/{command}", new { address });
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{command} {address}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    /// <summary>
    /// Jobs posted to node 0 until one is hosted by <paramref name="host"/> (any, when null; the shards of the job region are
    /// spread over nodes 0 and 1): that job once it runs on node 2's provider, and every job posted.
    /// </summary>
    private async Task<(string JobId, string Contract, List<string> Posted)> RunningAsync(ClusterOfNodes cluster, string prefix, string[] address, int? host = null)
    {
        var http = cluster.Nodes[0].Http;
        await Poll.UntilAsync(async () => Assert.Contains("cp-n2", (await http.GetProvidersAsync()).Select(p => p!["capability"]!["id"]!.GetValue<string>())),
            TimeSpan.FromSeconds(60));
        var posted = new List<string>();
        string? chosen = null;
        for (var k = 1; chosen is null && k <= 12; k++)
        {
            var id = $"{prefix}-{k}";
            using var response = await http.PostJobAsync(Job(id));
            var answer = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
            Assert.True(response.StatusCode == HttpStatusCode.Accepted, answer.ToJsonString());
            posted.Add(id);
            if (host is null || answer["hostedBy"]!.GetValue<string>() == address[host.Value]) chosen = id;
        }

        Assert.True(chosen is not null, $"none of {posted.Count} jobs was placed on node {host}");
        JsonObject job = null!;
        await Poll.UntilAsync(async () =>
        {
            job = await http.GetJobAsync(chosen!);
            Assert.True(job.State() == "Running", job.ToJsonString());
        }, TimeSpan.FromSeconds(60));
        output.WriteLine($"{chosen} runs on cp-n2 (node 2), hosted by {job["hostedBy"]}; posted {string.Join(", ", posted)}");
        return (chosen!, job["contract"]!["contractId"]!.GetValue<string>(), posted);
    }

    /// <summary>The run ended on node 2: its receipt recorded there, not yet settled (the job has not heard it).</summary>
    private static Task AwaitUnsettledOnProviderAsync(NodeProcess providerNode, string contract) => Poll.UntilAsync(async () =>
    {
        using var response = await providerNode.Http.GetAsync("/orchestrator/providers/cp-n2");
        var provider = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Contains(contract, provider["unsettled"]!.AsArray().Select(c => c!.GetValue<string>()));
    }, TimeSpan.FromSeconds(30));

    [Fact]
    public async Task The_providers_node_killed_between_the_receipt_and_the_settlement_settles_the_contract_once_after_its_restart()
    {
        await using var cluster = await StartAsync();
        var address = cluster.RemotePorts.Select(p => $"akka.trttl.tcp://orchestrator@127.0.0.1:{p}").ToArray();
        var (id, contract, _) = await RunningAsync(cluster, "settle-provider-killed", address);
        var jobs = cluster.Nodes[0].Http;

        // Node 2 cut off from both others: its run ends, its receipt is signed and recorded, and goes nowhere.
        foreach (var i in new[] { 0, 1 })
        {
            await Fault(cluster.Nodes[i], "blackhole", address[2]);
            await Fault(cluster.Nodes[2], "blackhole", address[i]);
        }

        await AwaitUnsettledOnProviderAsync(cluster.Nodes[2], contract);
        var victim = cluster.Nodes[2];
        await victim.KillAsync();
        foreach (var i in new[] { 0, 1 }) await Fault(cluster.Nodes[i], "restore", address[2]);

        // The job concludes the provider lost; the contract waits for the receipt.
        var job = await jobs.AwaitTerminalAsync(id, TimeSpan.FromSeconds(90));
        Assert.Equal(("Failed", "provider-lost"), (job.State(), job["failure"]!["reason"]!.GetValue<string>()));
        Assert.Equal("awaiting-receipt", Assert.Single(job["settlements"]!.AsArray())!["state"]!.GetValue<string>());

        // Back: the provider sends its receipt again, and the contract is settled once, by the job's record (lost: nothing owed).
        cluster.Nodes[2] = await victim.RestartAsync();
        await victim.DisposeAsync();
        // Back in the directory of the node the ledger is read from (its entry names the new incarnation).
        await Poll.UntilAsync(async () => Assert.Contains("cp-n2", (await jobs.GetProvidersAsync()).Select(p => p!["capability"]!["id"]!.GetValue<string>())),
            TimeSpan.FromSeconds(90));
        await ClusterInvariants.AssertSettledAsync(jobs, [id], TimeSpan.FromSeconds(120));
        var settled = Assert.Single((await jobs.GetJobAsync(id))["settlements"]!.AsArray())!;
        output.WriteLine(settled.ToJsonString());
        Assert.Equal(("settled", "provider-lost", "completed", 0m), (settled["state"]!.GetValue<string>(), settled["settlement"]!["outcome"]!.GetValue<string>(),
            settled["settlement"]!["usage"]!["outcome"]!.GetValue<string>(), settled["settlement"]!["amount"]!.GetValue<decimal>()));
        await Poll.UntilAsync(async () =>
        {
            using var response = await cluster.Nodes[2].Http.GetAsync("/orchestrator/providers/cp-n2");
            Assert.Empty(JsonNode.Parse(await response.Content.ReadAsStringAsync())!["unsettled"]!.AsArray());
        }, TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task The_jobs_node_killed_between_the_receipt_and_the_settlement_settles_the_contract_once_after_its_restart()
    {
        await using var cluster = await StartAsync();
        var address = cluster.RemotePorts.Select(p => $"akka.trttl.tcp://orchestrator@127.0.0.1:{p}").ToArray();
        // A job hosted by node 1: node 0, the seed, stays up (a restarted seed would found a cluster of its own).
        var (id, contract, posted) = await RunningAsync(cluster, "settle-job-killed", address, host: 1);

        // The job's node hangs (SIGSTOP): the run ends on node 2, its receipt is recorded there, and the job never hears
        // it. Then the node is SIGKILLed.
        var victim = cluster.Nodes[1];
        victim.Freeze();
        await AwaitUnsettledOnProviderAsync(cluster.Nodes[2], contract);
        await victim.KillAsync();

        // The job resumes on node 0, hears the run's end with its receipt (re-sent until acknowledged), and settles once:
        // completed, its time paid. Every other job posted settles too.
        var survivor = cluster.Nodes[0].Http;
        var job = await survivor.AwaitTerminalAsync(id, TimeSpan.FromSeconds(120));
        Assert.Equal("Completed", job.State());
        await ClusterInvariants.AssertSettledAsync(survivor, posted, TimeSpan.FromSeconds(120));
        var settled = Assert.Single((await survivor.GetJobAsync(id))["settlements"]!.AsArray())!;
        output.WriteLine(settled.ToJsonString());
        var billed = settled["settlement"]!["billedSeconds"]!.GetValue<long>();
        Assert.InRange(billed, 3, 60);
        Assert.Equal(("settled", "completed", billed * 0.001m), (settled["state"]!.GetValue<string>(), settled["settlement"]!["outcome"]!.GetValue<string>(),
            settled["settlement"]!["amount"]!.GetValue<decimal>()));

        // The killed node back in the cluster: still one settlement per contract, the same on both sides, read from it too.
        cluster.Nodes[1] = await victim.RestartAsync();
        await victim.DisposeAsync();
        await Poll.UntilAsync(async () => Assert.Equal(["Up", "Up", "Up"], await FailoverTests.Members(cluster.Nodes[0])), TimeSpan.FromMinutes(1));
        await ClusterInvariants.AssertSettledAsync(cluster.Nodes[1].Http, posted, TimeSpan.FromSeconds(60));
        Assert.Equal(settled.ToJsonString(), Assert.Single((await cluster.Nodes[1].Http.GetJobAsync(id))["settlements"]!.AsArray())!.ToJsonString());
        var provider = JsonNode.Parse(await (await cluster.Nodes[2].Http.GetAsync("/orchestrator/providers/cp-n2")).Content.ReadAsStringAsync())!;
        Assert.Empty(provider["unsettled"]!.AsArray());
    }
}
