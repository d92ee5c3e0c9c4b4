namespace Orchestrator.Bench;

/// <summary>What to run: <c>--quick</c> (a smoke run for CI), sizes, and where PostgreSQL is (optional).</summary>
public sealed record BenchOptions(bool Quick, int Jobs, int Concurrency, int Providers, string? Postgres, string OutputDirectory, IReadOnlySet<string> Only, int MemoryJobs)
{
    /// <summary>The scaling scenario's rates (<c>--rates 20,50,100</c>), when not its defaults.</summary>
    public IReadOnlyList<double>? Rates { get; init; }

    /// <summary>HOCON added to the scaling scenario's nodes (<c>--node-config FILE</c>): to measure a setting.</summary>
    public string NodeConfig { get; init; } = "";

    /// <summary>The scaling scenario's topologies (<c>--nodes 1,3</c>, the default).</summary>
    public IReadOnlyList<int> ScalingNodes { get; init; } = [1, 3];

    /// <summary>The scaling scenario's step length (<c>--step-seconds</c>), when not its default.</summary>
    public TimeSpan? StepLength { get; init; }

    /// <summary>Scenarios to run: every one, unless <c>--only a,b</c> names some (sqlite, signed, journal, floor, scale, http, memory, postgres, scaling).</summary>
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
            int.Parse(Value("--memory-jobs") ?? (quick ? "1000" : "100000")))
        {
            NodeConfig = Value("--node-config") is { } file ? File.ReadAllText(file) : "",
            ScalingNodes = (Value("--nodes") ?? "1,3").Split(',').Select(int.Parse).ToArray(),
            Rates = Value("--rates")?.Split(',').Select(double.Parse).ToArray(),
            StepLength = Value("--step-seconds") is { } seconds ? TimeSpan.FromSeconds(double.Parse(seconds)) : null,
        };
    }
}
