using Orchestrator.Protocol.Model;

namespace Orchestrator.Protocol.Messages;

public sealed record ResourceUsage(int CpuCores, long RamMb, long DiskGb, int Gpus);

public sealed record LockView(string JobId, DateTimeOffset ExpiresAt);

/// <summary>A provider as users see it: what it offers, what is free, what is locked and contracted.</summary>
public sealed record ProviderStatus(
    ProviderCapability Capability,
    ResourceUsage Free,
    ResourceUsage Locked,
    ResourceUsage Contracted,
    IReadOnlyList<LockView> Locks,
    IReadOnlyList<Contract> Contracts,
    DateTimeOffset AsOf) : IProviderMessage
{
    public string ProviderId => Capability.Id;

    /// <summary>Being offboarded: no new jobs; it leaves once its contracts and locks have ended.</summary>
    public bool Offboarding { get; init; }

    /// <summary>
    /// The jobs whose contracts this provider committed but whose job has not yet said it holds them (the second phase
    /// of closure): normally empty within moments; the provider asks each job until it answers.
    /// </summary>
    public IReadOnlyList<string> Unconfirmed { get; init; } = [];

    /// <summary>
    /// The contracts (by id) whose job's program this provider runs now: an allocation holds each until its run ends, when
    /// the contract ends with it.
    /// </summary>
    public IReadOnlyList<string> Allocations { get; init; } = [];

    /// <summary>What the provider has earned, per currency: its settled contracts (docs/settlement.md).</summary>
    public IReadOnlyList<CurrencyTotal> Earnings { get; init; } = [];

    /// <summary>The contracts whose run ended and whose settlement is not recorded here yet (the receipt goes to the job until it is).</summary>
    public IReadOnlyList<string> Unsettled { get; init; } = [];
}

/// <summary>Ask a provider for its <see cref="ProviderStatus"/>.</summary>
public sealed record GetProviderStatus(string ProviderId) : IProviderMessage;
