using Orchestrator.Protocol.Model;

namespace Orchestrator.Protocol.Messages;

// A contracted job's run. The job asks its provider to start it once the contract is the job's own (recorded), and asks
// again until the provider's allocation reports; the allocation reports every change and, while it runs, its latest
// report again every heartbeat, until the job acknowledges its end. Reports carry a sequence number per allocation:
// delivered at least once, applied once.

/// <summary>Job → provider: run the job's program under this contract (again: the same answer; the allocation is named after the contract).</summary>
public sealed record StartAllocation(string JobId, string ProviderId, Contract Contract, JobExecution Execution, int Run) : IProviderMessage;

/// <summary>Job → provider: stop the run under this contract (the job was cancelled); the allocation reports how it ended.</summary>
public sealed record StopAllocation(string JobId, string ProviderId, string ContractId, string Reason) : IProviderMessage;

public enum AllocationState
{
    /// <summary>Preparing: the module checked, the scratch folder made, the executor starting.</summary>
    Starting,
    Running,
    /// <summary>Ended (the outcome says how); its resources are free again.</summary>
    Ended,
}

/// <summary>
/// Allocation → job: where the run stands (<see cref="Outcome"/> once ended). <see cref="Seq"/> grows with every change;
/// a report is re-sent as a heartbeat while the run goes on, and the last one until the job acknowledges it.
/// <see cref="Node"/>: the address of the node the allocation runs on (where its logs and outputs are read).
/// </summary>
public sealed record AllocationReport(string JobId, string ProviderId, string ContractId, long Seq, AllocationState State, RunOutcome? Outcome,
    DateTimeOffset At, string Node = "") : IJobMessage
{
    /// <summary>With the end: the provider's signed receipt of what the run used (the job settles the contract from it).</summary>
    public UsageReceipt? Receipt { get; init; }

    public Proof? ReceiptProof { get; init; }
}

/// <summary>Job → allocation: the report with this sequence number is recorded (after the last one, the allocation stops re-sending).</summary>
public sealed record AllocationReportAck(string JobId, string ProviderId, string ContractId, long Seq) : IProviderMessage;

/// <summary>
/// Any node → the node holding a run: what the program printed on <see cref="Stream"/> from <see cref="Offset"/>, at most
/// <see cref="MaxBytes"/>. Answered with <see cref="RunLogChunk"/>, or <see cref="RunNotFound"/>.
/// </summary>
public sealed record GetRunLog(string ContractId, LogStream Stream, long Offset, int MaxBytes) : IOrchestratorMessage;

/// <param name="Ended">The run has ended: nothing is written after <see cref="Offset"/> + the data's length.</param>
public sealed record RunLogChunk(string ContractId, LogStream Stream, long Offset, byte[] Data, bool Ended, long Dropped) : IOrchestratorMessage;

/// <summary>Any node → the node holding a run: one output file, <see cref="MaxBytes"/> at a time from <see cref="Offset"/>.</summary>
public sealed record GetRunOutput(string ContractId, string Name, long Offset, int MaxBytes) : IOrchestratorMessage;

public sealed record RunOutputChunk(string ContractId, string Name, long Offset, byte[] Data, long Length) : IOrchestratorMessage;

public sealed record RunNotFound(string ContractId, string Detail) : IOrchestratorMessage;

/// <summary>Any node → any node: does it hold the uploaded module with this sha256 (answered <see cref="ModuleHeld"/>)?</summary>
public sealed record HasModule(string Sha256) : IOrchestratorMessage;

/// <param name="Length">The module's size in bytes; 0 when this node does not hold it.</param>
public sealed record ModuleHeld(string Sha256, bool Held, long Length) : IOrchestratorMessage;

/// <summary>A chunk of an uploaded module (answered <see cref="ModuleChunk"/>, or <see cref="RunNotFound"/> naming the module).</summary>
public sealed record GetModuleChunk(string Sha256, long Offset, int MaxBytes) : IOrchestratorMessage;

public sealed record ModuleChunk(string Sha256, long Offset, byte[] Data, long Length) : IOrchestratorMessage;

/// <summary>Where runs are read on every node: a run's <see cref="RunRecord.Node"/> followed by this path.</summary>
public static class RunStoreAddress
{
    public const string Path = "/user/runs";
}
