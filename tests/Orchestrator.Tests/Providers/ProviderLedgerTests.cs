using FsCheck;
using FsCheck.Fluent;
using Orchestrator.Protocol.Events;
using Orchestrator.Protocol.Messages;
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

    private static ResourcesLocked LockOf(string job, int cpu, long ram, long disk, int[] gpus, int expiresInSeconds = 60) =>
        new("cp", job, "sp", new ResourceRequirements { CpuCores = cpu, RamMb = ram, DiskGb = disk }, gpus, 1m, T0.AddSeconds(expiresInSeconds), T0);

    /// <summary>One step of a generated history: lock, release, commit or end, for one of a few jobs.</summary>
    public sealed record Step(int Kind, int Job, int Cpu, int Ram, int Disk, int[] Gpus);

    private static Gen<Step[]> Histories =>
        Gen.ArrayOf(
            from kind in Gen.Choose(0, 4)
            from job in Gen.Choose(0, 5)
            from cpu in Gen.Choose(0, 4)
            from ram in Gen.Choose(0, 400)
            from disk in Gen.Choose(0, 40)
            from gpus in Gen.SubListOf(new[] { 0, 1, 2 })
            select new Step(kind, job, cpu, ram, disk, gpus.ToArray()));

    private static IProviderEvent EventOf(Step s, Dictionary<string, ResourceRequirements> locked)
    {
        var job = $"j{s.Job}";
        return s.Kind switch
        {
            0 or 1 => LockOf(job, s.Cpu, s.Ram, s.Disk, s.Gpus),
            2 => new LockReleased("cp", job, "released", T0),
            3 => new ContractCommitted("cp", ContractFor(job, locked.GetValueOrDefault(job)?.CpuCores ?? 0) with
            {
                Resources = locked.GetValueOrDefault(job) ?? new ResourceRequirements { CpuCores = 0, RamMb = 0, DiskGb = 0 },
            }, [], T0),
            _ => new ContractEnded("cp", job, T0),
        };
    }

    /// <summary>
    /// Whatever the history, what is free is the capacity less every lock and contract held now, counted afresh
    /// (never below zero), and the GPUs free are those no holding names: the running totals never drift.
    /// </summary>
    [Fact]
    public void Free_is_always_capacity_less_what_is_held_now() =>
        Prop.ForAll(Histories.ToArbitrary(), history =>
        {
            var capability = Provider("cp", cpu: 8, ramMb: 1000, diskGb: 100,
                gpus: [new Gpu("nvidia", "T4", 16384), new Gpu("nvidia", "T4", 16384), new Gpu("nvidia", "A100", 40960)]);
            var ledger = ProviderLedger.Empty(capability);
            var locked = new Dictionary<string, ResourceRequirements>();
            foreach (var step in history)
            {
                var e = EventOf(step, locked);
                ledger = ledger.Apply(e);
                locked = ledger.Locks.ToDictionary(kv => kv.Key, kv => kv.Value.Resources);
            }

            var held = ledger.Locks.Values.Select(l => (l.Resources, l.GpuIndices))
                .Concat(ledger.Contracts.Values.Select(c => (c.Contract.Resources, c.GpuIndices))).ToArray();
            var usedGpus = held.SelectMany(h => h.GpuIndices).ToHashSet();
            var free = ledger.Free;
            var expected = (
                Math.Max(0, 8 - held.Sum(h => h.Resources.CpuCores)),
                Math.Max(0, 1000 - held.Sum(h => h.Resources.RamMb)),
                Math.Max(0, 100 - held.Sum(h => h.Resources.DiskGb)),
                string.Join(",", Enumerable.Range(0, 3).Where(i => !usedGpus.Contains(i))));
            var actual = (free.CpuCores, free.RamMb, free.DiskGb, string.Join(",", free.FreeGpuIndices));
            return (expected == actual).Label($"expected {expected}, was {actual}");
        }).QuickCheckThrowOnFailure();

    [Fact]
    public void A_lock_or_a_second_commit_for_a_job_under_contract_change_nothing()
    {
        var contracted = _empty.Apply(Lock("j1", 3)).Apply(new ContractCommitted("cp", ContractFor("j1", 3), [], T0));
        Assert.Same(contracted, contracted.Apply(Lock("j1", 2)));
        Assert.Same(contracted, contracted.Apply(new ContractCommitted("cp", ContractFor("j1", 2), [], T0)));
        Assert.Same(contracted, contracted.Apply(new LockReleased("cp", "j1", "not a lock", T0)));
        Assert.Equal(5, contracted.Free.CpuCores);
        Assert.False(contracted.IsEmpty);
        Assert.True(contracted.Apply(new ContractEnded("cp", "j1", T0)).IsEmpty);
        Assert.True(_empty.IsEmpty);
        Assert.False(_empty.Apply(Lock("j2", 0)).IsEmpty);
    }

    [Fact]
    public void A_commit_without_a_lock_holds_the_contracts_own_resources_and_gpus()
    {
        // Locks are leases in memory: after a restart the journal holds the contract alone, and it must account for itself.
        var ledger = _empty.Apply(new ContractCommitted("cp", ContractFor("j9", 3), [1], T0));
        Assert.Equal(5, ledger.Free.CpuCores);
        Assert.Equal([0], ledger.Free.FreeGpuIndices);
        Assert.Equal([1], ledger.Contracts["j9"].GpuIndices);
        Assert.Empty(ledger.Locks);
        var ended = ledger.Apply(new ContractEnded("cp", "j9", T0));
        Assert.Equal(8, ended.Free.CpuCores);
        Assert.True(ended.IsEmpty);
    }

    [Fact]
    public void A_contract_keeps_the_gpus_its_lock_held()
    {
        var ledger = _empty.Apply(Lock("j1", 1, 1)).Apply(new ContractCommitted("cp", ContractFor("j1", 1), [0], T0));
        Assert.Equal([1], ledger.Contracts["j1"].GpuIndices);
        Assert.Equal([0], ledger.Free.FreeGpuIndices);
        Assert.Equal([0, 1], ledger.Apply(new ContractEnded("cp", "j1", T0)).Free.FreeGpuIndices);
    }

    [Fact]
    public void A_revoked_contract_frees_its_resources_and_gpus_and_an_unknown_one_changes_nothing()
    {
        var ledger = _empty.Apply(Lock("j1", 3, 1)).Apply(new ContractCommitted("cp", ContractFor("j1", 3), [0], T0));
        Assert.Same(ledger, ledger.Apply(new ContractRevoked("cp", "j9", "not held", T0)));
        var revoked = ledger.Apply(new ContractRevoked("cp", "j1", "the job does not hold it", T0));
        Assert.True(revoked.IsEmpty);
        Assert.Equal(_empty.Free.CpuCores, revoked.Free.CpuCores);
        Assert.Equal(_empty.Free.FreeGpuIndices, revoked.Free.FreeGpuIndices);
    }

    [Fact]
    public void Confirmations_mark_the_contracts_of_the_jobs_named_and_change_no_capacity()
    {
        var ledger = _empty.Apply(Lock("j1", 3)).Apply(new ContractCommitted("cp", ContractFor("j1", 3), [], T0))
            .Apply(Lock("j2", 2)).Apply(new ContractCommitted("cp", ContractFor("j2", 2), [], T0));
        Assert.False(ledger.Contracts["j1"].Confirmed);

        var confirmed = ledger.Apply(new ContractsConfirmed("cp", ["j1", "unknown"], T0));
        Assert.True(confirmed.Contracts["j1"].Confirmed);
        Assert.False(confirmed.Contracts["j2"].Confirmed);
        Assert.Equal(["j1", "j2"], confirmed.Contracts.Keys.Order());
        Assert.Equal(ledger.Free.CpuCores, confirmed.Free.CpuCores);
        Assert.Equal(ledger.Contracts["j1"].Contract, confirmed.Contracts["j1"].Contract);
    }

    [Fact]
    public void Steps_written_together_apply_in_order_as_if_written_one_by_one()
    {
        var ledger = _empty.Apply(Lock("j1", 3)).Apply(new ContractCommitted("cp", ContractFor("j1", 3), [], T0)).Apply(Lock("j2", 2));
        IProviderEvent[] steps = [new ContractsConfirmed("cp", ["j1"], T0), new ContractCommitted("cp", ContractFor("j2", 2), [], T0)];
        var together = ledger.Apply(new ProviderStepsRecorded("cp", steps));
        var oneByOne = steps.Aggregate(ledger, (l, e) => l.Apply(e));
        Assert.Equal((oneByOne.Free.CpuCores, oneByOne.Locks.Count), (together.Free.CpuCores, together.Locks.Count));
        Assert.Equal(oneByOne.Contracts.ToDictionary(c => c.Key, c => c.Value.Confirmed), together.Contracts.ToDictionary(c => c.Key, c => c.Value.Confirmed));
        Assert.True(together.Contracts["j1"].Confirmed);
        Assert.False(together.Contracts["j2"].Confirmed);
    }

    public static TheoryData<string, Resources, string?> NewCapabilities => new()
    {
        { "room for all", new Resources { CpuCores = 4, RamMb = 300, DiskGb = 30, Gpus = [new Gpu("nvidia", "T4", 1), new Gpu("nvidia", "T4", 1)] }, null },
        { "cpu", new Resources { CpuCores = 3, RamMb = 300, DiskGb = 30, Gpus = [new Gpu("nvidia", "T4", 1), new Gpu("nvidia", "T4", 1)] },
            "4 cpu cores are held by locks and contracts; the new capability has 3" },
        { "ram", new Resources { CpuCores = 4, RamMb = 299, DiskGb = 30, Gpus = [new Gpu("nvidia", "T4", 1), new Gpu("nvidia", "T4", 1)] },
            "300 MB of RAM is held by locks and contracts; the new capability has 299" },
        { "disk", new Resources { CpuCores = 4, RamMb = 300, DiskGb = 29, Gpus = [new Gpu("nvidia", "T4", 1), new Gpu("nvidia", "T4", 1)] },
            "30 GB of disk is held by locks and contracts; the new capability has 29" },
        { "gpus", new Resources { CpuCores = 4, RamMb = 300, DiskGb = 30, Gpus = [new Gpu("nvidia", "T4", 1)] },
            "GPU 1 is held by a lock or contract; the new capability has 1 GPU(s)" },
        { "no gpus", new Resources { CpuCores = 4, RamMb = 300, DiskGb = 30 }, "GPU 1 is held by a lock or contract; the new capability has 0 GPU(s)" },
    };

    [Theory]
    [MemberData(nameof(NewCapabilities))]
    public void A_new_capability_must_hold_what_is_held_now(string name, Resources next, string? refusal)
    {
        // Held: a lock of 3 cores / 200 MB / 20 GB on GPUs 0 and 1, and a contract of 1 core / 100 MB / 10 GB.
        var ledger = _empty.Apply(LockOf("j1", 3, 200, 20, [0, 1])).Apply(Lock("j2", 1)).Apply(new ContractCommitted("cp", ContractFor("j2", 1), [], T0));
        Assert.True(refusal == ledger.WhyNotFits(_empty.Capability with { Resources = next }), $"{name}: {ledger.WhyNotFits(_empty.Capability with { Resources = next })}");
    }

    [Fact]
    public void A_provider_given_less_than_it_holds_has_nothing_free_not_less_than_nothing()
    {
        var ledger = _empty.Apply(LockOf("j1", 6, 900, 90, [0]));
        var shrunk = ledger with { Capability = ledger.Capability with { Resources = new Resources { CpuCores = 2, RamMb = 100, DiskGb = 10, Gpus = [new Gpu("nvidia", "T4", 1)] } } };
        Assert.Equal((0, 0L, 0L, 0), (shrunk.Free.CpuCores, shrunk.Free.RamMb, shrunk.Free.DiskGb, shrunk.Free.FreeGpuIndices.Count));
    }

    [Fact]
    public void Status_lists_locks_by_expiry_and_contracts_by_signing_and_says_when_offboarding()
    {
        var fourGpus = ProviderLedger.Empty(Provider("cp", cpu: 8, ramMb: 1000, diskGb: 100, gpus: [.. Enumerable.Repeat(new Gpu("nvidia", "T4", 16384), 4)]));
        var ledger = fourGpus
            .Apply(LockOf("late", 1, 10, 1, [0], expiresInSeconds: 90)).Apply(LockOf("soon", 1, 10, 1, [1], expiresInSeconds: 30))
            .Apply(Lock("c2", 1, 2)).Apply(Lock("c1", 1, 3))
            .Apply(new ContractCommitted("cp", ContractFor("c2", 1) with { SignedAt = T0.AddSeconds(2) }, [], T0))
            .Apply(new ContractCommitted("cp", ContractFor("c1", 1) with { SignedAt = T0.AddSeconds(1) }, [], T0));
        var status = ledger.ToStatus(T0.AddSeconds(5));
        Assert.Equal(["soon", "late"], status.Locks.Select(l => l.JobId));
        Assert.Equal(T0.AddSeconds(30), status.Locks[0].ExpiresAt);
        Assert.Equal(["c1", "c2"], status.Contracts.Select(c => c.JobId));
        Assert.Equal(new ResourceUsage(2, 20, 2, 2), status.Locked);
        Assert.Equal(new ResourceUsage(2, 200, 20, 2), status.Contracted);
        Assert.Equal(new ResourceUsage(4, 780, 78, 0), status.Free);
        Assert.False(status.Offboarding);
        Assert.False(ledger.Offboarding);

        var leaving = ledger.Apply(new ProviderOffboarding("cp", T0));
        Assert.True(leaving.Offboarding);
        Assert.True(leaving.ToStatus(T0).Offboarding);
        Assert.Equal(ledger.Free, leaving.Free, new FreeComparer());
    }

    private sealed class FreeComparer : IEqualityComparer<FreeResources>
    {
        public bool Equals(FreeResources? a, FreeResources? b) =>
            a!.CpuCores == b!.CpuCores && a.RamMb == b.RamMb && a.DiskGb == b.DiskGb && a.FreeGpuIndices.SequenceEqual(b.FreeGpuIndices);

        public int GetHashCode(FreeResources obj) => obj.CpuCores;
    }
}
