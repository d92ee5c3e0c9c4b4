using Orchestrator.Protocol.Model;

namespace Orchestrator.Execution;

/// <summary>
/// The executors a node has registered: a job that runs a program is contracted only with a provider whose node has its
/// executor here (declaring it in the capability is not enough). Built in: <c>wasm</c> and <c>simulated</c>; a host adds its
/// own with <c>WithOrchestrator</c> (<c>OrchestratorOptions.Executors</c>), replacing a built-in of the same type.
/// </summary>
public sealed class ExecutorRegistry
{
    private static readonly Lazy<WasmExecutor> SharedWasm = new(() => new WasmExecutor());
    private readonly Dictionary<ExecutorType, IExecutor> _executors;

    public ExecutorRegistry(IEnumerable<IExecutor> executors)
    {
        _executors = [];
        foreach (var executor in executors) _executors[executor.Type] = executor;
    }

    /// <summary>The built-in executors (one WebAssembly engine for the whole process), with <paramref name="extra"/> over them.</summary>
    public static ExecutorRegistry WithBuiltIns(IEnumerable<IExecutor>? extra = null) =>
        new([new LazyWasm(), new SimulatedExecutor(), .. extra ?? []]);

    public static ExecutorRegistry Default { get; } = WithBuiltIns();

    public IExecutor? Find(ExecutorType type) => _executors.GetValueOrDefault(type);

    public IReadOnlyCollection<ExecutorType> Types => _executors.Keys;

    /// <summary>The WebAssembly executor, made on first use (its engine is native memory a node without wasm jobs need not hold).</summary>
    private sealed class LazyWasm : IExecutor
    {
        public ExecutorType Type => ExecutorType.Wasm;

        public Task<ExecutionOutcome> RunAsync(ExecutionRequest request, CancellationToken cancel) => SharedWasm.Value.RunAsync(request, cancel);
    }
}
