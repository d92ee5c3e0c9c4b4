using Orchestrator.Protocol.Events;
using Orchestrator.Protocol.Model;
using Orchestrator.Providers;
using static Orchestrator.Tests.Fixtures;

namespace Orchestrator.Tests.Providers;

public class ProviderLedgerTests
{
    private static readonly DateTimeOffset T0 = DateTimeOffset.UnixEpoch;
    private readonly ProviderLedger _empty = ProviderLedger.Empty(Provider("cp", cpu: 8, ramMb: 1000, diskGb: 100,
        gpus: [new Gpu("nvidia", "T4", 16384), new Gpu("nvidia", "T4", 16384)]));

    private static ResourcesLocked Lock(string job, int cpu, params int[] gpus) =>
        new("cp", job, "sp", new ResourceRequirements { CpuCores = cpu, RamMb = 100, DiskGb = 10 }, gpus, 1m, T0.AddMinutes(1), T0);

    private static Contract ContractFor(string job, int cpu) =>
        new($"{job}@cp", job, "sp", "cp", new ResourceRequirements { CpuCores = cpu, RamMb = 100, DiskGb = 10 }, [], 1m, T0, T0, T0.AddHours(1));

    [Fact]
    public void Locks_and_contracts_both_hold_capacity_until_released_or_ended()
    {
        var ledger = _empty.Apply(Lock("j1", 3, 0)).Apply(Lock("j2", 2));
        Assert.Equal(new FreeResources(3, 800, 80, [1]), ledger.Free with { FreeGpuIndices = ledger.Free.FreeGpuIndices.ToArray() }, new FreeComparer());

        ledger = ledger.Apply(new ContractCommitted("cp", ContractFor("j1", 3), [0], T0));
        Assert.Equal(3, ledger.Free.CpuCores);
        Assert.DoesNotContain("j1", ledger.Locks.Keys);
        Assert.Single(ledger.Contracts);

        ledger = ledger.Apply(new LockReleased("cp", "j2", "lost", T0)).Apply(new ContractEnded("cp", "j1", T0));
        Assert.Equal(8, ledger.Free.CpuCores);
        Assert.Equal([0, 1], ledger.Free.FreeGpuIndices);
    }

    [Fact]
    public void Applying_a_lock_twice_or_releasing_an_unknown_job_changes_nothing()
    {
        var once = _empty.Apply(Lock("j1", 3));
        Assert.Equal(5, once.Apply(Lock("j1", 3)).Free.CpuCores);
        Assert.Equal(5, once.Apply(new LockReleased("cp", "unknown", "x", T0)).Free.CpuCores);
        Assert.Equal(5, once.Apply(new ContractEnded("cp", "unknown", T0)).Free.CpuCores);
    }

    [Fact]
    public void Status_reports_free_locked_and_contracted_separately()
    {
        var ledger = _empty.Apply(Lock("j1", 3, 1)).Apply(Lock("j2", 1))
            .Apply(new ContractCommitted("cp", ContractFor("j2", 1), [], T0));
        var status = ledger.ToStatus(T0);
        Assert.Equal(4, status.Free.CpuCores);
        Assert.Equal(1, status.Free.Gpus);
        Assert.Equal(3, status.Locked.CpuCores);
        Assert.Equal(1, status.Locked.Gpus);
        Assert.Equal(1, status.Contracted.CpuCores);
        Assert.Equal("j1", Assert.Single(status.Locks).JobId);
        Assert.Equal("j2", Assert.Single(status.Contracts).JobId);
    }

    private sealed class FreeComparer : IEqualityComparer<FreeResources>
    {
        public bool Equals(FreeResources? a, FreeResources? b) =>
            a!.CpuCores == b!.CpuCores && a.RamMb == b.RamMb && a.DiskGb == b.DiskGb && a.FreeGpuIndices.SequenceEqual(b.FreeGpuIndices);

        public int GetHashCode(FreeResources obj) => obj.CpuCores;
    }
}
