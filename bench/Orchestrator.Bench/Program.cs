using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Npgsql;
using Orchestrator.Bench;

// One command: dotnet run -c Release --project bench/Orchestrator.Bench [-- --quick] [--jobs N] [--postgres CONN]
// Writes bench-results/result.json and bench-results/result.md, and prints the table.
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
var options = BenchOptions.Parse(args);
Directory.CreateDirectory(options.OutputDirectory);
var work = Directory.CreateTempSubdirectory("orchestrator-bench-").FullName;
var rows = new List<Row>();
Console.WriteLine($"orchestrator bench: {(options.Quick ? "quick" : "full")} run, {options.Jobs} jobs, concurrency {options.Concurrency}, " +
                  $"{Environment.ProcessorCount} cores, {Environment.OSVersion}");

// 1 + 2: throughput on SQLite with 100 providers, then latency at half that rate.
var sqliteFile = Path.Combine(work, "throughput.db");
if (options.Runs("sqlite"))
    await using (var node = await BenchNode.StartAsync("sqlite", sqliteFile, options.Providers))
    {
        var driver = new LoadDriver(node, "sqlite");
        await driver.RunClosedAsync("warmup", Math.Min(500, options.Jobs), options.Concurrency);
        var journalBefore = DatabaseFloor.SqliteJournalRows(sqliteFile);
        var writesBefore = DatabaseFloor.SqliteJournalWrites(sqliteFile);
        var throughput = await driver.RunClosedAsync("t", options.Jobs, options.Concurrency);
        var journalRows = DatabaseFloor.SqliteJournalRows(sqliteFile) - journalBefore;
        var journalWrites = DatabaseFloor.SqliteJournalWrites(sqliteFile) - writesBefore;
        rows.Add(Row.From("throughput, SQLite", options.Providers, throughput, journalRows));
        rows.Add(new Row($"journal per job in that run: {(double)journalRows / throughput.Jobs:0.00} rows in {(double)journalWrites / throughput.Jobs:0.00} writes",
            0, 0, 0, 0, 0, null, null, null, null));

        // Many more clients than the journal's batch: does throughput hold (or grow, as writes batch) when 512 wait at once?
        var wide = await driver.RunClosedAsync("w", options.Jobs, 512);
        rows.Add(Row.From("throughput, SQLite, concurrency 512", options.Providers, wide, null));

        var half = throughput.JobsPerSecond / 2;
        var latency = await driver.RunOpenAsync("l", Math.Max(100, options.Jobs / 2), half);
        rows.Add(Row.From($"latency at {half:0} jobs/s (half the peak), SQLite", options.Providers, latency, null));
    }

// 1 again with a network authority: what signing and verifying every bid, acceptance and contract costs.
if (options.Runs("signed"))
    await using (var node = await BenchNode.StartAsync("sqlite", Path.Combine(work, "signed.db"), options.Providers, signed: true))
    {
        var driver = new LoadDriver(node, "signed");
        await driver.RunClosedAsync("warmup", Math.Min(500, options.Jobs), options.Concurrency);
        rows.Add(Row.From("throughput with an authority (bids, acceptances, contracts signed and verified), SQLite", options.Providers,
            await driver.RunClosedAsync("t", options.Jobs, options.Concurrency), null));
    }

