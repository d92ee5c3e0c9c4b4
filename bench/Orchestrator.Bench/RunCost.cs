using System.Diagnostics;
using Orchestrator.Execution;
using Orchestrator.Protocol.Model;

namespace Orchestrator.Bench;

/// <summary>
/// What running a program costs: one WebAssembly instance from start to exit (the module compiled once and cached, as a
/// provider's node does for a module it has seen; and the first time, compiling it), and the resident memory each
/// running allocation holds on its node.
/// </summary>
public static class RunCost
{
    /// <summary>The smallest WASI command: it returns at once (exit 0). What posting → Completed runs.</summary>
    public const string TrivialWat = "(module (memory (export \"memory\") 1) (func (export \"_start\")))";

    public static JobExecution Trivial() => new() { Executor = ExecutorType.Wasm, Module = Convert.ToBase64String(Wasmtime.Module.ConvertText(TrivialWat)) };

    public static JobExecution Sleeper(string repositoryRoot) => new()
    {
        Executor = ExecutorType.Wasm,
        Module = Convert.ToBase64String(Wasmtime.Module.ConvertText(File.ReadAllText(Path.Combine(repositoryRoot, "examples", "wasm", "sleep.wat")))),
    };

    /// <summary>Microseconds per run: (first, with compilation; then the median of <paramref name="runs"/> with the module cached).</summary>
    public static async Task<(double ColdMicros, double WarmMicrosP50, double WarmMicrosP95)> InstanceAsync(int runs)
    {
        using var executor = new WasmExecutor();
        var module = Wasmtime.Module.ConvertText(TrivialWat);
        var folder = Directory.CreateTempSubdirectory("orchestrator-bench-wasm-").FullName;
        try
        {
            async Task<double> Once()
            {
                using var log = new BoundedLog(Path.Combine(folder, "log"), 1 << 10);
                var clock = Stopwatch.StartNew();
                var outcome = await executor.RunAsync(new ExecutionRequest("bench", new JobExecution { Executor = ExecutorType.Wasm }, module,
                    new ExecutionLimits(64L << 20, 1, TimeSpan.FromSeconds(10)), folder, log), CancellationToken.None);
                var micros = clock.Elapsed.TotalMicroseconds;
                if (!outcome.Succeeded) throw new InvalidOperationException(outcome.Detail);
                return micros;
            }

            var cold = await Once();
            var warm = new List<double>();
            for (var i = 0; i < runs; i++) warm.Add(await Once());
            var p = Percentiles.Of(warm);
            return (cold, p.P50, p.P95);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
