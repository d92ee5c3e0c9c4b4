using System.Text;
using Orchestrator.Execution;
using Orchestrator.Protocol.Model;
using Orchestrator.Testing;

namespace Orchestrator.Tests.Execution;

/// <summary>
/// The built-in WebAssembly executor, running real modules (built here from the WebAssembly text in examples/wasm)
/// through Wasmtime, with the contract's limits enforced.
/// </summary>
public sealed class WasmExecutorTests : IDisposable
{
    private static readonly ExecutionLimits Roomy = new(64L << 20, 1, TimeSpan.FromSeconds(60));
    private readonly WasmExecutor _executor = new();
    private readonly string _folder = Directory.CreateTempSubdirectory("orchestrator-wasm-test-").FullName;

    internal static byte[] Program(string name) => Wasmtime.Module.ConvertText(Repository.Read($"examples/wasm/{name}.wat"));

    private async Task<(ExecutionOutcome Outcome, BoundedLog Log)> Run(string program, JobExecution? execution = null, ExecutionLimits? limits = null,
        CancellationToken cancel = default, long logBound = 1 << 20)
    {
        var scratch = Directory.CreateDirectory(Path.Combine(_folder, "scratch")).FullName;
        var log = new BoundedLog(Path.Combine(_folder, "log"), logBound);
        var request = new ExecutionRequest("a-1", execution ?? new JobExecution { Executor = ExecutorType.Wasm }, Program(program), limits ?? Roomy,
            scratch, log);
        var outcome = await _executor.RunAsync(request, cancel);
        return (outcome, log);
    }

    private static string Text(string path) => File.ReadAllText(path, Encoding.UTF8);

    [Fact]
    public async Task A_program_runs_with_its_arguments_and_its_output_is_logged()
    {
        var (outcome, log) = await Run("primes", new JobExecution { Executor = ExecutorType.Wasm, Args = ["30"] });
        using (log)
        {
            Assert.Equal(ExecutionOutcome.Exited(0), outcome with { CpuTime = default, PeakMemoryBytes = 0 });
            Assert.True(outcome.Succeeded);
            // What the run used, as the receipt will say: its linear memory (one 64 KiB page) and some CPU time of its thread.
            Assert.Equal(65_536, outcome.PeakMemoryBytes);
            Assert.True(outcome.CpuTime > TimeSpan.Zero, $"cpu time {outcome.CpuTime}");
            Assert.Equal("2\n3\n5\n7\n11\n13\n17\n19\n23\n29\n", Text(log.StdoutPath));
            Assert.Equal("", Text(log.StderrPath));
        }
    }

    [Fact]
    public async Task A_long_output_is_written_in_several_parts_and_kept_whole()
    {
        var (outcome, log) = await Run("primes", new JobExecution { Executor = ExecutorType.Wasm, Args = ["20000"] });
        using (log)
        {
            Assert.True(outcome.Succeeded, outcome.Detail);
            var primes = Text(log.StdoutPath).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(2262, primes.Length);
            Assert.Equal("19997", primes[^1]);
        }
    }

    [Fact]
    public async Task A_non_zero_exit_is_reported_with_its_code()
    {
        var (outcome, log) = await Run("primes");
        log.Dispose();
        Assert.Equal(new ExecutionOutcome(2, RunFailure.ExitCode, "exited with 2"), outcome with { CpuTime = default, PeakMemoryBytes = 0 });
    }

    [Fact]
    public async Task A_trap_fails_the_run_naming_it()
    {
        var (outcome, log) = await Run("trap");
        log.Dispose();
        Assert.Equal(RunFailure.ExecutorError, outcome.Failure);
        Assert.StartsWith("trap: integer-division-by-zero", outcome.Detail);
        Assert.Null(outcome.ExitCode);
    }

    [Fact]
    public async Task An_endless_loop_is_stopped_at_its_duration()
    {
        var (outcome, log) = await Run("spin", limits: Roomy with { Duration = TimeSpan.FromMilliseconds(300) });
        log.Dispose();
        Assert.Equal(RunFailure.DurationExceeded, outcome.Failure);
        Assert.Equal("still running after 0.3 s: stopped", outcome.Detail);
    }

