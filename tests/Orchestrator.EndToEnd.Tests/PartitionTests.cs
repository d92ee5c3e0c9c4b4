using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Orchestrator.Api;
using Orchestrator.EndToEnd.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Orchestrator.EndToEnd.Tests;

/// <summary>
/// A network partition, made inside the nodes (Akka.Remote's throttling adapter, both directions; no traffic leaves
/// loopback): one node of three is cut off from the other two while jobs are posted to all three.
/// </summary>
[Collection(FaultTiming.Name)]
public class PartitionTests(ITestOutputHelper output)
{
    private static string ProvidersOf(int node) => ClusterTests.ProvidersOf(node);

    /// <summary>
    /// The promise under a partition, as under a crash (<see cref="FailoverTests"/>): from 2 s after the majority has
    /// removed the cut-off member on, every post to the majority is answered 202; the cut-off member refuses posts as
    /// not taken (or, for one it was already waiting on, as outcome unknown), each with Retry-After.
    /// </summary>
    [Fact]
    public async Task The_majority_keeps_the_cluster_the_cut_off_node_refuses_posts_its_jobs_resume_and_it_rejoins_when_healed()
    {
        await using var cluster = await ClusterOfNodes.StartAsync(3, ProvidersOf,
            "akka.remote.dot-netty.tcp.applied-adapters = [trttl]\norchestrator { lockLease = 5s, contractConfirmAfter = 2s }", protocol: "akka.trttl.tcp");
        var address = cluster.RemotePorts.Select(p => $"akka.trttl.tcp://orchestrator@127.0.0.1:{p}").ToArray();
        var cutOff = cluster.Nodes[2];
        await using var load = PostingLoad.Start(cluster.Nodes, workers: 9, prefix: "p");
        await load.UntilAcknowledgedAsync(60, TimeSpan.FromMinutes(2));

        // Cut node 2 (the highest address) off from nodes 0 and 1, both ways, on both sides.
        var cutAt = load.Clock.Elapsed;
        await Fault(cutOff, "blackhole", address[0]);
        await Fault(cutOff, "blackhole", address[1]);
        await Fault(cluster.Nodes[0], "blackhole", address[2]);
        await Fault(cluster.Nodes[1], "blackhole", address[2]);

        // The majority downs node 2 and goes on with two members; posting goes on for 10 s more.
        await Poll.UntilAsync(async () => Assert.Equal(2, (await FailoverTests.Members(cluster.Nodes[0])).Count), TimeSpan.FromMinutes(1));
        var removedAt = load.Clock.Elapsed;
        while (load.Clock.Elapsed < removedAt + TimeSpan.FromSeconds(10)) await Task.Delay(100);
        await load.StopAsync();

        var attempts = load.Attempts.ToArray();
        var fromCutOff = attempts.Where(a => a.Node == 2 && a.SentAt >= cutAt).ToArray();
        var toMajority = attempts.Where(a => a.Node < 2 && a.SentAt >= cutAt).ToArray();
        var late = toMajority.Where(a => a.SentAt >= removedAt + TimeSpan.FromSeconds(2)).ToArray();
        static string Outcomes(IEnumerable<PostingLoad.Attempt> some) =>
            string.Join(", ", some.GroupBy(a => $"{a.Status} {a.ProblemType}".Trim()).Select(g => $"{g.Count()}× {g.Key}"));
        var summary = $"{load.Acknowledged.Count} acknowledged; the majority removed the cut-off node {(removedAt - cutAt).TotalSeconds:0.0} s after the cut; " +
                      $"posts to the cut-off node after the cut: {Outcomes(fromCutOff)}; to the majority: {Outcomes(toMajority)}" +
                      (toMajority.Any(a => a.Status != 202) ? $", the last not answered 202 sent {(toMajority.Where(a => a.Status != 202).Max(a => a.SentAt) - removedAt).TotalSeconds:+0.0;-0.0} s from the removal" : "");
        output.WriteLine(summary);
        Console.WriteLine("[partition test] " + summary);

        // The cut-off node refused posts it could not see through, said whether it had taken them, and when to retry.
        Assert.Contains(fromCutOff, a => a.Status == 503 && a.ProblemType == ProblemTypes.PostNotTaken);
        Assert.All(attempts.Where(a => a.Status == 503), a =>
        {
            Assert.Contains(a.ProblemType, new[] { ProblemTypes.PostNotTaken, ProblemTypes.PostOutcomeUnknown });
            Assert.True(a.RetryAfter, $"a 503 without Retry-After: {a}");
        });
        Assert.DoesNotContain(attempts, a => a.Status is not (202 or 503 or 0));
        // The majority kept taking posts, and from 2 s after the removal on it answered every one.
        Assert.Contains(toMajority, a => a.Status == 202);
        Assert.NotEmpty(late);
        Assert.All(late, a => Assert.True(a.Status == 202, $"post of {a.JobId} to node {a.Node}, sent {(a.SentAt - removedAt).TotalSeconds:0.0} s after the removal: {a.Status} {a.ProblemType}; {summary}"));

        // Every acknowledged job ends, wherever it was accepted (the cut-off node's jobs resume on the majority).
        var jobs = await OrchestratorClient.AwaitAllTerminalAsync([cluster.Nodes[0].Http, cluster.Nodes[1].Http], load.Acknowledged.Keys, TimeSpan.FromMinutes(3));
        Assert.All(jobs, j => Assert.Contains(j.State(), new[] { "Contracted", "Failed" }));

        // Healed: traffic flows again, and the cut-off node (which downed itself) is restarted and rejoins.
        await Fault(cluster.Nodes[0], "restore", address[2]);
        await Fault(cluster.Nodes[1], "restore", address[2]);
        await cutOff.KillAsync();
        cluster.Nodes[2] = await cutOff.RestartAsync();
        await cutOff.DisposeAsync();
        await Poll.UntilAsync(async () => Assert.Equal(["Up", "Up", "Up"], await FailoverTests.Members(cluster.Nodes[0])), TimeSpan.FromMinutes(1));

        // No job has two contracts, no provider is over-committed, every provider holds exactly its jobs' contracts.
        await ClusterInvariants.AssertProvidersSettledAsync(cluster.Nodes[0].Http, 6, jobs);
    }

    [Fact]
    public async Task Without_the_throttling_adapter_fault_injection_is_refused_and_bad_addresses_are_named()
    {
        using var setup = NodeSetup.Create();
        await using var node = await NodeProcess.StartAsync(setup);

        using var refused = await node.Http.PostAsJsonAsync("/ops/faults/blackhole", new { address = "akka.tcp://orchestrator@127.0.0.1:4053" });
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Contains("applied-adapters = [trttl]", await refused.Content.ReadAsStringAsync());

        using var bad = await node.Http.PostAsJsonAsync("/ops/faults/blackhole", new { address = "not an address" });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("\"address\"", await bad.Content.ReadAsStringAsync());

        using var missing = await node.Http.PostAsJsonAsync("/ops/faults/restore", new { });
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
    }

    private static async Task Fault(NodeProcess node, string command, string address)
    {
        using var response = await node.Http.PostAsJsonAsync($"/ops/faults/{command}", new { address });
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{command} {address}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

}
