using Orchestrator.Protocol.Model;

namespace Orchestrator.Execution;

/// <summary>What the contract allows a run: enforced by the executor.</summary>
/// <param name="MemoryBytes">The contract's RAM: the most memory the workload may hold.</param>
/// <param name="CpuCores">The contract's cores (a WebAssembly instance uses one).</param>
/// <param name="Duration">The hard stop: the run is ended this long after it started (<see cref="RunFailure.DurationExceeded"/>).</param>
public sealed record ExecutionLimits(long MemoryBytes, int CpuCores, TimeSpan Duration);

/// <summary>One run of a job's <see cref="JobExecution"/> within its contract's limits.</summary>
/// <param name="AllocationId">The allocation (one per contract): names the run in logs and errors.</param>
/// <param name="Execution">What the job asked to run.</param>
/// <param name="Module">The module's bytes (resolved from the job, inline or uploaded, and checked against its hash).</param>
/// <param name="ScratchDirectory">The run's own folder, empty at the start: the only file system the workload sees.</param>
/// <param name="Log">Where stdout and stderr go as they are written (bounded by the log, not the executor).</param>
public sealed record ExecutionRequest(
    string AllocationId,
    JobExecution Execution,
    ReadOnlyMemory<byte> Module,
    ExecutionLimits Limits,
    string ScratchDirectory,
    IExecutionLog Log);

/// <summary>Receives what a workload writes, as it writes it. Called from the executor's threads, one write at a time per run.</summary>
public interface IExecutionLog
{
    void Write(LogStream stream, ReadOnlySpan<byte> data);
}
