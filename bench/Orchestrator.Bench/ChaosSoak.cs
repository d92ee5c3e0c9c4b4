using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Orchestrator.Testing;

namespace Orchestrator.Bench;

/// <summary>How long, how hard, and which faults: the chaos soak, and (no faults) the steady cluster load.</summary>
public sealed record ChaosSettings(string Name, TimeSpan Duration, TimeSpan? KillEvery, int DatabaseOutages, TimeSpan OutageLength, TimeSpan Calibration)
{
    public static ChaosSettings Soak(bool quick) => quick
        ? new("chaos soak (quick)", TimeSpan.FromMinutes(2), TimeSpan.FromSeconds(40), 1, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(10))
        : new("chaos soak", TimeSpan.FromMinutes(30), TimeSpan.FromMinutes(2), 2, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(60));

    public static ChaosSettings Steady(bool quick) =>
        new("steady cluster load", quick ? TimeSpan.FromMinutes(1) : TimeSpan.FromMinutes(10), null, 0, TimeSpan.Zero, TimeSpan.FromSeconds(quick ? 10 : 60));
}

/// <summary>
/// Three real node processes on a PostgreSQL server of the benchmark's own, loaded over HTTP at half the peak they
/// measure first, while (in the soak) a random node is SIGKILLed and restarted at intervals and the database is
/// stopped for a while. Afterwards: did every acknowledged job end, and do the invariants hold (no job with two
/// contracts, no provider holding a contract its job does not, none over capacity, no lock left after its lease)?
/// </summary>
public static class ChaosSoak
{
    private const string Job = """{"jobId":"ID","requirements":{"resources":{"cpuCores":1,"ramMb":256,"diskGb":1},"executors":["docker"],"durationMinutes":20}}""";

    // Four jobs in ten (ids ending 0, 3, 6, 9) run a short program, so that contracts end mid-soak and are settled under the same faults.
    private const string RunningJob =
        "{\"jobId\":\"ID\",\"requirements\":{\"resources\":{\"cpuCores\":1,\"ramMb\":256,\"diskGb\":1},\"durationMinutes\":20}," +
        "\"execution\":{\"executor\":\"simulated\",\"args\":[\"print=working\",\"sleep-ms=400\"]}}";

    public static bool RunsProgram(string id) => id.Length > 0 && char.IsDigit(id[^1]) && (id[^1] - '0') % 3 == 0;
    private static readonly TimeSpan LockLease = TimeSpan.FromSeconds(10);

