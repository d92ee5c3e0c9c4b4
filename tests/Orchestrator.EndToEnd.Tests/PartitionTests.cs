using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Orchestrator.EndToEnd.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Orchestrator.EndToEnd.Tests;

/// <summary>
/// A network partition, made inside the nodes (Akka.Remote's throttling adapter, both directions; no traffic leaves
/// loopback): one node of three is cut off from the other two while jobs are posted to all three.
/// </summary>
public class PartitionTests(ITestOutputHelper output)
{
    private static string ProvidersOf(int node) => ClusterTests.ProvidersOf(node);

    private const string Job = ClusterTests.Job;

    private enum Outcome { Accepted, Refused, RefusedWithoutRetryAfter, Unreachable, Other }

    [Fact]
    public async Task The_majority_keeps_the_cluster_the_cut_off_node_refuses_posts_its_jobs_resume_and_it_rejoins_when_healed()
    {
        await using var cluster = await ClusterOfNodes.StartAsync(3, ProvidersOf,
            "akka.remote.dot-netty.tcp.applied-adapters = [trttl]\norchestrator { lockLease = 5s, contractConfirmAfter = 2s }", protocol: "akka.trttl.tcp");
        var address = cluster.RemotePorts.Select(p => $"akka.trttl.tcp://orchestrator@127.0.0.1:{p}").ToArray();
        var cutOff = cluster.Nodes[2];

        var acknowledged = new ConcurrentBag<string>();
        var outcomes = new ConcurrentBag<(int Node, Outcome Outcome, bool AfterCut)>();
        var partitioned = false;
        var next = 0;
        using var stop = new CancellationTokenSource();
        var load = Enumerable.Range(0, 9).Select(worker => Task.Run(async () =>
        {
            var nodeIndex = worker % 3;
            while (!stop.IsCancellationRequested)
            {
                var id = $"p-{Interlocked.Increment(ref next):D5}";
                var afterCut = Volatile.Read(ref partitioned);
                var outcome = Outcome.Other;
                try
                {
                    using var response = await cluster.Nodes[nodeIndex].Http.PostJobAsync(Job.Replace("@ID@", id));
                    outcome = response.StatusCode switch
                    {
                        HttpStatusCode.Accepted => Outcome.Accepted,
                        HttpStatusCode.ServiceUnavailable when response.Headers.RetryAfter is not null => Outcome.Refused,
                        HttpStatusCode.ServiceUnavailable => Outcome.RefusedWithoutRetryAfter,
                        _ => Outcome.Other,
                    };
                    if (outcome == Outcome.Accepted) acknowledged.Add(id);
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    outcome = Outcome.Unreachable;
                }

                outcomes.Add((nodeIndex, outcome, afterCut));
                if (outcome != Outcome.Accepted) await Task.Delay(100);
            }
        })).ToArray();

        while (acknowledged.Count < 60) await Task.Delay(20);

        // Cut node 2 (the highest address) off from nodes 0 and 1, both ways, on both sides.
        var clock = Stopwatch.StartNew();
        await Fault(cutOff, "blackhole", address[0]);
        await Fault(cutOff, "blackhole", address[1]);
        await Fault(cluster.Nodes[0], "blackhole", address[2]);
        await Fault(cluster.Nodes[1], "blackhole", address[2]);
        Volatile.Write(ref partitioned, true);

        // The majority downs node 2 and goes on with two members.
        await Poll.UntilAsync(async () => Assert.Equal(2, (await Members(cluster.Nodes[0])).Count), TimeSpan.FromMinutes(1));
        var removedAfter = clock.Elapsed;
        // Posting goes on a little on the majority, then stops.
        var settled = acknowledged.Count;
        while (acknowledged.Count < settled + 30) await Task.Delay(20);
        await stop.CancelAsync();
        await Task.WhenAll(load);

        var fromCutOff = outcomes.Where(o => o.Node == 2 && o.AfterCut).GroupBy(o => o.Outcome).ToDictionary(g => g.Key, g => g.Count());
        var summary = $"{acknowledged.Count} acknowledged; the majority removed the cut-off node {removedAfter.TotalSeconds:0.0} s after the cut; " +
                      "posts to the cut-off node after the cut: " + string.Join(", ", fromCutOff.Select(kv => $"{kv.Key} {kv.Value}"));
        output.WriteLine(summary);
        Console.WriteLine("[partition test] " + summary);

        // The cut-off node refused posts it could not see through, and said when to retry; nothing else went wrong.
        Assert.True(fromCutOff.GetValueOrDefault(Outcome.Refused) > 0, summary);
        Assert.DoesNotContain(outcomes, o => o.Outcome is Outcome.Other or Outcome.RefusedWithoutRetryAfter);
        // The majority kept taking posts throughout.
        Assert.Contains(outcomes, o => o.Node < 2 && o.AfterCut && o.Outcome == Outcome.Accepted);

        // Every acknowledged job ends, wherever it was accepted (the cut-off node's jobs resume on the majority).
        var jobs = new List<JsonObject>();
        foreach (var id in acknowledged) jobs.Add(await cluster.Nodes[jobs.Count % 2].Http.AwaitTerminalAsync(id, TimeSpan.FromMinutes(3)));
        Assert.All(jobs, j => Assert.Contains(j.State(), new[] { "Contracted", "Failed" }));

        // Healed: traffic flows again, and the cut-off node (which downed itself) is restarted and rejoins.
        await Fault(cluster.Nodes[0], "restore", address[2]);
        await Fault(cluster.Nodes[1], "restore", address[2]);
        await cutOff.KillAsync();
        cluster.Nodes[2] = await cutOff.RestartAsync();
        await cutOff.DisposeAsync();
        await Poll.UntilAsync(async () => Assert.Equal(["Up", "Up", "Up"], await Members(cluster.Nodes[0])), TimeSpan.FromMinutes(1));

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

    private static async Task<List<string>> Members(NodeProcess node)
    {
        var view = JsonNode.Parse(await node.Http.GetStringAsync("/ops/cluster"))!;
        return view["members"]!.AsArray().Select(m => m!["status"]!.GetValue<string>()).ToList();
    }
}
