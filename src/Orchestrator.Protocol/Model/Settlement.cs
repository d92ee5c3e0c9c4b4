using System.Text.Json.Serialization;

namespace Orchestrator.Protocol.Model;

/// <summary>How a provider charges (NuNet's PriceBid): by the hour of the run, or a fixed amount for a successful result.</summary>
public enum PriceUnit
{
    [JsonStringEnumMemberName("hour")] Hour,
    [JsonStringEnumMemberName("result")] Result,
}

/// <summary>
/// What the provider measured of one run, signed by it when the run ended (NuNet's AcceptedProofOfWork): the wall time
/// from the program's start to its end, the CPU time it used, its peak memory, the bytes it left (logs and outputs), how it
/// ended, and the hash of its result (<see cref="ResultHash"/>: the outputs it kept, as the job receives them).
/// </summary>
public sealed record UsageReceipt(
    string ContractId,
    string JobId,
    string ProviderId,
    int Run,
    DateTimeOffset StartedAt,
    DateTimeOffset EndedAt,
    long WallMs,
    long CpuMs,
    long PeakMemoryBytes,
    long OutputBytes,
    string Outcome,
    int? ExitCode,
    string ResultHash);

/// <summary>
/// The amount a contract's terms give for its run, as the requester computed it from the provider's receipt: the outcome it
/// applied (its own record of how the run ended), the seconds billed, the amount, and how it was computed in words
/// (<see cref="Basis"/>). Both sides sign exactly this record.
/// </summary>
public sealed record Settlement(
    string ContractId,
    string JobId,
    string RequesterNodeId,
    string ProviderId,
    PriceUnit Unit,
    decimal Price,
    string Currency,
    string Outcome,
    long BilledSeconds,
    decimal Amount,
    string Basis,
    UsageReceipt Usage,
    DateTimeOffset At);

/// <summary>Where a contract's settlement stands, on either side.</summary>
public enum SettlementState
{
    /// <summary>The run ended; the provider's signed receipt has not reached the job yet.</summary>
    [JsonStringEnumMemberName("awaiting-receipt")] AwaitingReceipt,
    /// <summary>The job computed and signed the settlement; the provider's countersignature is awaited.</summary>
    [JsonStringEnumMemberName("proposed")] Proposed,
    /// <summary>Both sides signed the amount.</summary>
    [JsonStringEnumMemberName("settled")] Settled,
    /// <summary>One side disagreed (the reason is recorded on both); nothing is owed until it is resolved outside.</summary>
    [JsonStringEnumMemberName("disputed")] Disputed,
}

/// <summary>What the settlement provider (the plug-in that moves money) answered for a settled contract.</summary>
public sealed record SettlementTransfer(string Provider, string Reference, DateTimeOffset At);

/// <summary>
/// One contract's settlement as a side holds it: a row of the ledger. <see cref="RequesterProof"/> and
/// <see cref="ProviderProof"/> sign <see cref="Settlement"/> (on a network with an authority); <see cref="ReceiptProof"/>
/// is the provider's signature over the receipt. <see cref="DisputedBy"/> and <see cref="DisputeReason"/> when disputed;
/// <see cref="Transfer"/> once the settlement provider moved (or recorded) the amount.
/// </summary>
public sealed record SettlementRecord(string ContractId, string JobId, string RequesterNodeId, string ProviderId, SettlementState State)
{
    public Settlement? Settlement { get; init; }
    public UsageReceipt? Receipt { get; init; }
    public Proof? ReceiptProof { get; init; }
    public Proof? RequesterProof { get; init; }
    public Proof? ProviderProof { get; init; }
    public string? DisputedBy { get; init; }
    public string? DisputeReason { get; init; }
    public SettlementTransfer? Transfer { get; init; }

    /// <summary>When the run ended (the job's record), and when the settlement reached its present state.</summary>
    public DateTimeOffset EndedAt { get; init; }

    public DateTimeOffset UpdatedAt { get; init; }
}
