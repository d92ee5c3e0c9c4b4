using System.Text.Json.Nodes;
using Orchestrator.EndToEnd.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Orchestrator.EndToEnd.Tests;

/// <summary>
/// Cluster formation without seed addresses (Akka.Discovery), as the Kubernetes manifests run it — here with config
/// discovery, the same formation with a fixed list of contact points.
/// </summary>
public sealed class DiscoveryTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Two_nodes_with_no_seeds_find_each_other_form_one_cluster_and_contract_across_it()
    {
        await using var database = await PostgresDatabase.CreateAsync();
        var remoting = new[] { NodeProcess.FreePort(), NodeProcess.FreePort() };
        var contactPoints = string.Join(",", remoting.Select(p => $"127.0.0.1:{p}"));
        using var first = NodeSetup.Create(null, nodeId: "disc-0");
        using var second = NodeSetup.Create("""[{"id":"cp-disc","resources":{"cpuCores":16,"ramMb":32768,"diskGb":100},"executors":["docker"]}]""",
            nodeId: "disc-1");
        first.ExtraArguments.AddRange(["--roles", "jobs"]);
        var setups = new[] { first, second };
        for (var i = 0; i < 2; i++)
            setups[i].ExtraArguments.AddRange(["--remote-port", remoting[i].ToString(), "--postgres", database.ConnectionString,
                "--discovery", "config", "--contact-points", contactPoints, "--required-contact-points", "2"]);

        var started = await Task.WhenAll(setups.Select(s => NodeProcess.StartAsync(s, TimeSpan.FromSeconds(90))));
        await using var a = started[0];
        await using var b = started[1];
        try
        {
            var members = JsonNode.Parse(await a.Http.GetStringAsync("/ops/cluster"))!["members"]!.AsArray();
            Assert.Equal(2, members.Count(m => m!["status"]!.GetValue<string>() == "Up"));

            var id = await a.Http.PostJobOkAsync("""{"requirements":{"resources":{"cpuCores":2,"ramMb":2048,"diskGb":10}}}""");
            var job = await a.Http.AwaitTerminalAsync(id, TimeSpan.FromMinutes(1));
            Assert.True(job.State() == "Contracted", job.ToJsonString());
            Assert.Equal("cp-disc", job["contract"]!["providerId"]!.GetValue<string>());
        }
        catch
        {
            output.WriteLine("first:\n" + a.Output + "\nsecond:\n" + b.Output);
            throw;
        }
    }

    [Fact]
    public async Task Discovery_and_seeds_together_are_refused()
    {
        using var setup = NodeSetup.Create(null);
        setup.ExtraArguments.AddRange(["--discovery", "kubernetes", "--seeds", "akka.tcp://orchestrator@127.0.0.1:4053", "--postgres", "Host=127.0.0.1"]);
        await NodeProcess.AssertRefusesToStartAsync(setup, "--discovery", "not both");
    }
}
