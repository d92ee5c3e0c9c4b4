using System.Net;
using System.Text.Json.Nodes;
using Orchestrator.Api;
using Orchestrator.EndToEnd.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Orchestrator.EndToEnd.Tests;

/// <summary>
/// SIGKILL of one node of three while clients post without pause, at several points: just after the first burst
/// of new shard homes (coordinator writes in flight), mid-stream, and the oldest member (the shard coordinator and
/// the seed). The promise: the last job in flight at the kill is terminal within 15 s of it, and from 2 s after the
/// dead member's removal on, every post to a survivor is answered with 202.
/// </summary>
[Collection(FaultTiming.Name)]
public class FailoverTests(ITestOutputHelper output)
{
    /// <summary>How long the promise gives the last job in flight at a kill to reach its end.</summary>
    private static readonly TimeSpan InFlightBound = TimeSpan.FromSeconds(15);

    /// <summary>How soon after the dead member's removal every post to a survivor is answered.</summary>
    private static readonly TimeSpan PlacedAfterRemoval = TimeSpan.FromSeconds(2);

    [Theory]
    [InlineData("burst", 2)]
    [InlineData("mid-stream", 2)]
    [InlineData("mid-stream", 0)]
    public async Task After_a_SIGKILL_the_survivors_place_new_jobs_within_2_s_of_the_removal_and_the_jobs_in_flight_end_within_15_s(string when, int victimIndex)
    {
        await using var cluster = await ClusterOfNodes.StartAsync(3, ClusterTests.ProvidersOf, "orchestrator { lockLease = 5s, contractConfirmAfter = 2s }");
        var victim = cluster.Nodes[victimIndex];
        var survivors = cluster.Nodes.Where(n => n != victim).ToArray();
        // The reader below must see the victim's providers go missing: it lists them before the load begins (no job has
        // been posted yet, so no shard has a home: the burst still asks for its first ones).
        var all = Enumerable.Range(0, 3).SelectMany(n => new[] { $"cp-n{n}-a", $"cp-n{n}-b" }).ToHashSet();
        await Poll.UntilAsync(async () => Assert.Subset((await survivors[0].Http.GetProvidersAsync()).Select(p => p!["capability"]!["id"]!.GetValue<string>()).ToHashSet(), all),
            TimeSpan.FromSeconds(60));
        await using var load = PostingLoad.Start(cluster.Nodes, workers: 12, prefix: $"f-{when}-{victimIndex}");

        // A burst: the cluster has just formed, no shard has a home yet, and a dozen posts ask for new ones at once.
        await load.UntilAcknowledgedAsync(when == "burst" ? 4 : 150, TimeSpan.FromMinutes(2));
        var inFlight = load.Acknowledged.Keys.ToHashSet();
        await victim.KillAsync();
        var killedAt = load.Clock.Elapsed;
        var killedAtUtc = DateTimeOffset.UtcNow;
        load.Skipped[victimIndex] = true;
        using var stopReading = new CancellationTokenSource();
        var reads = ClusterTests.ReadProvidersUntil(survivors[0].Http, stopReading.Token);

        await Poll.UntilAsync(async () => Assert.Equal(2, (await Members(survivors[0])).Count), TimeSpan.FromMinutes(1));
        var removedAt = load.Clock.Elapsed;
        // Posting goes on for 10 s after the removal, then every acknowledged job must end.
        while (load.Clock.Elapsed < removedAt + TimeSpan.FromSeconds(10)) await Task.Delay(100);
        await load.StopAsync();

        var jobs = await OrchestratorClient.AwaitAllTerminalAsync(survivors.Select(n => n.Http).ToArray(), load.Acknowledged.Keys, TimeSpan.FromMinutes(3));
        await stopReading.CancelAsync();
        var (statuses, partial) = await reads;

        var lastInFlight = LastToEnd(jobs, inFlight) - killedAtUtc;
        var attempts = load.Attempts.ToArray();
        var late = attempts.Where(a => a.Node != victimIndex && a.SentAt >= removedAt + PlacedAfterRemoval).ToArray();
        var unanswered = attempts.Where(a => a.Node != victimIndex && a.Status != 202 && a.SentAt >= killedAt).ToArray();
        var summary = $"{when}, node {victimIndex} killed after {inFlight.Count} acknowledged: removed {(removedAt - killedAt).TotalSeconds:0.0} s after the kill; " +
                      $"last job in flight terminal {lastInFlight.TotalSeconds:0.0} s after it; {load.Acknowledged.Count} acknowledged in all; " +
                      $"posts to survivors after the kill not answered 202: {unanswered.Length}" +
                      (unanswered.Length == 0 ? "" : $" (the last sent {(unanswered.Max(a => a.SentAt) - removedAt).TotalSeconds:+0.0;-0.0} s from the removal; " +
                          string.Join(", ", unanswered.GroupBy(a => $"{a.Status} {a.ProblemType}").Select(g => $"{g.Count()}× {g.Key.Trim()}")) + ")");
        output.WriteLine(summary);
        Console.WriteLine("[failover test] " + summary);

        Assert.All(jobs, j => Assert.Contains(j.State(), new[] { "Contracted", "Failed" }));
        Assert.True(lastInFlight <= InFlightBound, summary);
        Assert.NotEmpty(late);
        Assert.All(late, a => Assert.True(a.Status == 202, $"post of {a.JobId} to node {a.Node}, sent {(a.SentAt - removedAt).TotalSeconds:0.0} s after the removal: {a.Status} {a.ProblemType}; {summary}"));
        // Whatever a survivor refused said whether the job was taken.
        Assert.All(attempts.Where(a => a.Status == 503), a => Assert.Contains(a.ProblemType, new[] { ProblemTypes.PostNotTaken, ProblemTypes.PostOutcomeUnknown }));
        // Reading the providers on a survivor never failed: while the victim was unreachable, it named the victim and
        // the providers it could not show.
        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.OK, s));
        Assert.Contains(partial, p => p.Members == $"akka.tcp://orchestrator@127.0.0.1:{cluster.RemotePorts[victimIndex]}" &&
                                      p.NotShown == $"cp-n{victimIndex}-a, cp-n{victimIndex}-b");

        // The victim comes back (the oldest, the seed, joins through another member); its providers recover their
        // ledgers and reconcile with the jobs: no job has two contracts, no provider is over-committed.
        await BringBackAsync(cluster, victimIndex);
        await ClusterInvariants.AssertProvidersSettledAsync(survivors[0].Http, 6, jobs);
    }

    /// <summary>
    /// Two members hosting jobs, on PostgreSQL: whichever crashes, the other keeps the cluster (the split-brain
    /// resolver's even split goes to the side that takes the lease in the shared database; keep-majority would keep
    /// the lowest address, and a crash of that member would down the survivor too) and fails over within the same
    /// bounds as three.
    /// </summary>
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public async Task Of_two_members_the_survivor_keeps_the_cluster_whichever_crashes(int victimIndex)
    {
        await using var cluster = await ClusterOfNodes.StartAsync(2, ClusterTests.ProvidersOf, "orchestrator { lockLease = 5s, contractConfirmAfter = 2s }");
        var victim = cluster.Nodes[victimIndex];
        var survivor = cluster.Nodes[1 - victimIndex];
        await using var load = PostingLoad.Start(cluster.Nodes, workers: 8, prefix: $"two-{victimIndex}");
        await load.UntilAcknowledgedAsync(100, TimeSpan.FromMinutes(2));
        var inFlight = load.Acknowledged.Keys.ToHashSet();
        await victim.KillAsync();
        var killedAt = load.Clock.Elapsed;
        var killedAtUtc = DateTimeOffset.UtcNow;
        load.Skipped[victimIndex] = true;

        await Poll.UntilAsync(async () => Assert.Equal(["Up"], await Members(survivor)), TimeSpan.FromMinutes(1));
        var removedAt = load.Clock.Elapsed;
        while (load.Clock.Elapsed < removedAt + TimeSpan.FromSeconds(10)) await Task.Delay(100);
        await load.StopAsync();

        var jobs = await OrchestratorClient.AwaitAllTerminalAsync([survivor.Http], load.Acknowledged.Keys, TimeSpan.FromMinutes(3));
        var lastInFlight = LastToEnd(jobs, inFlight) - killedAtUtc;
        var late = load.Attempts.Where(a => a.Node != victimIndex && a.SentAt >= removedAt + PlacedAfterRemoval).ToArray();
        var summary = $"two members, node {victimIndex} ({(victimIndex == 0 ? "lower" : "higher")} address) killed: survivor alone {(removedAt - killedAt).TotalSeconds:0.0} s after the kill; " +
                      $"last job in flight terminal {lastInFlight.TotalSeconds:0.0} s after it; {late.Count(a => a.Status == 202)} of {late.Length} posts from 2 s after the removal on answered 202";
        output.WriteLine(summary);
        Console.WriteLine("[failover test] " + summary);
        Assert.Contains("lease", survivor.Output);

        Assert.False(survivor.HasExited, "the survivor downed itself");
        Assert.All(jobs, j => Assert.Contains(j.State(), new[] { "Contracted", "Failed" }));
        Assert.True(lastInFlight <= InFlightBound, summary);
        Assert.NotEmpty(late);
        Assert.All(late, a => Assert.True(a.Status == 202, $"post of {a.JobId}, sent {(a.SentAt - removedAt).TotalSeconds:0.0} s after the removal: {a.Status} {a.ProblemType}; {summary}"));

        var back = System.Diagnostics.Stopwatch.StartNew();
        await BringBackAsync(cluster, victimIndex);
        var restarted = back.Elapsed;
        await ClusterInvariants.AssertProvidersSettledAsync(survivor.Http, 4, jobs);
        Console.WriteLine($"[failover test] two members, node {victimIndex} back and ready in {restarted.TotalSeconds:0.0} s, providers settled {(back.Elapsed - restarted).TotalSeconds:0.0} s later");
    }

    /// <summary>When the last of the jobs in <paramref name="ids"/> reached its end, by its own history.</summary>
    private static DateTimeOffset LastToEnd(IEnumerable<JsonObject> jobs, IReadOnlySet<string> ids) =>
        jobs.Where(j => ids.Contains(j["jobId"]!.GetValue<string>()))
            .Max(j => DateTimeOffset.Parse(j["history"]!.AsArray()[^1]!["at"]!.GetValue<string>()));

    /// <summary>Restarts a killed node on its data; the first, the seed, joins through the second instead of forming a cluster of its own.</summary>
    private static async Task BringBackAsync(ClusterOfNodes cluster, int index)
    {
        var killed = cluster.Nodes[index];
        if (index == 0) killed.Setup.ReplaceArgument("--seeds", $"akka.tcp://orchestrator@127.0.0.1:{cluster.RemotePorts[1]}");
        cluster.Nodes[index] = await killed.RestartAsync();
        await killed.DisposeAsync();
    }

    internal static async Task<List<string>> Members(NodeProcess node)
    {
        var view = JsonNode.Parse(await node.Http.GetStringAsync("/ops/cluster"))!;
        return view["members"]!.AsArray().Select(m => m!["status"]!.GetValue<string>()).ToList();
    }
}
