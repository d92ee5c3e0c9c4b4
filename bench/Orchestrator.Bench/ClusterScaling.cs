using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Orchestrator.Testing;

namespace Orchestrator.Bench;

/// <summary>One rate step of <see cref="ClusterScaling"/>: what was offered, what came of it, how long jobs took.</summary>
public sealed record ScalingStep(int Nodes, double Offered, int Posted, int Accepted, int Contracted, int Failed, int Unfinished,
    Percentiles LatencyMs, Percentiles PostMs, TimeSpan PostingTook, IReadOnlyDictionary<string, Percentiles> PhasesMs, StepCost Cost)
{
    /// <summary>Held: every post accepted, every job contracted, p95 within a second, and the posts kept pace with the clock.</summary>
    public bool Held => Accepted == Posted && Contracted == Posted && LatencyMs.P95 <= 1000;
}

/// <summary>
/// Does a cluster add or subtract? The same open-loop HTTP load, stepped up in rate, first against one node and then
/// against three, on one PostgreSQL server of the benchmark's own (durable, a fresh one per topology), with the same
/// twelve providers in total (all on the one node; four a node on three). Posts go round-robin over the nodes; each
/// job is read back once it is due, and its latency is its own: <c>Contracted</c> minus <c>Posted</c> in its history,
/// which leaves the driver's own delays out.
/// </summary>
/// <summary>One topology's run: what it costs idle (per second), its cold first step, and the measured steps.</summary>
public sealed record ScalingRun(int Nodes, StepCost Idle, ScalingStep Cold, IReadOnlyList<ScalingStep> Steps)
{
    /// <summary>How long the nodes took to become quiet after the warm-up load (background compilation of hot code).</summary>
    public TimeSpan QuietAfter { get; init; }

    /// <summary>The highest offered rate held, every step up to it held too (0 when the first was not).</summary>
    public double HeldRate => Steps.TakeWhile(s => s.Held).Select(s => s.Offered).DefaultIfEmpty(0).Max();
}

public static class ClusterScaling
{
    private const string Job = """{"jobId":"ID","requirements":{"resources":{"cpuCores":1,"ramMb":256,"diskGb":1},"executors":["docker"],"durationMinutes":20}}""";
    public const int Providers = 12;

    /// <summary>A node using less CPU than this (ms per second) over two seconds counts as quiet.</summary>
    private const double QuietCpuMsPerSecond = 150;

    public static IReadOnlyList<double> Rates(bool quick) => quick ? [20, 100] : [20, 50, 100, 200, 300, 400, 500, 600, 800, 1000];

    /// <param name="extraHocon">Settings added to every node's configuration (the bench's <c>--node-config</c>): to measure one.</param>
    /// <param name="quietWithin">How long to wait at most for the nodes to be quiet after the warm-up (the quick run waits less).</param>
    public static async Task<ScalingRun> RunAsync(int nodeCount, IReadOnlyList<double> rates, TimeSpan stepLength, string work, string extraHocon = "",
        TimeSpan? quietWithin = null)
    {
        await using var postgres = await PrivatePostgres.StartAsync(durable: true, maxConnections: 300);
        var ports = Enumerable.Range(0, nodeCount).Select(_ => ClusterNode.FreePort()).Order().ToArray();
        var seeds = ports.Select(p => $"akka.tcp://orchestrator@127.0.0.1:{p}").ToArray();
        var hocon = "akka.loglevel = WARNING\norchestrator.terminalJobIdle = 5s\n" + extraHocon;
        var nodes = Enumerable.Range(0, nodeCount).Select(i => new ClusterNode(i, Path.Combine(work, $"{nodeCount}-node-{i}"), ports[i], seeds,
            postgres.ConnectionString, ProvidersOf(i, nodeCount), hocon)).ToArray();
        try
        {
            nodes[0].Start();
            await nodes[0].WaitReadyAsync(TimeSpan.FromSeconds(90));
            foreach (var node in nodes.Skip(1)) node.Start();
            foreach (var node in nodes.Skip(1)) await node.WaitReadyAsync(TimeSpan.FromSeconds(90));
            await AwaitDirectoryAsync(nodes, TimeSpan.FromSeconds(60));
            var remoting = ports.ToHashSet();
            Measure measure = () => StepCost.Read(nodes, remoting, postgres.Port);

            // A cold start is reported, then every node's code paths (JIT tiers, connection pools, shard homes) are warmed
            // before anything else is measured: an operator's cluster runs for days.
            var cold = await StepAsync(nodes, "cold", 20, TimeSpan.FromSeconds(5), measure);
            await StepAsync(nodes, "warm", Math.Min(100, rates.Max()), TimeSpan.FromSeconds(20), measure);

            // Then until the nodes are quiet: whatever the load left running (compiling hot code again, collections,
            // passivations) would otherwise be charged to the first step.
            var quietAfter = Stopwatch.StartNew();
            for (var previous = measure(); quietAfter.Elapsed < (quietWithin ?? TimeSpan.FromSeconds(120));)
            {
                await Task.Delay(TimeSpan.FromSeconds(2));
                var now = measure();
                var perNodePerSecond = (now.NodeCpu - previous.NodeCpu).TotalMilliseconds / 2 / nodeCount;
                previous = now;
                if (perNodePerSecond < QuietCpuMsPerSecond) break;
            }

            var quietTook = quietAfter.Elapsed;

            // What the topology costs doing nothing, warm (heartbeats, gossip, timers, the thread pools' waiting).
            var idleFrom = measure();
            await Task.Delay(TimeSpan.FromSeconds(5));
            var idle = StepCost.PerJob(idleFrom, measure(), 5); // per second, not per job
            var steps = new List<ScalingStep>();
            var missed = 0;
            foreach (var (rate, index) in rates.Select((r, i) => (r, i)))
            {
                var step = await StepAsync(nodes, $"s{index}r{rate:0}", rate, stepLength, measure);
                steps.Add(step);
                Console.WriteLine($"  {nodeCount} node(s) at {rate:0} jobs/s: {step.Accepted}/{step.Posted} accepted, {step.Contracted} contracted, " +
                                  $"p50/p95/p99 {step.LatencyMs.P50:0}/{step.LatencyMs.P95:0}/{step.LatencyMs.P99:0} ms, posting took {step.PostingTook.TotalSeconds:0.0} s; " +
                                  string.Join(", ", step.PhasesMs.Select(p => $"{p.Key} {p.Value.P50:0}/{p.Value.P95:0}")) +
                                  $"; per job: node CPU {step.Cost.NodeCpuMs:0.0} ms, database CPU {step.Cost.DatabaseCpuMs:0.0} ms, " +
                                  $"between nodes {step.Cost.RemotingBytes:N0} B in {step.Cost.RemotingSegments:0.0} segments, to the database {step.Cost.DatabaseBytes:N0} B");
                // Two steps past what the topology holds say enough; more only wait for a backlog to drain.
                if (!step.Held && ++missed == 2) break;
            }

            return new ScalingRun(nodeCount, idle, cold, steps) { QuietAfter = quietTook };
        }
        finally
        {
            foreach (var node in nodes) await node.DisposeAsync();
        }
    }