    public static async Task<ChaosReport> RunAsync(ChaosSettings settings, string work)
    {
        // Durable, as in production, and room for three nodes' connection pools.
        await using var postgres = await PrivatePostgres.StartAsync(durable: true, maxConnections: 300);
        var ports = Enumerable.Range(0, 3).Select(_ => ClusterNode.FreePort()).Order().ToArray();
        var seeds = ports.Select(p => $"akka.tcp://orchestrator@127.0.0.1:{p}").ToArray();
        var hocon = $"akka.loglevel = WARNING\norchestrator {{ lockLease = {LockLease.TotalSeconds:0}s, contractConfirmAfter = 5s, terminalJobIdle = 5s }}\n";
        var nodes = Enumerable.Range(0, 3).Select(i => new ClusterNode(i, Path.Combine(work, $"node-{i}"), ports[i], seeds, postgres.ConnectionString,
            Providers(i), hocon)).ToArray();
        try
        {
            nodes[0].Start();
            await nodes[0].WaitReadyAsync(TimeSpan.FromSeconds(90));
            foreach (var node in nodes.Skip(1)) node.Start();
            foreach (var node in nodes.Skip(1)) await node.WaitReadyAsync(TimeSpan.FromSeconds(90));
            var residentAtStart = nodes.Select(n => n.ResidentBytes() / 1024.0 / 1024.0).ToArray();

            var load = new ClusterLoad(nodes);
            var peak = await load.CalibrateAsync(settings.Calibration, concurrency: 32);
            var rate = Math.Max(1, peak / 2);
            Console.WriteLine($"{settings.Name}: peak {peak:0.0} jobs/s over {settings.Calibration.TotalSeconds:0} s; loading at {rate:0.0} jobs/s for {settings.Duration}");

            var faults = new List<string>();
            var clock = Stopwatch.StartNew();
            var started = DateTimeOffset.UtcNow;
            var running = load.RunOpenAsync("x", rate, settings.Duration);
            await InjectFaultsAsync(settings, nodes, postgres, clock, faults);
            var offered = await running;
            foreach (var node in nodes.Where(n => !n.IsRunning)) node.Start();
            foreach (var node in nodes) await node.WaitReadyAsync(TimeSpan.FromMinutes(2));

            var jobs = await load.AwaitTerminalAsync(TimeSpan.FromMinutes(4));
            var invariants = await Invariants.CheckAsync(nodes[0], jobs.Values.Where(j => j is not null).Select(j => j!).ToArray());
            var residentAtEnd = nodes.Select(n => n.ResidentBytes() / 1024.0 / 1024.0).ToArray();
            return new ChaosReport(settings.Name, settings.Duration, peak, rate, offered, jobs, invariants, faults,
                nodes.Select(n => n.UnreachableMarks).ToArray(), nodes.Select(n => n.Downings).ToArray(), residentAtStart, residentAtEnd, started);
        }
        finally
        {
            foreach (var node in nodes) await node.DisposeAsync();
        }
    }

    // Six providers a node, each as large as a provider may be: room for every contract a 30-minute soak keeps open.
    public const int ProvidersPerNode = 6;

    private static string Providers(int node) => new JsonArray(Enumerable.Range(0, ProvidersPerNode).Select(i => (JsonNode?)new JsonObject
    {
        ["id"] = $"cp-n{node}-{(char)('a' + i)}",
        ["resources"] = new JsonObject { ["cpuCores"] = 4096, ["ramMb"] = 64L * 1024 * 1024, ["diskGb"] = 1_000_000 },
        ["executors"] = new JsonArray("docker", "simulated"),
        ["pricePerHour"] = 1m + node + i / 2m,
        ["lockOnBid"] = i == 0,
    }).ToArray()).ToJsonString();

    /// <summary>The faults, at fixed times: a kill every <see cref="ChaosSettings.KillEvery"/>, outages spread over the run.</summary>
    private static async Task InjectFaultsAsync(ChaosSettings settings, ClusterNode[] nodes, PrivatePostgres postgres, Stopwatch clock, List<string> log)
    {
        var plan = new List<(TimeSpan At, string What)>();
        if (settings.KillEvery is { } every)
            for (var at = every; at < settings.Duration - TimeSpan.FromSeconds(20); at += every) plan.Add((at, "kill"));
        for (var i = 1; i <= settings.DatabaseOutages; i++)
            plan.Add((settings.Duration * i / (settings.DatabaseOutages + 1) + TimeSpan.FromSeconds(15), "database"));
        var random = new Random(7);
        foreach (var (at, what) in plan.OrderBy(p => p.At))
        {
            if (at > clock.Elapsed) await Task.Delay(at - clock.Elapsed);
            if (what == "kill")
            {
                var victim = nodes[random.Next(nodes.Length)];
                await victim.KillAsync();
                log.Add($"{clock.Elapsed.TotalSeconds:0} s: SIGKILL node-{victim.Index}, restarted 10 s later");
                _ = Task.Delay(TimeSpan.FromSeconds(10)).ContinueWith(_ => victim.Start());
            }
            else
            {
                await postgres.StopServerAsync();
                log.Add($"{clock.Elapsed.TotalSeconds:0} s: PostgreSQL stopped for {settings.OutageLength.TotalSeconds:0} s");
                await Task.Delay(settings.OutageLength);
                await postgres.StartServerAsync();
            }
        }

        if (settings.Duration > clock.Elapsed) await Task.Delay(settings.Duration - clock.Elapsed);
    }