// Running what was contracted: posting → Completed with a trivial WebAssembly program, beside posting → Contracted on
// the same node; what one instance costs; the resident memory each running allocation holds.
if (options.Runs("run"))
{
    await using (var node = await BenchNode.StartAsync("sqlite", Path.Combine(work, "run.db"), options.Providers,
                     executors: [Orchestrator.Protocol.Model.ExecutorType.Docker, Orchestrator.Protocol.Model.ExecutorType.Wasm],
                     hocon: $"orchestrator.execution.directory = \"{Path.Combine(work, "runs").Replace('\\', '/')}\""))
    {
        var runs = new LoadDriver(node, "run", execution: RunCost.Trivial());
        var reservations = new LoadDriver(node, "reserve");
        await runs.RunClosedAsync("warmup-run", Math.Min(500, options.Jobs), options.Concurrency);
        await reservations.RunClosedAsync("warmup-reserve", Math.Min(500, options.Jobs), options.Concurrency);
        var ran = await runs.RunClosedAsync("r", options.Jobs, options.Concurrency);
        rows.Add(Row.From("posting → Completed, a trivial WebAssembly program (exits at once), SQLite", options.Providers, ran, null));
        // Its settlement goes on after the job's end (receipt, proposal, countersignature, transfer): how long, on a sample.
        var settle = ran.Phases["settle"];
        rows.Add(new Row($"settlement of those runs: the run's end → signed by both sides and transferred, p50 {settle.P50:0.0} / p95 {settle.P95:0.0} / " +
                         $"p99 {settle.P99:0.0} ms (a sample of the jobs)", 0, 0, 0, 0, 0, null, null, null, null));
        rows.Add(Row.From("posting → Contracted (reservations), the same node, SQLite", options.Providers,
            await reservations.RunClosedAsync("c", options.Jobs, options.Concurrency), null));

        // Resident memory per running allocation: N programs each waiting 5 s (a WASI clock wait: no CPU), all running at once.
        var sleepers = new LoadDriver(node, "sleep", execution: RunCost.Sleeper(Orchestrator.Testing.Repository.Root));
        var count = options.Quick ? 50 : 200;
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        await Task.Delay(1000);
        var before = Process.GetCurrentProcess().WorkingSet64;
        await sleepers.PostAllAsync("s", count, options.Concurrency);
        var running = 0;
        for (var wait = Stopwatch.StartNew(); wait.Elapsed < TimeSpan.FromSeconds(4); await Task.Delay(100))
            if ((running = await sleepers.CountAsync("s", count, Orchestrator.Protocol.Model.JobState.Running)) == count) break;
        var during = Process.GetCurrentProcess().WorkingSet64;
        rows.Add(new Row($"resident memory per running allocation: {running} of {count} WebAssembly programs running at once " +
                         $"(each waiting 5 s), {(during - before) / 1024.0 / Math.Max(1, running):0} KiB each (process {during / 1024.0 / 1024.0:0} MiB)",
            0, 0, 0, 0, 0, null, null, null, during / 1024.0 / 1024.0));
        await Task.Delay(TimeSpan.FromSeconds(6));
    }

    var (cold, warmP50, warmP95) = await RunCost.InstanceAsync(options.Quick ? 200 : 2000);
    rows.Add(new Row($"one WebAssembly instance, start to exit (trivial module): first {cold / 1000:0.0} ms (compiling it), then p50 {warmP50:0} µs, " +
                     $"p95 {warmP95:0} µs with the module cached", 0, 0, 0, 0, 0, null, null, null, null));
}

// The journal plugin alone (no orchestration), to show where the time goes.
if (options.Runs("journal"))
    await using (var node = await BenchNode.StartAsync("sqlite", Path.Combine(work, "journal.db"), 1))
    {
        var (rowsPerSecond, newPerSecond) = await JournalProbe.RunAsync(node.System, options.Concurrency, TimeSpan.FromSeconds(options.Quick ? 3 : 10));
        rows.Add(new Row($"journal plugin alone: {options.Concurrency} actors persisting one event after another, SQLite", 0, 0, 0, 0, 0, null, null, rowsPerSecond, null));
        rows.Add(new Row("journal plugin alone: new persistent actors recovering and persisting once (per second), SQLite", 0, 0, 0, 0, newPerSecond, null, null, null, null));
    }

// What the journal's format costs per event, beside Hyperion's.
if (options.Runs("serializer"))
    await using (var node = await BenchNode.StartAsync("sqlite", Path.Combine(work, "serializer.db"), 1))
        foreach (var c in SerializerCost.Measure(node.System, options.Quick ? 2_000 : 20_000))
            rows.Add(new Row($"journal format, {c.Event}: write {c.WriteMicros:0.0} µs, read {c.ReadMicros:0.0} µs, {c.Bytes:N0} bytes " +
                             $"(Hyperion {c.HyperionWriteMicros:0.0} / {c.HyperionReadMicros:0.0} µs, {c.HyperionBytes:N0} bytes)", 0, 0, 0, 0, 0, null, null, null, null));

// 6: the floor, for the same rows.
var sqliteFloor = !options.Runs("floor") ? 0 : DatabaseFloor.SqliteRowsPerSecond(Path.Combine(work, "floor.db"), options.Quick ? 20_000 : 200_000);
if (options.Runs("floor"))
    rows.Add(new Row("raw floor, SQLite (journal-shaped rows, batches of 100, WAL + synchronous=NORMAL)", 0, 0, 0, 0, 0, null, null, sqliteFloor, null));