    private static string ProvidersOf(int node, int nodeCount)
    {
        var perNode = Providers / nodeCount;
        return new JsonArray(Enumerable.Range(node * perNode, perNode).Select(i => (JsonNode?)new JsonObject
        {
            ["id"] = $"cp-{i:D2}",
            ["resources"] = new JsonObject { ["cpuCores"] = 4096, ["ramMb"] = 64L * 1024 * 1024, ["diskGb"] = 1_000_000 },
            ["executors"] = new JsonArray("docker"),
            ["pricePerHour"] = 1m + i % 4 / 4m,
        }).ToArray()).ToJsonString();
    }

    private static async Task AwaitDirectoryAsync(ClusterNode[] nodes, TimeSpan within)
    {
        var until = DateTime.UtcNow + within;
        foreach (var node in nodes)
            while ((await node.ProvidersAsync()).Count < Providers)
            {
                if (DateTime.UtcNow > until) throw new TimeoutException($"node-{node.Index} did not see all {Providers} providers within {within.TotalSeconds:0} s");
                await Task.Delay(250);
            }
    }

    private delegate StepCost.Reading Measure();

    private static async Task<ScalingStep> StepAsync(ClusterNode[] nodes, string prefix, double rate, TimeSpan length, Measure measure)
    {
        var before = measure();
        var posts = new List<Task<(string Id, bool Accepted, double Ms)>>();
        var clock = Stopwatch.StartNew();
        var count = (int)Math.Round(rate * length.TotalSeconds);
        for (var n = 0; n < count; n++)
        {
            var due = TimeSpan.FromSeconds(n / rate);
            if (due > clock.Elapsed) await Task.Delay(due - clock.Elapsed);
            var (id, node) = ($"{prefix}-{n:D6}", nodes[n % nodes.Length]);
            posts.Add(Task.Run(() => PostAsync(node, id)));
        }

        var results = await Task.WhenAll(posts);
        var postingTook = clock.Elapsed;
        var accepted = results.Where(r => r.Accepted).Select(r => r.Id).ToArray();
        var ended = new ConcurrentBag<JsonObject?>();
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        await Parallel.ForEachAsync(accepted.Select((id, i) => (id, node: nodes[i % nodes.Length])), new ParallelOptions { MaxDegreeOfParallelism = 8 },
            async (x, _) => ended.Add(await TerminalAsync(x.node, x.id, until)));
        var cost = StepCost.PerJob(before, measure(), count);
        var done = ended.Where(j => j is not null).Select(j => j!).ToArray();
        var contracted = done.Where(j => j["state"]!.GetValue<string>() == "Contracted").ToArray();
        return new ScalingStep(nodes.Length, rate, count, accepted.Length, contracted.Length, done.Length - contracted.Length,
            accepted.Length - done.Length, Percentiles.Of(contracted.Select(LatencyMs).ToArray()),
            Percentiles.Of(results.Select(r => r.Ms).ToArray()), postingTook, Phases(contracted), cost);
    }