    /// <summary>Posts jobs over HTTP to whichever node answers, the way a client with a list of nodes does.</summary>
    private sealed class ClusterLoad(ClusterNode[] nodes)
    {
        private readonly ConcurrentDictionary<string, bool> _acknowledged = new();

        public async Task<double> CalibrateAsync(TimeSpan duration, int concurrency)
        {
            var done = 0;
            var clock = Stopwatch.StartNew();
            var next = 0;
            await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
            {
                while (clock.Elapsed < duration)
                {
                    var id = $"cal-{Interlocked.Increment(ref next):D7}";
                    if (!await PostAsync(id, TimeSpan.FromSeconds(30))) continue;
                    if (await TerminalAsync(id, TimeSpan.FromMinutes(1)) is not null) Interlocked.Increment(ref done);
                }
            })));
            return done / clock.Elapsed.TotalSeconds;
        }

        /// <summary>An open loop: one job every 1/rate seconds, whether or not earlier ones are done. Returns how many were offered.</summary>
        public async Task<int> RunOpenAsync(string prefix, double rate, TimeSpan duration)
        {
            var posts = new List<Task>();
            var clock = Stopwatch.StartNew();
            var n = 0;
            while (clock.Elapsed < duration)
            {
                var due = TimeSpan.FromSeconds(n / rate);
                if (due > clock.Elapsed) await Task.Delay(due - clock.Elapsed);
                var id = $"{prefix}-{n++:D7}";
                posts.Add(Task.Run(() => PostAsync(id, TimeSpan.FromSeconds(60))));
            }

            await Task.WhenAll(posts);
            return n;
        }

        /// <summary>Posts until a node acknowledges (202), trying the nodes in turn; the same id makes a retry safe.</summary>
        private async Task<bool> PostAsync(string id, TimeSpan giveUpAfter)
        {
            var until = DateTime.UtcNow + giveUpAfter;
            for (var attempt = 0; DateTime.UtcNow < until; attempt++)
            {
                var node = nodes[((id.GetHashCode() & 0x7fffffff) + attempt) % nodes.Length];
                if (!node.IsRunning) continue;
                try
                {
                    using var content = new StringContent((RunsProgram(id) ? RunningJob : Job).Replace("ID", id), Encoding.UTF8, "application/json");
                    using var response = await node.Http.PostAsync("/orchestrator/postJob", content);
                    if (response.StatusCode == HttpStatusCode.Accepted)
                    {
                        _acknowledged[id] = true;
                        return true;
                    }

                    if (response.StatusCode != HttpStatusCode.ServiceUnavailable)
                        throw new InvalidOperationException($"post {id}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    // That node is down or busy: the next one.
                }

                await Task.Delay(250);
            }

            return false;
        }

        private async Task<JsonObject?> TerminalAsync(string id, TimeSpan within)
        {
            var until = DateTime.UtcNow + within;
            var pause = TimeSpan.FromMilliseconds(20);
            for (var attempt = 0; DateTime.UtcNow < until; attempt++)
            {
                var node = nodes[attempt % nodes.Length];
                if (node.IsRunning && await node.ReadTerminalAsync(id) is { } job) return job;

                await Task.Delay(pause);
                pause = TimeSpan.FromMilliseconds(Math.Min(500, pause.TotalMilliseconds * 2));
            }

            return null;
        }

        /// <summary>Every acknowledged job (of the loaded run, not the calibration), read until terminal; null for one that never is.</summary>
        public async Task<IReadOnlyDictionary<string, JsonObject?>> AwaitTerminalAsync(TimeSpan within)
        {
            var results = new ConcurrentDictionary<string, JsonObject?>();
            var until = DateTime.UtcNow + within;
            await Parallel.ForEachAsync(_acknowledged.Keys.Where(id => !id.StartsWith("cal-", StringComparison.Ordinal)),
                new ParallelOptions { MaxDegreeOfParallelism = 16 },
                async (id, _) => results[id] = await TerminalAsync(id, until - DateTime.UtcNow > TimeSpan.Zero ? until - DateTime.UtcNow : TimeSpan.FromSeconds(5)));
            return results;
        }
    }
}

