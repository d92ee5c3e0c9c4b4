using Orchestrator.EndToEnd.Tests.Infrastructure;

namespace Orchestrator.EndToEnd.Tests;

/// <summary>
/// Two nodes, each with its own key and its own credential from one authority: signed bids and contracts cross
/// the cluster (credentials and proofs serialised between nodes) and every contract verifies offline.
/// </summary>
public sealed class SignedClusterTests : IDisposable
{
    private readonly string _authority = Directory.CreateTempSubdirectory("authority-").FullName;

    [Fact]
    public async Task Jobs_contract_across_nodes_with_each_party_signing_with_its_own_node_key()
    {
        Assert.Equal(0, (await Cli.RunAsync(_authority, "authority", "init", "--dir", "auth")).ExitCode);
        // Only node 1's provider fits the jobs, so a job hosted on node 0 is signed for by node 0 and by node 1.
        await using var cluster = await ClusterOfNodes.StartAsync(2, node => node == 0
                ? """[{"id":"cp-tiny","resources":{"cpuCores":1,"ramMb":512,"diskGb":1},"executors":["docker"]}]"""
                : """[{"id":"cp-big","resources":{"cpuCores":64,"ramMb":262144,"diskGb":4000},"executors":["docker"]}]""",
            hocon: "", prepare: (node, setup) => ApproveAsync(setup, $"node-{node}", node == 0 ? "cp-tiny" : "cp-big"));

        var ids = new List<string>();
        for (var i = 0; i < 6; i++)
            ids.Add(await cluster.Nodes[i % 2].Http.PostJobOkAsync("""{"requirements":{"resources":{"cpuCores":2,"ramMb":2048,"diskGb":10}}}"""));
        var requesters = new HashSet<string>();
        foreach (var id in ids)
        {
            var job = await cluster.Nodes[0].Http.AwaitTerminalAsync(id, TimeSpan.FromMinutes(1));
            Assert.True(job.State() == "Contracted", job.ToJsonString());
            var requester = job["contract"]!["requesterNodeId"]!.GetValue<string>();
            requesters.Add(requester);
            var signatures = job["signatures"]!;
            Assert.Equal(requester, signatures["requester"]!["credential"]!["ids"]!.AsArray().Select(n => n!.GetValue<string>()).Single(n => n.StartsWith("node-")));
            Assert.Contains("cp-big", signatures["provider"]!["credential"]!["ids"]!.AsArray().Select(n => n!.GetValue<string>()));

            var saved = Path.Combine(_authority, id + ".json");
            await File.WriteAllTextAsync(saved, job.ToJsonString());
            var verified = await Cli.RunAsync(_authority, "contract", "verify", saved, "--authority", "auth/authority.pub");
            Assert.True(verified.ExitCode == 0, verified.Output + verified.Errors);
        }

        // Jobs are spread over both nodes' shards: some were hosted on node 0, so their bids and contracts crossed.
        Assert.Contains("node-0", requesters);
    }

    /// <summary>The node's key (created as an operator would, before its first start) approved for its id and its provider.</summary>
    private async Task ApproveAsync(NodeSetup setup, string nodeId, string providerId)
    {
        var identity = await Cli.RunAsync(_authority, "identity", "show", "--data", Path.Combine(setup.DataDirectory, "data"));
        var publicKey = identity.Output[identity.Output.IndexOf("-----BEGIN", StringComparison.Ordinal)..];
        var credential = Path.Combine(_authority, nodeId + ".credential.json");
        var approve = await Cli.RunAsync(_authority, "authority", "approve", "--dir", "auth", "--node-key", publicKey,
            "--roles", "service-provider,compute-provider", "--ids", $"{nodeId},{providerId}", "--expires", "1d", "--out", credential);
        Assert.Equal(0, approve.ExitCode);
        await File.AppendAllTextAsync(setup.ConfigFile!, $$"""
            orchestrator.trust {
              authorities = ["{{_authority}}/auth/authority.pub"]
              credential = "{{credential}}"
              revocations = ["{{_authority}}/auth/revoked.json"]
            }
            """);
    }

    public void Dispose() => Directory.Delete(_authority, recursive: true);
}