    /// <summary>Each state change's share: from the state before it to it, as the job's history has them.</summary>
    private static IReadOnlyDictionary<string, Percentiles> Phases(IEnumerable<JsonObject> jobs)
    {
        var phases = new Dictionary<string, List<double>>();
        foreach (var job in jobs)
        {
            var history = job["history"]!.AsArray();
            for (var i = 1; i < history.Count; i++)
            {
                var name = $"{history[i - 1]!["state"]} → {history[i]!["state"]}";
                var ms = (DateTimeOffset.Parse(history[i]!["at"]!.GetValue<string>()) - DateTimeOffset.Parse(history[i - 1]!["at"]!.GetValue<string>())).TotalMilliseconds;
                (phases.TryGetValue(name, out var list) ? list : phases[name] = []).Add(ms);
            }
        }

        return phases.ToDictionary(kv => kv.Key, kv => Percentiles.Of(kv.Value));
    }

    private static double LatencyMs(JsonObject job)
    {
        var history = job["history"]!.AsArray();
        var posted = DateTimeOffset.Parse(history[0]!["at"]!.GetValue<string>());
        var contracted = DateTimeOffset.Parse(history.Last(h => h!["state"]!.GetValue<string>() == "Contracted")!["at"]!.GetValue<string>());
        return (contracted - posted).TotalMilliseconds;
    }

    private static async Task<(string, bool, double)> PostAsync(ClusterNode node, string id)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            using var content = new StringContent(Job.Replace("ID", id), Encoding.UTF8, "application/json");
            using var response = await node.Http.PostAsync("/orchestrator/postJob", content);
            return (id, response.StatusCode == HttpStatusCode.Accepted, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return (id, false, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
    }

    private static async Task<JsonObject?> TerminalAsync(ClusterNode node, string id, DateTime until)
    {
        var pause = TimeSpan.FromMilliseconds(50);
        while (true)
        {
            if (await node.ReadTerminalAsync(id) is { } job) return job;
            if (DateTime.UtcNow > until) return null;
            await Task.Delay(pause);
            pause = TimeSpan.FromMilliseconds(Math.Min(1000, pause.TotalMilliseconds * 2));
        }
    }

    public static string ToMarkdown(ScalingRun? one, ScalingRun? three, TimeSpan stepLength)
    {
        var md = new StringBuilder();
        md.AppendLine($"### One node and three under the same open-loop HTTP load ({stepLength.TotalSeconds:0} s a step, {Providers} providers in all, PostgreSQL of the bench's own)");
        md.AppendLine();
        md.AppendLine("Latency is each job's own (`Contracted` − `Posted` in its history). ✗: a post refused, a job not contracted, or p95 over 1 s. " +
                      "Per job: CPU of the node processes (and of PostgreSQL), and bytes and TCP segments between the nodes, read from the kernel.");
        md.AppendLine();
        md.AppendLine("| offered jobs/s | one node: p50 / p95 / p99 ms | CPU ms/job (db) | three nodes: p50 / p95 / p99 ms | CPU ms/job (db) | between nodes per job |");
        md.AppendLine("|---|---|---|---|---|---|");
        var rates = (one?.Steps ?? []).Select(s => s.Offered).Union((three?.Steps ?? []).Select(s => s.Offered)).Order();
        foreach (var rate in rates)
        {
            var a = one?.Steps.FirstOrDefault(s => s.Offered == rate);
            var b = three?.Steps.FirstOrDefault(s => s.Offered == rate);
            md.AppendLine($"| {rate:0} | {Latency(a)} | {Cpu(a)} | {Latency(b)} | {Cpu(b)} | {(b is null ? "" : $"{b.Cost.RemotingBytes / 1024:0.0} KB, {b.Cost.RemotingSegments:0.0} segments")} |");
        }

        md.AppendLine($"| **held** | **{one?.HeldRate ?? 0:0} jobs/s** | | **{three?.HeldRate ?? 0:0} jobs/s** | | |");
        md.AppendLine($"| cold start (the first 100 jobs at 20/s) | {Latency(one?.Cold)} | {Cpu(one?.Cold)} | {Latency(three?.Cold)} | {Cpu(three?.Cold)} | |");
        md.AppendLine($"| quiet after the warm-up load (2,000 jobs) | {one?.QuietAfter.TotalSeconds:0} s | | {three?.QuietAfter.TotalSeconds:0} s | | |");
        md.AppendLine($"| idle, per second | | {one?.Idle.NodeCpuMs:0} ms CPU | | {three?.Idle.NodeCpuMs:0} ms CPU | {three?.Idle.RemotingBytes / 1024:0.0} KB |");
        return md.ToString();

        static string Latency(ScalingStep? s) => s is null
            ? "—"
            : $"{s.LatencyMs.P50:0} / {s.LatencyMs.P95:0} / {s.LatencyMs.P99:0}" + (s.Held ? "" : $" ✗ ({s.Accepted} of {s.Posted} accepted, {s.Contracted} contracted)");

        static string Cpu(ScalingStep? s) => s is null ? "" : $"{s.Cost.NodeCpuMs:0.0} ({s.Cost.DatabaseCpuMs:0.0})";
    }
}