/// <summary>What must hold after the faults: read from the providers once they have settled.</summary>
public sealed record Invariants(int DoubleContracts, int PhantomContracts, int MissingContracts, int OverCommitted, int LeakedLocks)
{
    /// <summary>Of the ended contracts of jobs that ran a program: how many, and how many break a settlement invariant.</summary>
    public SettlementInvariants Settlements { get; init; } = new(0, 0, 0, 0, 0);

    public bool Hold => DoubleContracts == 0 && PhantomContracts == 0 && MissingContracts == 0 && OverCommitted == 0 && LeakedLocks == 0 && Settlements.Hold;

    public static async Task<Invariants> CheckAsync(ClusterNode node, IReadOnlyCollection<JsonObject> jobs)
    {
        // Only reservations hold their contracts to the end; a job that ran a program ends with its run.
        var contractedWith = jobs.Where(j => j["state"]!.GetValue<string>() == "Contracted")
            .ToDictionary(j => j["jobId"]!.GetValue<string>(), j => j["contract"]!["providerId"]!.GetValue<string>());
        // Contracts that end within the check (20-minute contracts in a 30-minute soak) may leave their provider meanwhile.
        var lastingPastCheck = jobs.Where(j => j["state"]!.GetValue<string>() == "Contracted"
                                               && DateTimeOffset.Parse(j["contract"]!["endsAt"]!.GetValue<string>()) > DateTimeOffset.UtcNow + TimeSpan.FromMinutes(3))
            .Select(j => j["jobId"]!.GetValue<string>()).ToHashSet();
        // Providers reconcile in the background (a contract whose job moved on is reverted once the provider asks):
        // wait for that, up to two minutes, before counting.
        (string Job, string Provider)[] held = [];
        JsonArray providers = [];
        var until = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        do
        {
            providers = await node.ProvidersAsync();
            held = providers.SelectMany(p => p!["contracts"]!.AsArray())
                .Select(c => (c!["jobId"]!.GetValue<string>(), c["providerId"]!.GetValue<string>())).ToArray();
            if (providers.Count == 3 * ChaosSoak.ProvidersPerNode && Phantoms(held, contractedWith) == 0 && Missing(held, contractedWith, lastingPastCheck) == 0) break;
            await Task.Delay(1000);
        } while (DateTime.UtcNow < until);

        var doubles = held.GroupBy(h => h.Job).Count(g => g.Count() > 1);
        var overCommitted = providers.Count(p => p!["contracted"]!["cpuCores"]!.GetValue<int>() + p["locked"]!["cpuCores"]!.GetValue<int>()
                                                 > p["capability"]!["resources"]!["cpuCores"]!.GetValue<int>());
        // Every lock has a lease: none may outlive it.
        await Task.Delay(TimeSpan.FromSeconds(15));
        var leaked = (await node.ProvidersAsync()).Sum(p => p!["locks"]!.AsArray().Count);
        return new Invariants(doubles, Phantoms(held, contractedWith), Missing(held, contractedWith, lastingPastCheck), overCommitted, leaked)
        {
            Settlements = await SettlementInvariants.CheckAsync(node, jobs.Where(j => ChaosSoak.RunsProgram(j["jobId"]!.GetValue<string>())).Select(j => j["jobId"]!.GetValue<string>()).ToArray()),
        };
    }