    [Fact]
    public async Task A_cancelled_run_stops()
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        var (outcome, log) = await Run("spin", cancel: cancel.Token);
        log.Dispose();
        Assert.Equal(RunFailure.Cancelled, outcome.Failure);
        Assert.StartsWith("cancelled after ", outcome.Detail);
    }

    [Fact]
    public async Task Memory_cannot_grow_past_the_contracts_ram()
    {
        var (outcome, log) = await Run("hungry", limits: Roomy with { MemoryBytes = 4L << 20 });
        log.Dispose();
        Assert.Equal(RunFailure.MemoryLimit, outcome.Failure);
        Assert.StartsWith("the program needed more than the contract's 4 MiB of memory (it failed with 4 MiB in use: trap: unreachable", outcome.Detail);
    }

    [Fact]
    public async Task A_module_starting_with_more_memory_than_the_contract_allows_does_not_start()
    {
        var (outcome, log) = await Run("spin", limits: Roomy with { MemoryBytes = 1000 });
        log.Dispose();
        Assert.Equal(ExecutionOutcome.Failed(RunFailure.MemoryLimit, "the module starts with 0.06 MiB of memory; the contract allows 0 MiB"),
            outcome with { CpuTime = default });
    }

    [Fact]
    public async Task Stdin_env_and_the_scratch_folder_are_the_programs_only_inputs_and_outputs()
    {
        var execution = new JobExecution
        {
            Executor = ExecutorType.Wasm,
            Stdin = "hello, wasm",
            Env = new Dictionary<string, string> { ["GREETING"] = "hi" },
        };
        var (outcome, log) = await Run("echo", execution);
        using (log)
        {
            Assert.True(outcome.Succeeded, outcome.Detail);
            Assert.Equal("hello, wasm", Text(log.StdoutPath));
            Assert.Equal("GREETING=hi", Text(log.StderrPath));
            Assert.Equal("hello, wasm", Text(Path.Combine(_folder, "scratch", "echo.txt")));
        }
    }

    [Fact]
    public async Task Without_stdin_or_env_the_program_reads_nothing_and_sees_no_environment()
    {
        var (outcome, log) = await Run("echo");
        using (log)
        {
            Assert.True(outcome.Succeeded, outcome.Detail);
            Assert.Equal("", Text(log.StdoutPath));
            Assert.Equal("", Text(log.StderrPath));
        }
    }

    [Fact]
    public async Task Output_past_the_log_bound_is_counted_and_dropped_without_stopping_the_program()
    {
        var (outcome, log) = await Run("primes", new JobExecution { Executor = ExecutorType.Wasm, Args = ["1000"] }, logBound: 10);
        using (log)
        {
            Assert.True(outcome.Succeeded, outcome.Detail);
            Assert.Equal("2\n3\n5\n7\n11", Text(log.StdoutPath)[..10]);
            Assert.Equal(10, log.Kept(LogStream.Stdout));
            // The 168 primes below 1000 take 0 + 4×2 + 21×3 + 143×4 = 643 bytes with their newlines.
            Assert.Equal(643 - 10, log.Dropped(LogStream.Stdout));
            Assert.Equal(0, log.Dropped(LogStream.Stderr));
        }
    }

    [Fact]
    public async Task Bytes_that_are_not_a_module_are_refused_before_running()
    {
        Assert.Equal("is not a WebAssembly module (it must start with \\0asm)", WasmExecutor.Invalid("hello"u8));
        Assert.Null(WasmExecutor.Invalid(Program("primes")));
        var broken = Program("primes")[..40];
        Assert.NotNull(WasmExecutor.Invalid(broken));
        using var log = new BoundedLog(Path.Combine(_folder, "log"), 100);
        var outcome = await _executor.RunAsync(new ExecutionRequest("a-1", new JobExecution { Executor = ExecutorType.Wasm }, broken, Roomy, _folder, log),
            CancellationToken.None);
        Assert.Equal(RunFailure.ExecutorError, outcome.Failure);
        Assert.StartsWith("the module could not be compiled: ", outcome.Detail);
    }

    [Fact]
    public async Task A_module_without_a_start_function_is_refused()
    {
        var module = Wasmtime.Module.ConvertText("(module (memory (export \"memory\") 1))");
        using var log = new BoundedLog(Path.Combine(_folder, "log"), 100);
        var outcome = await _executor.RunAsync(new ExecutionRequest("a-1", new JobExecution { Executor = ExecutorType.Wasm }, module, Roomy, _folder, log),
            CancellationToken.None);
        Assert.Equal(ExecutionOutcome.Failed(RunFailure.ExecutorError, "the module exports no _start function (a WASI command is expected)"),
            outcome with { CpuTime = default, PeakMemoryBytes = 0 });
    }

    [Fact]
    public async Task Runs_at_once_do_not_stop_each_other()
    {
        var spin = Run("spin", limits: Roomy with { Duration = TimeSpan.FromMilliseconds(500) });
        var (outcome, log) = await Run("primes", new JobExecution { Executor = ExecutorType.Wasm, Args = ["100"] });
        log.Dispose();
        Assert.True(outcome.Succeeded, outcome.Detail);
        var (spun, spinLog) = await spin;
        spinLog.Dispose();
        Assert.Equal(RunFailure.DurationExceeded, spun.Failure);
    }

    public void Dispose()
    {
        _executor.Dispose();
        Directory.Delete(_folder, recursive: true);
    }
}
