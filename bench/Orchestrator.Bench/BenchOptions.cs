namespace Orchestrator.Bench;

/// <summary>What to run: <c>--quick</c> (a smoke run for CI), sizes, and where PostgreSQL is (optional).</summary>
public sealed record BenchOptions(bool Quick, int Jobs, int Concurrency, int Providers, string? Postgres, string OutputDirectory, IReadOnlySet<string> Only, int MemoryJobs)
{
    /// <summary>Scenarios to run: every one, unless <c>--only a,b</c> names some (sqlite, signed, journal, floor, scale, http, memory, postgres).</summary>
    public bool Runs(string scenario) => Only.Count == 0 || Only.Contains(scenario);

    /// <summary>
    /// The cluster scenarios (chaos: the soak with faults; steady: the same load without) take 30 and 10 minutes: a
    /// full run does them only when <c>--only</c> names them. The quick run does the two-minute soak.
    /// </summary>
    public bool RunsCluster(string scenario) => Only.Contains(scenario) || (Quick && scenario == "chaos" && Only.Count == 0);

    public static BenchOptions Parse(string[] args)
    {
        string? Value(string name)
        {
            var i = Array.IndexOf(args, name);
            return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
        }

        var quick = args.Contains("--quick");
        return new BenchOptions(
            quick,
            int.Parse(Value("--jobs") ?? (quick ? "300" : "20000")),
            int.Parse(Value("--concurrency") ?? "64"),
            int.Parse(Value("--providers") ?? "100"),
            Value("--postgres") ?? Environment.GetEnvironmentVariable("ORCHESTRATOR_BENCH_POSTGRES"),
            Value("--out") ?? "bench-results",
            (Value("--only") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(),
            int.Parse(Value("--memory-jobs") ?? (quick ? "1000" : "100000")));
    }
}