    // A contract on a provider for a job (of this run) that holds none, or holds one with another provider. Calibration
    // jobs are not followed to the end, so their contracts are not counted either way.
    private static int Phantoms((string Job, string Provider)[] held, Dictionary<string, string> contractedWith) =>
        held.Count(h => !h.Job.StartsWith("cal-", StringComparison.Ordinal) && (!contractedWith.TryGetValue(h.Job, out var p) || p != h.Provider));

    // A job that holds a contract (still running) that its provider does not.
    private static int Missing((string Job, string Provider)[] held, Dictionary<string, string> contractedWith, HashSet<string> lasting)
    {
        var onProviders = held.ToHashSet();
        return contractedWith.Count(kv => lasting.Contains(kv.Key) && !onProviders.Contains((kv.Key, kv.Value)));
    }
}

/// <summary>
/// Settlement after the faults, over the jobs that ran a program (waiting up to two minutes for settlements under way):
/// every ended contract settled or disputed, exactly once (one settlement per contract on the job, one ledger row per
/// contract); the provider's record equal to the job's (amount, usage, signatures); the ledger's totals equal to the sum of its rows.
/// </summary>
public sealed record SettlementInvariants(int Contracts, int Unsettled, int Duplicated, int Mismatched, int LedgerOff)
{
    public bool Hold => Unsettled == 0 && Duplicated == 0 && Mismatched == 0 && LedgerOff == 0;

    public static async Task<SettlementInvariants> CheckAsync(ClusterNode node, IReadOnlyList<string> jobIds)
    {
        var until = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        List<(string Contract, string State)> ended;
        int duplicated;
        while (true)
        {
            ended = [];
            duplicated = 0;
            foreach (var id in jobIds)
            {
                var job = JsonNode.Parse(await node.Http.GetStringAsync($"/orchestrator/jobs/{id}"))!.AsObject();
                var runs = job["runs"]!.AsArray().Select(r => r!["contractId"]!.GetValue<string>()).ToArray();
                var settlements = job["settlements"]!.AsArray().Select(s => (s!["contractId"]!.GetValue<string>(), s["state"]!.GetValue<string>())).ToArray();
                duplicated += settlements.Length - settlements.Select(s => s.Item1).Distinct().Count() + Math.Abs(runs.Length - settlements.Length);
                ended.AddRange(settlements);
            }

            if (ended.All(e => e.State is "settled" or "disputed") || DateTime.UtcNow > until) break;
            await Task.Delay(2000);
        }

        var mismatched = 0;
        foreach (var (contract, _) in ended.Where(e => e.State is "settled" or "disputed"))
        {
            var detail = JsonNode.Parse(await node.Http.GetStringAsync($"/orchestrator/settlements/{Uri.EscapeDataString(contract)}"))!.AsObject();
            var (mine, theirs) = (detail["requester"]!, detail["provider"]);
            if (theirs is null || mine["state"]!.GetValue<string>() != theirs["state"]!.GetValue<string>()
                || mine["settlement"]?.ToJsonString() != theirs["settlement"]?.ToJsonString()
                || mine["providerProof"]?["signature"]?.ToJsonString() != theirs["providerProof"]?["signature"]?.ToJsonString())
                mismatched++;
        }

        var ledger = JsonNode.Parse(await node.Http.GetStringAsync("/orchestrator/settlements?limit=1000"))!.AsObject();
        var rows = ledger["rows"]!.AsArray().Select(r => r!).ToArray();
        var off = rows.Length - rows.Select(r => r["contractId"]!.GetValue<string>()).Distinct().Count();
        if (ledger["total"]!.GetValue<int>() <= rows.Length)
            off += ledger["totals"]!.AsArray().Count(t => rows.Where(r => r["currency"]!.GetValue<string>() == t!["currency"]!.GetValue<string>()
                && r["state"]!.GetValue<string>() == "settled").Sum(r => r["amount"]!.GetValue<decimal>()) != t!["amount"]!.GetValue<decimal>());
        return new SettlementInvariants(ended.Count, ended.Count(e => e.State is not ("settled" or "disputed")), duplicated, mismatched, off);
    }
}

