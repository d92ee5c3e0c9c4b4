using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using Orchestrator.EndToEnd.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Orchestrator.EndToEnd.Tests;

/// <summary>Three node processes, one cluster, one PostgreSQL database: jobs sharded across them, surviving crashes.</summary>
public class ClusterTests(ITestOutputHelper output)
{
    /// <summary>Two big providers per node (the first locks with its bid); the partition tests use them too.</summary>
    internal static string ProvidersOf(int node) => $$"""
        [
          {"id":"cp-n{{node}}-a","resources":{"cpuCores":1024,"ramMb":4194304,"diskGb":40000},"executors":["docker"],"pricePerHour":{{1 + node}}.0,"lockOnBid":true},
          {"id":"cp-n{{node}}-b","resources":{"cpuCores":1024,"ramMb":4194304,"diskGb":40000},"executors":["docker"],"pricePerHour":{{1 + node}}.5}
        ]
        """;

    internal const string Job = """{"jobId":"@ID@","requirements":{"resources":{"cpuCores":1,"ramMb":256,"diskGb":1}}}""";

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
    }

    /// <summary>
    /// SIGKILL of one node of three while jobs stream in, at several points of the stream (so the kill lands in
    /// different phases of different jobs), then the node comes back. Every acknowledged job ends; no job contracts
    /// twice; no provider is over-committed; and once the killed node's providers are back, every provider's contracts
    /// are exactly the jobs that name it (a provider that committed for a job that moved on while it was down reverts).
    /// Reading the providers on a survivor never fails meanwhile: it names what it cannot reach.
    /// </summary>
    [Theory]
    [InlineData(90)]
    [InlineData(150)]
    [InlineData(210)]
    public async Task A_node_killed_mid_stream_loses_nothing_and_afterwards_every_provider_holds_exactly_the_contracts_of_the_jobs_naming_it(int killAfter)
    {
        await using var cluster = await ClusterOfNodes.StartAsync(3, ProvidersOf, "orchestrator { lockLease = 5s, contractConfirmAfter = 2s }");
        var ids = Enumerable.Range(0, 300).Select(i => $"k{killAfter}-{i:D4}").ToArray();
        var acknowledged = new ConcurrentBag<string>();
        var victim = cluster.Nodes[2];
        var clock = Stopwatch.StartNew();
        TimeSpan? killedAt = null;
        var seedLogAtKill = 0;
        var killedAtUtc = DateTimeOffset.MinValue;
        HashSet<string> inFlightAtKill = [];
        var survivors = cluster.Nodes.Take(2).ToArray();
        // From the kill on, an operator reads the providers on a survivor: always 200, naming what it cannot reach.
        using var stopReading = new CancellationTokenSource();
        Task<(List<HttpStatusCode> Statuses, List<(string? Members, string? NotShown)> Partial)>? reads = null;

        await Parallel.ForEachAsync(ids.Select((id, i) => (id, i)), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (job, _) =>
        {
            if (await PostAsync(cluster.Nodes, job.i % 3, job.id)) acknowledged.Add(job.id);
            // Kill the node with the highest address (the majority side keeps the lowest).
            if (acknowledged.Count >= killAfter && killedAt is null)
            {
                lock (cluster)
                {
                    if (killedAt is not null) return;
                    killedAt = clock.Elapsed;
                }

                await victim.KillAsync();
                killedAtUtc = DateTimeOffset.UtcNow;
                inFlightAtKill = acknowledged.ToHashSet();
                seedLogAtKill = survivors[0].Output.Length;
                reads = ReadProvidersUntil(survivors[0].Http, stopReading.Token);
            }
        });
        Assert.NotNull(killedAt);

        var jobs = new List<JsonObject>();
        foreach (var id in acknowledged) jobs.Add(await survivors[jobs.Count % 2].Http.AwaitTerminalAsync(id, TimeSpan.FromMinutes(3)));
        var recovered = clock.Elapsed - killedAt.Value;
        await stopReading.CancelAsync();
        var (statuses, partial) = await reads!;
        // The failover figure: from the kill to the last job that was already acknowledged then reaching its end
        // (the jobs' own clock, on this machine). Jobs posted later are new work, not failover.
        static DateTimeOffset Ended(JsonObject job) => DateTimeOffset.Parse(job["history"]!.AsArray()[^1]!["at"]!.GetValue<string>());
        var failover = jobs.Where(j => inFlightAtKill.Contains(j["jobId"]!.GetValue<string>())).Max(Ended) - killedAtUtc;
        var summary = $"kill after {killAfter} acknowledged: last in-flight job terminal {failover.TotalSeconds:0.0} s after SIGKILL; " +
                      $"all {acknowledged.Count} jobs terminal (posting went on meanwhile) {recovered.TotalSeconds:0.0} s after it";
        output.WriteLine(summary);
        Console.WriteLine("[cluster crash test] " + summary);
        Console.WriteLine($"[cluster crash test] SIGKILL at {killedAtUtc:HH:mm:ss.fff}");
        foreach (var slow in jobs.Where(j => inFlightAtKill.Contains(j["jobId"]!.GetValue<string>())).OrderByDescending(Ended).Take(2))
            Console.WriteLine("[cluster crash test] slowest in flight: " + string.Join(" | ", slow["history"]!.AsArray().Select(h => $"{h!["at"]} {h["state"]} {h["note"]}")));

        // The failover's milestones as the seed saw them, for reading the figure above.
        foreach (var line in survivors[0].Output[seedLogAtKill..].Split('\n').Where(l =>
                     System.Text.RegularExpressions.Regex.IsMatch(l, "UNREACHABLE|SBR took|Leader is removing|resuming in state|revoked|Starting shard|coordinator")).Take(20))
            Console.WriteLine("[cluster crash test] node-0: " + line.Trim());

        Assert.Equal(ids.Length, acknowledged.Count);
        Assert.All(jobs, j => Assert.Contains(j.State(), new[] { "Contracted", "Failed" }));
        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.OK, s));
        // While the victim was unreachable (and before it was downed), its providers were named as not shown.
        var victimAddress = $"akka.tcp://orchestrator@127.0.0.1:{cluster.RemotePorts[2]}";
        Assert.Contains(partial, p => p.Members == victimAddress && p.NotShown == "cp-n2-a, cp-n2-b");

        // The victim comes back; its providers recover their ledgers and reconcile with the jobs.
        cluster.Nodes[2] = await victim.RestartAsync();
        await victim.DisposeAsync();
        await ClusterInvariants.AssertProvidersSettledAsync(cluster.Nodes[0].Http, 6, jobs);
    }

    /// <summary>GET /orchestrator/providers every 200 ms until cancelled: each status, and each partial answer's headers.</summary>
    private static async Task<(List<HttpStatusCode> Statuses, List<(string? Members, string? NotShown)> Partial)> ReadProvidersUntil(HttpClient http, CancellationToken stop)
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
