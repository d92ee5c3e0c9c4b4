using Orchestrator.Protocol.Model;

namespace Orchestrator.Execution;

/// <summary>
/// Runs contracted work on a provider's node: the plug-in point for a DMS's own runtimes (docker, firecracker, VMs),
/// registered with <c>WithOrchestrator(o =&gt; o.Executors.Add(...))</c>. Two are built in: <see cref="WasmExecutor"/>
/// (WebAssembly with WASI, through Wasmtime) and <see cref="SimulatedExecutor"/> (for tests and the benchmark).
/// <para>
/// An executor runs one allocation per call, to its end, and says how it ended; it never throws for what the workload
/// did (a trap, a non-zero exit, a limit reached are outcomes). It must honour <see cref="ExecutionRequest.Limits"/> and
/// stop promptly when its cancellation token fires (the job was cancelled, or the provider is leaving), answering
/// <see cref="RunFailure.Cancelled"/>. It writes what the workload prints to <see cref="ExecutionRequest.Log"/> as it
/// happens (that is what a user following the logs sees), and leaves the files to keep in
/// <see cref="ExecutionRequest.ScratchDirectory"/>.
/// </para>
/// </summary>
public interface IExecutor
{
    /// <summary>The executor this is: a job asking for it runs only on a provider whose node registered it.</summary>
    ExecutorType Type { get; }

    Task<ExecutionOutcome> RunAsync(ExecutionRequest request, CancellationToken cancel);
}
