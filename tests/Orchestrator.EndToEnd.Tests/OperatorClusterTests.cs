using System.Text.Json.Nodes;
using Orchestrator.EndToEnd.Tests.Infrastructure;

namespace Orchestrator.EndToEnd.Tests;

/// <summary>The operator's cluster and sharding commands (the real CLI) against a real three-node cluster.</summary>
// It kills a member and waits for the survivors to see it: not beside another cluster on the same two cores (see FaultTiming).
[Collection(FaultTiming.Name)]
public sealed class OperatorClusterTests
{
    private static string Providers(int node) =>
        $$"""[{"id":"cp-n{{node}}","resources":{"cpuCores":8,"ramMb":8192,"diskGb":100},"executors":["docker"]}]""";

    [Fact]
    public async Task Cluster_show_region_stats_and_locate_tell_the_truth_and_down_unreachable_removes_a_killed_node()
    {
        await using var cluster = await ClusterOfNodes.StartAsync(3, Providers, "orchestrator.jobDeadline = 5m");
        var first = cluster.Nodes[0];

        var shown = await Cli.OperateAsync(first, "cluster", "show");
        Assert.True(shown.ExitCode == 0, shown.Errors);
        Assert.Contains("3 member(s), 3 Up, 0 unreachable", shown.Output);
        var members = await Members(first);
        Assert.Equal(3, members.Count);
        Assert.All(members, m => Assert.Equal("Up", m!["status"]!.GetValue<string>()));
        var leaderAddress = Assert.Single(members, m => m!["isLeader"]!.GetValue<bool>())!["address"]!.GetValue<string>();

        // Every member names the same leader; the leader knows it is the one.
        foreach (var node in cluster.Nodes)
        {
            var leader = await Json(node, "cluster", "leader");
            Assert.Equal(leaderAddress, leader["leader"]!.GetValue<string>());
            Assert.Equal(leader["self"]!.GetValue<string>() == leaderAddress, leader["isSelf"]!.GetValue<bool>());
            var human = await Cli.OperateAsync(node, "cluster", "leader");
            Assert.Equal(0, human.ExitCode);
            Assert.StartsWith(leaderAddress, human.Output.Trim());
        }

        Assert.Single(cluster.Nodes, n => Json(n, "cluster", "leader").GetAwaiter().GetResult()["isSelf"]!.GetValue<bool>());

        // Jobs no provider can take stay in flight (searching again until their deadline): one entity each.
        var jobs = new List<string>();
        for (var i = 0; i < 6; i++)
            jobs.Add(await cluster.Nodes[i % 3].Http.PostJobOkAsync("""{"requirements":{"resources":{"cpuCores":64,"ramMb":1024,"diskGb":1}}}"""));
        await Poll.UntilAsync(async () =>
        {
            var stats = await Json(first, "sharding", "region-stats", "-r", "job");
            // Petabridge.Cmd's spelling says the same.
            Assert.Equal(stats["totalEntities"]!.GetValue<int>(), (await Json(first, "cluster", "sharding", "region-stats", "-r", "job"))["totalEntities"]!.GetValue<int>());
            Assert.Equal(jobs.Count, stats["totalEntities"]!.GetValue<int>());
            Assert.Equal(jobs.Count, stats["nodes"]!.AsArray().Sum(n => n!["entities"]!.GetValue<int>()));
            Assert.Single(stats["nodes"]!.AsArray(), n => n!["hostsCoordinator"]!.GetValue<bool>());
        }, TimeSpan.FromSeconds(30));

        foreach (var id in jobs.Take(3))
        {
            var located = await Json(first, "sharding", "locate", id);
            Assert.Equal((await first.Http.GetJobAsync(id))["hostedBy"]!.GetValue<string>(), located["node"]!.GetValue<string>());
        }

        var victim = members.Select(m => m!["address"]!.GetValue<string>()).Single(a => a.EndsWith(":" + cluster.RemotePorts[2]));
        // `cluster tail` follows it live: the three members first, then what happens to the one killed.
        using var tail = Cli.Start(first, "cluster", "tail", "--json");
        using var humanTail = Cli.Start(first, "cluster", "tail");
        await Poll.UntilAsync(() => Task.Run(() => Assert.Equal(3, TailEvents(tail).Count(e => e.Event == "MemberUp"))), TimeSpan.FromSeconds(30));
        await cluster.Nodes[2].KillAsync();
        // The others notice it is gone (unreachable), then it is downed: by this command, or by the split-brain
        // resolver if it got there first. Either way the cluster is two.
        await Poll.UntilAsync(async () => Assert.Contains(await Members(first), m =>
            m!["address"]!.GetValue<string>() == victim && (!m["reachable"]!.GetValue<bool>() || m["status"]!.GetValue<string>() == "Down")), TimeSpan.FromSeconds(60));
        var downed = await Cli.OperateAsync(first, "cluster", "down-unreachable");
        Assert.True(downed.ExitCode == 0, downed.Errors);
        await Poll.UntilAsync(async () =>
        {
            var left = await Members(first);
            Assert.Equal(2, left.Count);
            Assert.DoesNotContain(left, m => m!["address"]!.GetValue<string>() == victim);
        }, TimeSpan.FromSeconds(60));
        Assert.Contains("2 member(s), 2 Up", (await Cli.OperateAsync(first, "cluster", "show")).Output);
        await Poll.UntilAsync(() => Task.Run(() =>
        {
            var seen = TailEvents(tail).Where(e => e.Address == victim).Select(e => e.Event).ToArray();
            Assert.Contains("UnreachableMember", seen);
            Assert.Contains("MemberRemoved", seen);
            Assert.True(Array.IndexOf(seen, "UnreachableMember") < Array.IndexOf(seen, "MemberRemoved"), string.Join(", ", seen));
            Assert.Contains("UnreachableMember", humanTail.Output);
            Assert.Contains(victim, humanTail.Output);
        }), TimeSpan.FromSeconds(30));

        // A graceful leave: the member hands its shards over and is gone from the cluster.
        var second = members.Select(m => m!["address"]!.GetValue<string>()).Single(a => a.EndsWith(":" + cluster.RemotePorts[1]));
        var leave = await Cli.OperateAsync(first, "cluster", "leave", second);
        Assert.True(leave.ExitCode == 0, leave.Errors);
        await Poll.UntilAsync(async () => Assert.Single(await Members(first)), TimeSpan.FromSeconds(60));
        Assert.Equal(1, (await Cli.OperateAsync(first, "cluster", "leave", "akka.tcp://orchestrator@127.0.0.1:1")).ExitCode);
    }

    private static (string Event, string? Address)[] TailEvents(RunningCommand tail) =>
        tail.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(l => JsonNode.Parse(l)!).Select(e => (e["event"]!.GetValue<string>(), e["address"]?.GetValue<string>())).ToArray();

    private static async Task<JsonArray> Members(NodeProcess node) => (await Json(node, "cluster", "show"))["members"]!.AsArray();

    private static async Task<JsonObject> Json(NodeProcess node, params string[] command)
    {
        var run = await Cli.OperateAsync(node, [.. command, "--json"]);
        Assert.True(run.ExitCode == 0, $"{string.Join(' ', command)}: exit {run.ExitCode}: {run.Errors}");
        return JsonNode.Parse(run.Output)!.AsObject();
    }
}