// 3: the size of the network.
foreach (var providers in !options.Runs("scale") ? [] : options.Quick ? new[] { 10, 1000 } : new[] { 10, 1000, 10000 })
{
    var file = Path.Combine(work, $"scale-{providers}.db");
    await using var node = await BenchNode.StartAsync("sqlite", file, providers);
    var driver = new LoadDriver(node, $"scale{providers}");
    await driver.RunClosedAsync("warmup", Math.Min(500, options.Jobs), options.Concurrency);
    var (rowsBefore, writesBefore) = (DatabaseFloor.SqliteJournalRows(file), DatabaseFloor.SqliteJournalWrites(file));
    var result = await driver.RunClosedAsync("s", options.Jobs / 2, options.Concurrency);
    var (rowsAfter, writesAfter) = (DatabaseFloor.SqliteJournalRows(file), DatabaseFloor.SqliteJournalWrites(file));
    rows.Add(Row.From($"network of {providers} providers, SQLite ({(double)(rowsAfter - rowsBefore) / result.Jobs:0.00} journal rows in " +
                      $"{(double)(writesAfter - writesBefore) / result.Jobs:0.00} writes per job)", providers, result, rowsAfter - rowsBefore));
}

// 4: the HTTP front door, the real executable.
if (options.Runs("http"))
    await using (var http = await HttpDriver.StartAsync(Path.Combine(work, "http"), options.Providers))
    {
        await http.RunClosedAsync("warmup", Math.Min(200, options.Jobs), options.Concurrency);
        var jobs = options.Quick ? 200 : Math.Max(200, options.Jobs / 4);
        rows.Add(Row.From("through HTTP (post, then GET until terminal), SQLite, separate node process", options.Providers,
            await http.RunClosedAsync("h", jobs, options.Concurrency), null) with { ResidentMb = http.ResidentBytes() / 1024.0 / 1024.0 });
    }

// 5: memory as jobs accumulate (terminal jobs passivate after 2 s idle; the journal holds them).
if (options.Runs("memory"))
    await using (var node = await BenchNode.StartAsync("sqlite", Path.Combine(work, "memory.db"), options.Providers))
    {
        // One-minute jobs: contracts end as they would in a running network, so what stays is the orchestrator's own.
        var driver = new LoadDriver(node, "memory", durationMinutes: 1);
        var done = 0;
        foreach (var milestone in MemoryMilestones(options.MemoryJobs))
        {
            var result = await driver.RunClosedAsync($"m{milestone}", milestone - done, options.Concurrency);
            done = milestone;
            await Task.Delay(TimeSpan.FromSeconds(5));
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
            var resident = Process.GetCurrentProcess().WorkingSet64 / 1024.0 / 1024.0;
            rows.Add(Row.From($"memory after {milestone:N0} jobs (all terminal, passivated), SQLite", options.Providers, result, null) with
            {
                ResidentMb = resident, ManagedMb = GC.GetTotalMemory(false) / 1024.0 / 1024.0,
                CommittedMb = GC.GetGCMemoryInfo().TotalCommittedBytes / 1024.0 / 1024.0,
            });
        }
    }

// 1 on PostgreSQL, when one is given.
if (options.Postgres is { } server && options.Runs("postgres"))
{
    var database = "orch_bench_" + Guid.NewGuid().ToString("N")[..8];
    await using (var admin = new NpgsqlConnection(server))
    {
        await admin.OpenAsync();
        await new NpgsqlCommand($"CREATE DATABASE {database}", admin).ExecuteNonQueryAsync();
    }

    var cs = new NpgsqlConnectionStringBuilder(server) { Database = database }.ToString();
    await using (var node = await BenchNode.StartAsync("postgres", cs, options.Providers))
    {
        var driver = new LoadDriver(node, "pg");
        await driver.RunClosedAsync("warmup", Math.Min(500, options.Jobs), options.Concurrency);
        var before = await DatabaseFloor.PostgresJournalRows(cs);
        var throughput = await driver.RunClosedAsync("t", options.Jobs, options.Concurrency);
        rows.Add(Row.From("throughput, PostgreSQL", options.Providers, throughput, await DatabaseFloor.PostgresJournalRows(cs) - before));
    }

    var pgFloor = await DatabaseFloor.PostgresRowsPerSecond(cs, options.Quick ? 20_000 : 200_000);
    rows.Add(new Row("raw floor, PostgreSQL (journal-shaped rows, batches of 100)", 0, 0, 0, 0, 0, null, null, pgFloor, null));
    NpgsqlConnection.ClearAllPools();
    await using var drop = new NpgsqlConnection(server);
    await drop.OpenAsync();
    await new NpgsqlCommand($"DROP DATABASE IF EXISTS {database} WITH (FORCE)", drop).ExecuteNonQueryAsync();
}

