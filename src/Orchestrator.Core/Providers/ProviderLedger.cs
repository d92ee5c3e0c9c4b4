using System.Collections.Immutable;
using Orchestrator.Protocol.Events;
using Orchestrator.Protocol.Messages;
using Orchestrator.Protocol.Model;

namespace Orchestrator.Providers;

/// <summary>Resources held for a job that has not (yet) signed a contract.</summary>
public sealed record ResourceLock(
    string JobId,
    string RequesterNodeId,
    ResourceRequirements Resources,
    IReadOnlyList<int> GpuIndices,
    decimal PricePerHour,
    DateTimeOffset ExpiresAt,
    decimal? PricePerResult = null);

/// <param name="Confirmed">Its job said it holds it (the second phase of closure); until then the provider asks.</param>
/// <param name="Allocated">Its job's program was started under it (an allocation holds it until the run ends).</param>
public sealed record CommittedContract(Contract Contract, IReadOnlyList<int> GpuIndices, bool Confirmed = false, bool Allocated = false);

/// <summary>What a provider has free right now: capacity less every lock and contract.</summary>
public sealed record FreeResources(int CpuCores, long RamMb, long DiskGb, IReadOnlyList<int> FreeGpuIndices);

/// <summary>
/// A provider's capacity and what holds it. Pure: events in, new ledger out. The invariant the actor relies on:
/// an event is only ever decided against <see cref="Free"/>, so locked + contracted never exceeds capacity.
/// Totals are kept as events apply, so asking what is free costs the same with ten holdings or ten thousand.
/// </summary>
public sealed record ProviderLedger(
    ProviderCapability Capability,
    ImmutableDictionary<string, ResourceLock> Locks,
    ImmutableDictionary<string, CommittedContract> Contracts)
{
    private Held _used = new(0, 0, 0);
    // Per GPU index, how many holdings name it: a count, not a set, so releasing one of two holdings that (against the
    // invariant, e.g. in a journal written by an older version) named the same GPU does not free it.
    private ImmutableDictionary<int, int> _usedGpus = ImmutableDictionary<int, int>.Empty;

    public static ProviderLedger Empty(ProviderCapability capability) =>
        new(capability, ImmutableDictionary<string, ResourceLock>.Empty, ImmutableDictionary<string, CommittedContract>.Empty);

    public string ProviderId => Capability.Id;

    /// <summary>Offboarding: no new jobs; gone once <see cref="IsEmpty"/>.</summary>
    public bool Offboarding { get; init; }

    public bool IsEmpty => Locks.IsEmpty && Contracts.IsEmpty;

    /// <summary>
    /// Whether what is held now fits a new capability; the reason when it does not (a capability is never changed
    /// under a contract it could no longer honour).
    /// </summary>
    public string? WhyNotFits(ProviderCapability next)
    {
        var r = next.Resources;
        if (_used.CpuCores > r.CpuCores) return $"{_used.CpuCores} cpu cores are held by locks and contracts; the new capability has {r.CpuCores}";
        if (_used.RamMb > r.RamMb) return $"{_used.RamMb} MB of RAM is held by locks and contracts; the new capability has {r.RamMb}";
        if (_used.DiskGb > r.DiskGb) return $"{_used.DiskGb} GB of disk is held by locks and contracts; the new capability has {r.DiskGb}";
        if (_usedGpus.Keys.Any(i => i >= r.Gpus.Count)) return $"GPU {_usedGpus.Keys.Max()} is held by a lock or contract; the new capability has {r.Gpus.Count} GPU(s)";
        return null;
    }

    public FreeResources Free
    {
        get
        {
            var capacity = Capability.Resources;
            var freeGpus = Enumerable.Range(0, capacity.Gpus.Count).Where(i => !_usedGpus.ContainsKey(i)).ToArray();
            // Clamped: a provider re-onboarded with less capacity than it has committed has nothing free, not less.
            return new FreeResources(
                Math.Max(0, capacity.CpuCores - _used.CpuCores),
                Math.Max(0, capacity.RamMb - _used.RamMb),
                Math.Max(0, capacity.DiskGb - _used.DiskGb),
                freeGpus);
        }
    }

    public ProviderLedger Apply(IProviderEvent e) => e switch
    {
        ResourcesLocked l when !Locks.ContainsKey(l.JobId) && !Contracts.ContainsKey(l.JobId) => Hold(l.Resources, l.GpuIndices) with
        {
            Locks = Locks.Add(l.JobId,
                new ResourceLock(l.JobId, l.RequesterNodeId, l.Resources, l.GpuIndices, l.PricePerHour, l.ExpiresAt, l.PricePerResult)),
        },
        LockReleased r when Locks.TryGetValue(r.JobId, out var held) => Unhold(held.Resources, held.GpuIndices) with
        {
            Locks = Locks.Remove(r.JobId),
        },
        ContractCommitted c when Locks.TryGetValue(c.Contract.JobId, out var held) => this with
        {
            // The lock's resources pass to the contract unchanged: totals stay as they are.
            Locks = Locks.Remove(c.Contract.JobId),
            Contracts = Contracts.Add(c.Contract.JobId, new CommittedContract(c.Contract, held.GpuIndices)),
        },
        // A contract is its own record: its lock lived in memory only (a lease), so the contract holds its resources itself.
        ContractCommitted c when !Contracts.ContainsKey(c.Contract.JobId) => Hold(c.Contract.Resources, c.GpuIndices) with
        {
            Contracts = Contracts.Add(c.Contract.JobId, new CommittedContract(c.Contract, c.GpuIndices)),
        },
        ContractEnded end when Contracts.TryGetValue(end.JobId, out var held) => Unhold(held.Contract.Resources, held.GpuIndices) with
        {
            Contracts = Contracts.Remove(end.JobId),
        },
        ContractsConfirmed confirmed => this with { Contracts = Confirm(Contracts, confirmed.JobIds) },
        ContractAllocated allocated when Contracts.TryGetValue(allocated.JobId, out var held) && held.Contract.ContractId == allocated.ContractId => this with
        {
            Contracts = Contracts.SetItem(allocated.JobId, held with { Allocated = true }),
        },
        ContractRevoked revoked when Contracts.TryGetValue(revoked.JobId, out var held) => Unhold(held.Contract.Resources, held.GpuIndices) with
        {
            Contracts = Contracts.Remove(revoked.JobId),
        },
        ProviderOffboarding => this with { Offboarding = true },
        ProviderStepsRecorded steps => steps.Steps.Aggregate(this, (ledger, step) => ledger.Apply(step)),
        _ => this,
    };

    /// <summary>The contracts with these jobs marked confirmed; a job without a contract here is passed over.</summary>
    private static ImmutableDictionary<string, CommittedContract> Confirm(ImmutableDictionary<string, CommittedContract> contracts, IReadOnlyList<string> jobIds)
    {
        var confirmed = contracts.ToBuilder();
        foreach (var jobId in jobIds)
        {
            var held = contracts.GetValueOrDefault(jobId);
            if (held is not null) confirmed[jobId] = held with { Confirmed = true };
        }

        return confirmed.ToImmutable();
    }

    private ProviderLedger Hold(ResourceRequirements r, IReadOnlyList<int> gpus) => this with
    {
        _used = new Held(_used.CpuCores + r.CpuCores, _used.RamMb + r.RamMb, _used.DiskGb + r.DiskGb),
        _usedGpus = Count(_usedGpus, gpus, +1),
    };

    private ProviderLedger Unhold(ResourceRequirements r, IReadOnlyList<int> gpus) => this with
    {
        _used = new Held(_used.CpuCores - r.CpuCores, _used.RamMb - r.RamMb, _used.DiskGb - r.DiskGb),
        _usedGpus = Count(_usedGpus, gpus, -1),
    };

    private static ImmutableDictionary<int, int> Count(ImmutableDictionary<int, int> holds, IReadOnlyList<int> gpus, int by)
    {
        var counts = holds.ToBuilder();
        foreach (var gpu in gpus)
        {
            var n = counts.GetValueOrDefault(gpu) + by;
            if (n > 0) counts[gpu] = n;
            else counts.Remove(gpu);
        }

        return counts.ToImmutable();
    }

    /// <summary>The capacity a provider reports to users (GET /orchestrator/providers).</summary>
    public ProviderStatus ToStatus(DateTimeOffset now)
    {
        var free = Free;
        return new ProviderStatus(
            Capability,
            new ResourceUsage(free.CpuCores, free.RamMb, free.DiskGb, free.FreeGpuIndices.Count),
            Sum(Locks.Values.Select(l => l.Resources), Locks.Values.Sum(l => l.GpuIndices.Count)),
            Sum(Contracts.Values.Select(c => c.Contract.Resources), Contracts.Values.Sum(c => c.GpuIndices.Count)),
            Locks.Values.OrderBy(l => l.ExpiresAt).Select(l => new LockView(l.JobId, l.ExpiresAt)).ToArray(),
            Contracts.Values.Select(c => c.Contract).OrderBy(c => c.SignedAt).ToArray(),
            now) { Offboarding = Offboarding };
    }

    private static ResourceUsage Sum(IEnumerable<ResourceRequirements> items, int gpus)
    {
        int cpu = 0;
        long ram = 0, disk = 0;
        foreach (var r in items)
        {
            cpu += r.CpuCores;
            ram += r.RamMb;
            disk += r.DiskGb;
        }

        return new ResourceUsage(cpu, ram, disk, gpus);
    }

    /// <summary>The amounts held by locks and contracts together (which GPUs, by index, are kept apart).</summary>
    private readonly record struct Held(int CpuCores, long RamMb, long DiskGb);
}
