using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Orchestrator.Protocol.Model;
using Wasmtime;

namespace Orchestrator.Execution;

/// <summary>
/// Runs WebAssembly (WASI preview 1: the module's <c>_start</c>) with Wasmtime, inside the contract's limits:
/// <list type="bullet">
/// <item>memory: no linear memory may grow past the contract's RAM (a growth refused, and the run failing with its
/// memory at that ceiling, is <see cref="RunFailure.MemoryLimit"/>; so is a module whose initial memory is larger);</item>
/// <item>time: epoch interruption checks every 10 ms whether the run passed its duration or was cancelled, and stops the
/// guest at its next check (a guest blocked in a host call — a WASI sleep — is answered at the duration and left to
/// stop when the call returns);</item>
/// <item>files: nothing of the provider's file system but the run's own scratch folder, at <c>/scratch</c>; no
/// inherited environment or arguments; stdin from the job.</item>
/// </list>
/// One engine for all runs (compiled modules are cached by their sha256, a few at a time); a store per run.
/// </summary>
public sealed class WasmExecutor : IExecutor, IDisposable
{
    private const int ModulesCached = 16;
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(10);

    // After the duration, how long a guest stuck in a host call is given before the run is answered without it.
    private static readonly TimeSpan StuckGrace = TimeSpan.FromSeconds(1);

    private static readonly Lazy<Engine> ValidationEngine = new(() => new Engine());
    private readonly Engine _engine = new(new Config().WithEpochInterruption(true));
    private readonly ConcurrentDictionary<string, Lazy<Module>> _modules = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _moduleOrder = new();
    private readonly Timer _ticker;
    private int _running;