// The cluster under faults (three node processes, a PostgreSQL server of the bench's own), and the same load without.
var clusterRuns = new List<ChaosReport>();
if (options.RunsCluster("steady")) clusterRuns.Add(await ChaosSoak.RunAsync(ChaosSettings.Steady(options.Quick), Path.Combine(work, "steady")));
if (options.RunsCluster("chaos")) clusterRuns.Add(await ChaosSoak.RunAsync(ChaosSettings.Soak(options.Quick), Path.Combine(work, "chaos")));

// One node against three under the same open-loop HTTP load: does the cluster add or subtract?
string? scalingMarkdown = null;
if (options.Runs("scaling"))
{
    var stepLength = options.StepLength ?? TimeSpan.FromSeconds(options.Quick ? 5 : 15);
    var rates = options.Rates ?? ClusterScaling.Rates(options.Quick);
    var quiet = TimeSpan.FromSeconds(options.Quick ? 20 : 120);
    Console.WriteLine("scaling: one node");
    var one = options.ScalingNodes.Contains(1) ? await ClusterScaling.RunAsync(1, rates, stepLength, Path.Combine(work, "scaling"), options.NodeConfig, quiet) : null;
    Console.WriteLine("scaling: three nodes");
    var three = options.ScalingNodes.Contains(3) ? await ClusterScaling.RunAsync(3, rates, stepLength, Path.Combine(work, "scaling"), options.NodeConfig, quiet) : null;
    scalingMarkdown = ClusterScaling.ToMarkdown(one, three, stepLength);
    await File.WriteAllTextAsync(Path.Combine(options.OutputDirectory, "scaling.json"),
        JsonSerializer.Serialize(new { one, three }, new JsonSerializerOptions { WriteIndented = true }));
    // Every job accepted at the lowest step must contract on both: a cluster that loses jobs at 20 jobs/s is broken.
    foreach (var step in new[] { one, three }.SelectMany(r => r?.Steps.Take(1) ?? []).Where(s => s.Contracted != s.Accepted))
        rows.Add(new Row($"scaling, {step.Nodes} node(s) at {step.Offered:0} jobs/s", ClusterScaling.Providers, step.Accepted, step.Contracted,
            step.Failed, 0, step.LatencyMs, null, null, null) { Unfinished = step.Unfinished });
}

var report = new Report(DateTimeOffset.UtcNow, Environment.ProcessorCount, Environment.OSVersion.ToString(),
    options.Quick, options.Jobs, options.Concurrency, rows, sqliteFloor);

static int[] MemoryMilestones(int total) => total >= 100_000 ? [total / 10, total / 2, total] : [total / 2, total];
await File.WriteAllTextAsync(Path.Combine(options.OutputDirectory, "result.json"),
    JsonSerializer.Serialize(report, new JsonSerializerOptions { WriteIndented = true }));
if (clusterRuns.Count > 0)
    await File.WriteAllTextAsync(Path.Combine(options.OutputDirectory, "cluster.json"), JsonSerializer.Serialize(clusterRuns.Select(c => new
    {
        c.Name, c.Duration, c.PeakJobsPerSecond, c.Rate, c.Offered, c.Acknowledged, c.Lost, c.Invariants, c.Faults, c.UnreachableMarks, c.Downings,
        c.ResidentStartMb, c.ResidentEndMb,
    }), new JsonSerializerOptions { WriteIndented = true }));
var markdown = report.ToMarkdown() + (scalingMarkdown is null ? "" : Environment.NewLine + scalingMarkdown) + string.Concat(clusterRuns.Select(c => Environment.NewLine + c.ToMarkdown()));
await File.WriteAllTextAsync(Path.Combine(options.OutputDirectory, "result.md"), markdown);
Console.WriteLine(markdown);
try
{
    Directory.Delete(work, recursive: true);
}
catch (IOException)
{
}