public sealed record ChaosReport(
    string Name, TimeSpan Duration, double PeakJobsPerSecond, double Rate, int Offered, IReadOnlyDictionary<string, JsonObject?> Jobs,
    Invariants Invariants, IReadOnlyList<string> Faults, long[] UnreachableMarks, long[] Downings, double[] ResidentStartMb, double[] ResidentEndMb,
    DateTimeOffset Started)
{
    public int Acknowledged => Jobs.Count;
    public int Lost => Jobs.Values.Count(j => j is null);
    public bool Passed => Lost == 0 && Invariants.Hold;

    public string ToMarkdown()
    {
        var ended = Jobs.Values.Where(j => j is not null).Select(j => j!).ToArray();
        var byOutcome = ended.GroupBy(j => j["state"]!.GetValue<string>() switch
            {
                "Contracted" => "contracted",
                "Completed" => "ran: completed",
                "Cancelled" => "cancelled",
                _ => "failed: " + j["failure"]?["reason"]?.GetValue<string>(),
            })
            .OrderBy(g => g.Key).Select(g => $"{g.Key} {g.Count()}");
        var windows = ended.Select(j =>
            {
                var history = j["history"]!.AsArray();
                var posted = DateTimeOffset.Parse(history[0]!["at"]!.GetValue<string>());
                var end = DateTimeOffset.Parse(history[^1]!["at"]!.GetValue<string>());
                return (Minute: (int)Math.Max(0, (posted - Started).TotalMinutes), Ms: (end - posted).TotalMilliseconds);
            })
            .GroupBy(w => w.Minute).OrderBy(g => g.Key)
            .Select(g => $"{g.Key}: {Percentiles.Of(g.Select(w => w.Ms).ToArray()).P99:0}");
        var md = new StringBuilder();
        md.AppendLine($"### {Name}: {Duration.TotalMinutes:0.#} min, three nodes on PostgreSQL");
        md.AppendLine();
        md.AppendLine("| measure | value |");
        md.AppendLine("|---|---|");
        md.AppendLine($"| load | {Rate:0.0} jobs/s offered (half the measured peak of {PeakJobsPerSecond:0.0}), {Offered} jobs |");
        md.AppendLine($"| jobs acknowledged / terminal / lost | {Acknowledged} / {Acknowledged - Lost} / **{Lost}** |");
        md.AppendLine($"| outcomes | {string.Join(", ", byOutcome)} |");
        md.AppendLine($"| double contracts / phantom contracts / contracts missing on their provider / over-committed providers / locks left after their lease | " +
                      $"**{Invariants.DoubleContracts} / {Invariants.PhantomContracts} / {Invariants.MissingContracts} / {Invariants.OverCommitted} / {Invariants.LeakedLocks}** |");
        var st = Invariants.Settlements;
        md.AppendLine($"| ended contracts of jobs that ran a program: unsettled / settled twice / provider and job records differ / ledger totals off | " +
                      $"{st.Contracts}: **{st.Unsettled} / {st.Duplicated} / {st.Mismatched} / {st.LedgerOff}** |");
        md.AppendLine($"| faults | {(Faults.Count == 0 ? "none" : string.Join("; ", Faults))} |");
        md.AppendLine($"| members marked unreachable / downing decisions, per node | {string.Join(", ", UnreachableMarks.Zip(Downings, (u, d) => $"{u} / {d}"))} |");
        md.AppendLine($"| resident MB per node, start → end | {string.Join(", ", ResidentStartMb.Zip(ResidentEndMb, (s, e) => $"{s:0} → {e:0}"))} |");
        md.AppendLine($"| p99 posted → terminal per minute of posting (ms) | {string.Join("; ", windows)} |");
        return md.ToString();
    }
}