    public WasmExecutor()
    {
        _ticker = new Timer(_ => _engine.IncrementEpoch(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    public ExecutorType Type => ExecutorType.Wasm;

    /// <summary>Whether these bytes are a WebAssembly module this executor can compile; the reason when not.</summary>
    public static string? Invalid(ReadOnlySpan<byte> module)
    {
        if (module.Length < 8 || !module[..4].SequenceEqual("\0asm"u8)) return "is not a WebAssembly module (it must start with \\0asm)";
        var invalid = Module.Validate(ValidationEngine.Value, module);
        return invalid is null ? null : "is not a valid WebAssembly module: " + FirstLine(invalid);
    }

    public async Task<ExecutionOutcome> RunAsync(ExecutionRequest request, CancellationToken cancel)
    {
        Module module;
        try
        {
            module = Compiled(request.Module);
        }
        catch (WasmtimeException e)
        {
            return ExecutionOutcome.Failed(RunFailure.ExecutorError, "the module could not be compiled: " + FirstLine(e.Message));
        }

        var run = new Run(request, cancel);
        if (Interlocked.Increment(ref _running) == 1) _ticker.Change(Tick, Tick);
        try
        {
            var guest = Task.Factory.StartNew(() => run.Execute(_engine, module), CancellationToken.None, TaskCreationOptions.LongRunning,
                TaskScheduler.Default);
            // The epoch check stops a running guest; this answers for one blocked in a host call past its time.
            var limit = request.Limits.Duration + StuckGrace;
            var stuck = Task.Delay(limit, cancel);
            var first = await Task.WhenAny(guest, stuck).ConfigureAwait(false);
            if (first == guest) return await guest.ConfigureAwait(false);
            run.Stop(cancel.IsCancellationRequested ? RunFailure.Cancelled : RunFailure.DurationExceeded);
            var late = await Task.WhenAny(guest, Task.Delay(StuckGrace, CancellationToken.None)).ConfigureAwait(false);
            if (late == guest) return await guest.ConfigureAwait(false);
            return cancel.IsCancellationRequested
                ? ExecutionOutcome.Failed(RunFailure.Cancelled, "cancelled while the program was in a system call")
                : ExecutionOutcome.Failed(RunFailure.DurationExceeded, $"still running after {Seconds(request.Limits.Duration)} (in a system call): stopped");
        }
        finally
        {
            if (Interlocked.Decrement(ref _running) == 0) _ticker.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }
    }

    private Module Compiled(ReadOnlyMemory<byte> bytes)
    {
        var key = Convert.ToHexStringLower(SHA256.HashData(bytes.Span));
        var entry = _modules.GetOrAdd(key, k =>
        {
            _moduleOrder.Enqueue(k);
            return new Lazy<Module>(() => Module.FromBytes(_engine, k[..12], bytes.Span));
        });
        while (_moduleOrder.Count > ModulesCached && _moduleOrder.TryDequeue(out var oldest))
            _modules.TryRemove(oldest, out _);
        try
        {
            return entry.Value;
        }
        catch
        {
            _modules.TryRemove(key, out _);
            throw;
        }
    }

    private static string Seconds(TimeSpan t) => t.TotalSeconds.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture) + " s";

    private static string FirstLine(string message) => message.Split('\n', 2)[0].Trim();

    /// <summary>Wasmtime's message names the wasm frames first and the cause after "Caused by:": the cause is what a user can act on.</summary>
    private static string Cause(string message)
    {
        var lines = message.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var caused = Array.IndexOf(lines, "Caused by:");
        if (caused < 0 || caused + 1 >= lines.Length) return FirstLine(message);
        var cause = lines[caused + 1];
        var colon = cause.IndexOf(": ", StringComparison.Ordinal);
        return colon > 0 && cause[..colon].All(char.IsDigit) ? cause[(colon + 2)..] : cause;
    }

    public void Dispose()
    {
        _ticker.Dispose();
        foreach (var module in _modules.Values.Where(m => m.IsValueCreated)) module.Value.Dispose();
        _engine.Dispose();
    }

    /// <summary>One guest run: its store, and why it was told to stop (set from outside, read by the epoch check).</summary>
    private sealed class Run(ExecutionRequest request, CancellationToken cancel)
    {
        private readonly Stopwatch _clock = new();
        private volatile object? _stopped;

        public void Stop(RunFailure why) => _stopped ??= why;

        /// <summary>The run, with what it used: CPU time of this thread (the guest runs on it alone) and its memory at the end (linear memory only grows).</summary>
        public ExecutionOutcome Execute(Engine engine, Module module)
        {
            var cpuBefore = ThreadCpu.Now();
            var outcome = ExecuteMeasured(engine, module);
            var cpuAfter = ThreadCpu.Now();
            var cpu = cpuBefore is { } before && cpuAfter is { } after ? after - before : _clock.Elapsed;
            return outcome with { CpuTime = cpu, PeakMemoryBytes = _peakMemory };
        }

        // Read before the store is disposed: the guest's linear memory at its end, which (memory only grows) is its peak.
        private long _peakMemory;

        private ExecutionOutcome ExecuteMeasured(Engine engine, Module module)
        {
            var limits = request.Limits;
            var declared = module.Exports.OfType<MemoryExport>().Select(m => m.Minimum * Memory.PageSize)
                .Concat(module.Imports.OfType<MemoryImport>().Select(m => m.Minimum * Memory.PageSize)).DefaultIfEmpty(0).Max();
            if (declared > limits.MemoryBytes)
                return ExecutionOutcome.Failed(RunFailure.MemoryLimit,
                    $"the module starts with {Mb(declared)} of memory; the contract allows {Mb(limits.MemoryBytes)}");

            var stdin = request.Execution.Stdin is null ? null : Path.Combine(Path.GetTempPath(), "orchestrator-stdin-" + Guid.NewGuid().ToString("N"));
            try
            {
                using var store = new Store(engine);
                store.SetLimits(memorySize: limits.MemoryBytes);
                var wasi = new WasiConfiguration()
                    .WithArgs(["main.wasm", .. request.Execution.Args])
                    .WithEnvironmentVariables(request.Execution.Env.Select(e => (e.Key, e.Value)))
                    .WithStandardOutputCallback(data => request.Log.Write(LogStream.Stdout, data))
                    .WithStandardErrorCallback(data => request.Log.Write(LogStream.Stderr, data))
                    .WithPreopenedDirectory(request.ScratchDirectory, "/scratch", true);
                if (stdin is not null)
                {
                    File.WriteAllText(stdin, request.Execution.Stdin, new UTF8Encoding(false));
                    wasi = wasi.WithStandardInput(stdin);
                }

                store.SetWasiConfiguration(wasi);
                store.SetEpochDeadline(1);
                store.SetEpochDeadlineCallback(_ =>
                {
                    if (cancel.IsCancellationRequested) Stop(RunFailure.Cancelled);
                    else if (_clock.Elapsed >= limits.Duration) Stop(RunFailure.DurationExceeded);
                    if (_stopped is RunFailure why) throw new StopRun(why);
                    return 1;
                });

                using var linker = new Linker(engine);
                linker.DefineWasi();
                _clock.Start();
                Instance instance;
                try
                {
                    instance = linker.Instantiate(store, module);
                }
                catch (WasmtimeException e)
                {
                    return ExecutionOutcome.Failed(RunFailure.ExecutorError, "the module could not be started: " + FirstLine(e.Message));
                }

                var memory = instance.GetMemory("memory");
                var start = instance.GetAction("_start");
                if (start is null) return ExecutionOutcome.Failed(RunFailure.ExecutorError, "the module exports no _start function (a WASI command is expected)");
                try
                {
                    start();
                    return ExecutionOutcome.Exited(0);
                }
                catch (WasmtimeException e)
                {
                    return Ended(e, memory, limits);
                }
                finally
                {
                    _peakMemory = memory?.GetLength() ?? 0;
                }
            }
            finally
            {
                if (stdin is not null) File.Delete(stdin);
            }
        }

        private ExecutionOutcome Ended(WasmtimeException e, Memory? memory, ExecutionLimits limits)
        {
            if (e.ExitCode is { } code) return ExecutionOutcome.Exited(code);
            if (e.InnerException is StopRun stop || _stopped is RunFailure)
            {
                var why = (e.InnerException as StopRun)?.Why ?? (RunFailure)_stopped!;
                return why == RunFailure.Cancelled
                    ? ExecutionOutcome.Failed(RunFailure.Cancelled, $"cancelled after {Seconds(_clock.Elapsed)}")
                    : ExecutionOutcome.Failed(RunFailure.DurationExceeded, $"still running after {Seconds(limits.Duration)}: stopped");
            }

            // A growth the limit refused returns -1 to the guest, which then fails its own way (a trap, an exit code):
            // with its memory at the ceiling, the limit is the reason.
            if (memory is not null && memory.GetLength() + Memory.PageSize > limits.MemoryBytes)
                return ExecutionOutcome.Failed(RunFailure.MemoryLimit,
                    $"the program needed more than the contract's {Mb(limits.MemoryBytes)} of memory (it failed with {Mb(memory.GetLength())} in use: {Trap(e)})");
            return ExecutionOutcome.Failed(RunFailure.ExecutorError, Trap(e));
        }

        private static string Trap(WasmtimeException e) =>
            e is TrapException trap ? $"trap: {Words(trap.Type.ToString())} ({FirstLine(e.Message)})" : Cause(e.Message);

        private static string Words(string name) => System.Text.Json.JsonNamingPolicy.KebabCaseLower.ConvertName(name);

        private static string Mb(long bytes) => (bytes / (1024.0 * 1024)).ToString("0.##", System.Globalization.CultureInfo.InvariantCulture) + " MiB";
    }

    /// <summary>Thrown from the epoch check to end a guest: why it was stopped.</summary>
    private sealed class StopRun(RunFailure why) : Exception(why.ToString())
    {
        public RunFailure Why { get; } = why;
    }
}