// Speed is reported, never asserted; but every job of every scenario must have contracted (the providers have
// ample capacity), so a run that lost or failed jobs is a failed run.
var broken = rows.Where(r => r.Jobs > 0 && (r.Unfinished > 0 || r.Contracted != r.Jobs)).ToArray();
foreach (var r in broken) Console.Error.WriteLine($"FAILED: {r.Scenario}: {r.Contracted} of {r.Jobs} contracted, {r.Failed} failed, {r.Unfinished} unfinished");
// Under faults jobs may fail (e.g. their deadline passed while the database was down), but none may be lost, and
// the invariants must hold; the steady load must not down any member.
var clusterBroken = clusterRuns.Where(c => !c.Passed || (c.Faults.Count == 0 && c.Downings.Sum() > 0)).ToArray();
foreach (var c in clusterBroken)
    Console.Error.WriteLine($"FAILED: {c.Name}: {c.Lost} of {c.Acknowledged} acknowledged jobs lost; {c.Invariants}; downing decisions {c.Downings.Sum()}");
return broken.Length == 0 && clusterBroken.Length == 0 ? 0 : 1;

/// <summary>One line of the result table.</summary>
public sealed record Row(
    string Scenario, int Providers, int Jobs, int Contracted, int Failed, double JobsPerSecond,
    Percentiles? EndToEndMs, IReadOnlyDictionary<string, Percentiles>? PhasesMs, double? RowsPerSecond, double? ResidentMb)
{
    public long? JournalRows { get; init; }
    public double? ManagedMb { get; init; }

    /// <summary>What the garbage collector holds from the system (live objects, free space, budgets): most of resident.</summary>
    public double? CommittedMb { get; init; }
    public int Unfinished { get; init; }

    public static Row From(string scenario, int providers, LoadResult r, long? journalRows) =>
        new(scenario, providers, r.Jobs, r.Contracted, r.Failed, r.JobsPerSecond, r.EndToEnd, r.Phases,
            journalRows is { } n ? n / r.Elapsed.TotalSeconds : null, null) { JournalRows = journalRows, Unfinished = r.Unfinished };
}

public sealed record Report(DateTimeOffset At, int Cores, string Os, bool Quick, int Jobs, int Concurrency, IReadOnlyList<Row> Rows, double SqliteFloor)
{
    public string ToMarkdown()
    {
        var md = new StringBuilder();
        md.AppendLine($"Run {At:yyyy-MM-dd HH:mm} UTC, {Cores} cores, {Os}, {(Quick ? "quick" : "full")}, closed loop at concurrency {Concurrency}.");
        md.AppendLine();
        md.AppendLine("| scenario | providers | jobs | contracted | unfinished | jobs/s | e2e p50 / p95 / p99 ms | search p50 / p99 ms | request+contract p50 / p99 ms | journal rows/s | resident MB | managed heap MB |");
        md.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var r in Rows)
        {
            string P(Percentiles? p) => p is null ? "" : $"{p.P50:0.0} / {p.P95:0.0} / {p.P99:0.0}";
            string Two(string phase) => r.PhasesMs is { } ph && ph.TryGetValue(phase, out var p) && p.P99 > 0 ? $"{p.P50:0.0} / {p.P99:0.0}" : "";
            md.AppendLine($"| {r.Scenario} | {(r.Providers > 0 ? r.Providers : "")} | {(r.Jobs > 0 ? r.Jobs : "")} | {(r.Jobs > 0 ? r.Contracted : "")} | {(r.Jobs > 0 ? r.Unfinished : "")} | " +
                          $"{(r.JobsPerSecond > 0 ? r.JobsPerSecond.ToString("0") : "")} | {P(r.EndToEndMs)} | {Two("search")} | {Two("request+contract")} | " +
                          $"{(r.RowsPerSecond is { } rps ? rps.ToString("0") : "")} | {(r.ResidentMb is { } mb ? mb.ToString("0") : "")} | " +
                          $"{(r.ManagedMb is { } managed ? managed.ToString("0") + (r.CommittedMb is { } committed ? $" ({committed:0} committed)" : "") : "")} |");
        }

        double? Fraction(string run, string floor) =>
            Rows.FirstOrDefault(r => r.Scenario.StartsWith(run))?.RowsPerSecond is { } got &&
            Rows.FirstOrDefault(r => r.Scenario.StartsWith(floor))?.RowsPerSecond is { } limit and > 0
                ? got / limit
                : null;
        md.AppendLine();
        if (Fraction("throughput, SQLite", "raw floor, SQLite") is { } sqlite)
            md.AppendLine($"Journal rows/s as a fraction of the raw floor: SQLite {sqlite:P1}" +
                          (Fraction("throughput, PostgreSQL", "raw floor, PostgreSQL") is { } pg ? $", PostgreSQL {pg:P1}." : "."));
        return md.ToString();
    }
}
