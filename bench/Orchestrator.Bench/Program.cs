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

// 1 + 2 + 5: throughput on SQLite with 100 providers, latency at half that rate, memory after.
var sqliteFile = Path.Combine(work, "throughput.db");
double peak;
if (options.Runs("sqlite"))
await using (var node = await BenchNode.StartAsync("sqlite", sqliteFile, options.Providers))
{
    var driver = new LoadDriver(node, "sqlite");
    await driver.RunClosedAsync("warmup", Math.Min(100, options.Jobs), options.Concurrency);
    var journalBefore = DatabaseFloor.SqliteJournalRows(sqliteFile);
    var throughput = await driver.RunClosedAsync("t", options.Jobs, options.Concurrency);
    var journalRows = DatabaseFloor.SqliteJournalRows(sqliteFile) - journalBefore;
    peak = throughput.JobsPerSecond;
    rows.Add(Row.From("throughput, SQLite", options.Providers, throughput, journalRows));

    var latency = await driver.RunOpenAsync("l", Math.Max(100, options.Jobs / 2), peak / 2);
    rows.Add(Row.From($"latency at {peak / 2:0} jobs/s (half the peak), SQLite", options.Providers, latency, null));

    await Task.Delay(TimeSpan.FromSeconds(4)); // terminal jobs passivate after 2 s idle
    GC.Collect(2, GCCollectionMode.Forced, blocking: true);
    rows[^1] = rows[^1] with { ResidentMb = Process.GetCurrentProcess().WorkingSet64 / 1024.0 / 1024.0 };
}

if (options.Runs("journal"))
    foreach (var actors in new[] { 64, 512 })
    {
        await using var node = await BenchNode.StartAsync("sqlite", Path.Combine(work, $"journal-{actors}.db"), 1);
        var (rowsPerSecond, newPerSecond) = await JournalProbe.RunAsync(node.System, actors, TimeSpan.FromSeconds(options.Quick ? 3 : 10));
        Console.WriteLine($"journal probe, {actors} actors: {rowsPerSecond:0} rows/s; new actors recovering + writing once: {newPerSecond:0}/s");
    }

var sqliteFloor = !options.Runs("floor") ? 0 : DatabaseFloor.SqliteRowsPerSecond(Path.Combine(work, "floor.db"), options.Quick ? 20_000 : 200_000);
if (options.Runs("floor")) rows.Add(new Row("raw floor, SQLite (journal-shaped rows, batches of 100, WAL + synchronous=NORMAL)", 0, 0, 0, 0, 0, null, null, sqliteFloor, null));

// 3: the size of the network.
foreach (var providers in !options.Runs("scale") ? [] : options.Quick ? new[] { 10, 1000 } : new[] { 10, 1000, 10000 })
{
    await using var node = await BenchNode.StartAsync("sqlite", Path.Combine(work, $"scale-{providers}.db"), providers);
    var driver = new LoadDriver(node, $"scale{providers}");
    await driver.RunClosedAsync("warmup", Math.Min(100, options.Jobs), options.Concurrency);
    rows.Add(Row.From($"network of {providers} providers, SQLite", providers, await driver.RunClosedAsync("s", options.Jobs / 2, options.Concurrency), null));
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
        await driver.RunClosedAsync("warmup", Math.Min(100, options.Jobs), options.Concurrency);
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

var report = new Report(DateTimeOffset.UtcNow, Environment.ProcessorCount, Environment.OSVersion.ToString(),
    options.Quick, options.Jobs, options.Concurrency, rows, sqliteFloor);
await File.WriteAllTextAsync(Path.Combine(options.OutputDirectory, "result.json"),
    JsonSerializer.Serialize(report, new JsonSerializerOptions { WriteIndented = true }));
var markdown = report.ToMarkdown();
await File.WriteAllTextAsync(Path.Combine(options.OutputDirectory, "result.md"), markdown);
Console.WriteLine(markdown);
try
{
    Directory.Delete(work, recursive: true);
}
catch (IOException)
{
}

/// <summary>One line of the result table.</summary>
public sealed record Row(
    string Scenario, int Providers, int Jobs, int Contracted, int Failed, double JobsPerSecond,
    Percentiles? EndToEndMs, IReadOnlyDictionary<string, Percentiles>? PhasesMs, double? RowsPerSecond, double? ResidentMb)
{
    public long? JournalRows { get; init; }
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
        md.AppendLine("| scenario | providers | jobs | contracted | unfinished | jobs/s | e2e p50 / p95 / p99 ms | search p50 / p99 ms | request+contract p50 / p99 ms | journal rows/s | resident MB |");
        md.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var r in Rows)
        {
            string P(Percentiles? p) => p is null ? "" : $"{p.P50:0.0} / {p.P95:0.0} / {p.P99:0.0}";
            string Two(string phase) => r.PhasesMs is { } ph && ph.TryGetValue(phase, out var p) ? $"{p.P50:0.0} / {p.P99:0.0}" : "";
            md.AppendLine($"| {r.Scenario} | {(r.Providers > 0 ? r.Providers : "")} | {(r.Jobs > 0 ? r.Jobs : "")} | {(r.Jobs > 0 ? r.Contracted : "")} | {(r.Jobs > 0 ? r.Unfinished : "")} | " +
                          $"{(r.JobsPerSecond > 0 ? r.JobsPerSecond.ToString("0") : "")} | {P(r.EndToEndMs)} | {Two("search")} | {Two("request+contract")} | " +
                          $"{(r.RowsPerSecond is { } rps ? rps.ToString("0") : "")} | {(r.ResidentMb is { } mb ? mb.ToString("0") : "")} |");
        }

        return md.ToString();
    }
}
