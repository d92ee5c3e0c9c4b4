using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using Orchestrator.EndToEnd.Tests.Infrastructure;

namespace Orchestrator.EndToEnd.Tests;

/// <summary>Three node processes, one cluster, one PostgreSQL database: jobs sharded across them, surviving crashes.</summary>
// A crash and a full restart of three nodes: timing under contention is not what it tests (see FaultTiming).
[Collection(FaultTiming.Name)]
public class ClusterTests
{
    /// <summary>Two big providers per node (the first locks with its bid); the partition tests use them too.</summary>
    internal static string ProvidersOf(int node) => $$"""
        [
          {"id":"cp-n{{node}}-a","resources":{"cpuCores":1024,"ramMb":4194304,"diskGb":40000},"executors":["docker"],"pricePerHour":{{1 + node}}.0,"lockOnBid":true},
          {"id":"cp-n{{node}}-b","resources":{"cpuCores":1024,"ramMb":4194304,"diskGb":40000},"executors":["docker"],"pricePerHour":{{1 + node}}.5}
        ]
        """;

    private const string Job = PostingLoad.Job;

    /// <summary>Posts a job to a node, and to the next one if that node is gone: the id makes the retry safe.</summary>
    /// <summary>The 202 body of each post (it names the member the job's actor ran on): said when a later read fails.</summary>
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> Accepted = new();

    private static async Task<bool> PostAsync(IReadOnlyList<NodeProcess> nodes, int first, string id)
    {
        for (var attempt = 0; attempt < nodes.Count * 3; attempt++)
        {
            var node = nodes[(first + attempt) % nodes.Count];
            try
            {
                using var response = await node.Http.PostJobAsync(Job.Replace("@ID@", id));
                if (response.StatusCode == HttpStatusCode.Accepted)
                {
                    Accepted[id] = await response.Content.ReadAsStringAsync();
                    return true;
                }
            }
            catch (HttpRequestException)
            {
                // That node is down: try the next.
            }
            catch (TaskCanceledException)
            {
            }
        }

        return false;
    }

    [Fact]
    public async Task Jobs_posted_to_any_node_are_sharded_across_all_three_and_all_reach_a_terminal_state()
    {
        await using var cluster = await ClusterOfNodes.StartAsync(3, ProvidersOf);
        var ids = Enumerable.Range(0, 300).Select(i => $"c-{i:D4}").ToArray();
        await Parallel.ForEachAsync(ids.Select((id, i) => (id, i)), new ParallelOptions { MaxDegreeOfParallelism = 24 },
            async (job, _) => Assert.True(await PostAsync(cluster.Nodes, job.i % 3, job.id)));

        var hosts = new HashSet<string>();
        foreach (var (id, i) in ids.Select((id, i) => (id, i)))
        {
            var job = await cluster.Nodes[(i + 1) % 3].Http.AwaitTerminalAsync(id, TimeSpan.FromMinutes(2));
            Assert.Equal("Contracted", job.State());
            hosts.Add(job["hostedBy"]!.GetValue<string>());
        }

        Assert.Equal(cluster.RemotePorts.Select(p => $"akka.tcp://orchestrator@127.0.0.1:{p}").Order(), hosts.Order());
        // Every node sees every provider through the replicated directory.
        foreach (var node in cluster.Nodes) Assert.Equal(6, (await node.Http.GetProvidersAsync()).Count);
        // And every node lists every job as contracted, wherever it was posted and whichever member hosted it: the lines
        // reach the other members in batches over pub-sub (only the oldest member reads the journal periodically).
        foreach (var node in cluster.Nodes)
            await Poll.UntilAsync(async () =>
            {
                var page = JsonNode.Parse(await node.Http.GetStringAsync("/orchestrator/jobs?state=Contracted&limit=1000"))!;
                Assert.Equal(ids, page["jobs"]!.AsArray().Select(j => j!["jobId"]!.GetValue<string>()).Order(StringComparer.Ordinal));
            }, TimeSpan.FromSeconds(30));
    }

    /// <summary>GET /orchestrator/providers every 200 ms until cancelled: each status, and each partial answer's headers.</summary>
    internal static async Task<(List<HttpStatusCode> Statuses, List<(string? Members, string? NotShown)> Partial)> ReadProvidersUntil(HttpClient http, CancellationToken stop)
    {
        var statuses = new List<HttpStatusCode>();
        var partial = new List<(string?, string?)>();
        while (!stop.IsCancellationRequested)
        {
            try
            {
                using var response = await http.GetAsync("/orchestrator/providers", stop);
                statuses.Add(response.StatusCode);
                string? Header(string name) => response.Headers.TryGetValues(name, out var v) ? string.Join(", ", v) : null;
                if (Header("Orchestrator-Providers-Not-Shown") is { } notShown) partial.Add((Header("Orchestrator-Unreachable-Members"), notShown));
                await Task.Delay(200, stop);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        return (statuses, partial);
    }

    [Fact]
    public async Task After_a_full_restart_every_job_and_every_ledger_is_as_before()
    {
        await using var cluster = await ClusterOfNodes.StartAsync(3, ProvidersOf);
        var ids = Enumerable.Range(0, 30).Select(i => $"r-{i:D3}").ToArray();
        foreach (var (id, i) in ids.Select((id, i) => (id, i))) Assert.True(await PostAsync(cluster.Nodes, i % 3, id));

        var before = new Dictionary<string, string>();
        foreach (var id in ids)
        {
            try
            {
                before[id] = (await cluster.Nodes[0].Http.AwaitTerminalAsync(id)).Stable();
            }
            catch (Exception e) when (e is not TimeoutException)
            {
                throw new Xunit.Sdk.XunitException($"{e.Message}\nthe post was accepted with {Accepted.GetValueOrDefault(id)}");
            }
        }

        var ledgersBefore = (await cluster.Nodes[0].Http.GetProvidersAsync()).Ledgers();

        await cluster.RestartAllAsync();

        foreach (var id in ids) Assert.Equal(before[id], (await cluster.Nodes[1].Http.GetJobAsync(id)).Stable());
        Assert.Equal(ledgersBefore, (await cluster.Nodes[0].Http.GetProvidersAsync()).Ledgers());
    }
}
