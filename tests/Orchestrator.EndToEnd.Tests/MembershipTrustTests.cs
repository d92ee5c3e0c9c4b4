using Orchestrator.EndToEnd.Tests.Infrastructure;

namespace Orchestrator.EndToEnd.Tests;

/// <summary>
/// The shipped default configuration (no authority, no approved list) on a cluster: membership is the trust boundary,
/// so every node's jobs contract with every node's providers.
/// </summary>
public sealed class MembershipTrustTests
{
    private const string Job = """{"jobId":"@ID@","requirements":{"resources":{"cpuCores":1,"ramMb":256,"diskGb":1}}}""";

    [Fact]
    public async Task With_the_default_configuration_jobs_posted_to_node_1_all_contract_on_the_providers_only_node_3_hosts()
    {
        const string providers = """
            [{"id":"cp-n3-a","resources":{"cpuCores":512,"ramMb":1048576,"diskGb":10000},"executors":["docker"],"pricePerHour":1.0},
             {"id":"cp-n3-b","resources":{"cpuCores":512,"ramMb":1048576,"diskGb":10000},"executors":["docker"],"pricePerHour":1.5}]
            """;
        // Nodes 1 and 2 host jobs only; node 3 hosts jobs and the only providers. No HOCON of the test's own.
        await using var cluster = await ClusterOfNodes.StartAsync(3, node => node == 2 ? providers : null, prepare: (node, setup) =>
        {
            if (node < 2) setup.ExtraArguments.AddRange(["--roles", "jobs"]);
            return Task.CompletedTask;
        });

        var ids = new List<string>();
        for (var i = 0; i < 24; i++)
            ids.Add(await cluster.Nodes[0].Http.PostJobOkAsync(Job.Replace("@ID@", $"trust-{i:D2}")));

        var hosts = new HashSet<string>();
        foreach (var id in ids)
        {
            var job = await cluster.Nodes[0].Http.AwaitTerminalAsync(id, TimeSpan.FromMinutes(2));
            Assert.True(job.State() == "Contracted", $"{id}: {job.ToJsonString()}");
            Assert.StartsWith("cp-n3-", job["contract"]!["providerId"]!.GetValue<string>());
            hosts.Add(job["hostedBy"]!.GetValue<string>());
        }

        // Jobs hosted on nodes 1 and 2 crossed the cluster to node 3's providers (sharding spread them).
        Assert.True(hosts.Count >= 2, $"all jobs were hosted on {string.Join(", ", hosts)}");
    }
}
