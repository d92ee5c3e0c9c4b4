using Orchestrator.Protocol.Events;
using Orchestrator.Protocol.Model;
using Orchestrator.Providers;
using static Orchestrator.Tests.Fixtures;

namespace Orchestrator.Tests.Providers;

/// <summary>The provider's state: each transition, and the rules between its parts (<see cref="ProviderSession.Violations"/>).</summary>
public class ProviderSessionTests
{
    private static readonly DateTimeOffset T0 = DateTimeOffset.UnixEpoch;
    private static readonly ProviderSession Empty = ProviderSession.Start(Provider("cp", cpu: 8));

    internal static ResourcesLocked Lock(string job, int cpu = 2) =>
        new("cp", job, "sp", new ResourceRequirements { CpuCores = cpu, RamMb = 100, DiskGb = 10 }, [], 1m, T0.AddMinutes(1), T0);

    internal static ContractCommitted Committed(string job, int cpu = 2) =>
        new("cp", new Contract($"{job}@cp", job, "sp", "cp", new ResourceRequirements { CpuCores = cpu, RamMb = 100, DiskGb = 10 }, [], 1m, T0, T0,
            T0.AddHours(1)), [], T0);

    private static void Holds(ProviderSession session) => Assert.Empty(session.Violations());

    [Fact]
    public void A_lock_is_given_under_a_nonce_and_forgets_it_when_released()
    {
        var locked = Empty.Apply(Lock("j1")).GivenUnder("j1", "n1");
        Assert.Equal("n1", locked.LockNonces["j1"]);
        Assert.Equal("n2", locked.GivenUnder("j1", "n2").LockNonces["j1"]);
        Holds(locked);

        var released = locked.Apply(new LockReleased("cp", "j1", "x", T0));
        Assert.Empty(released.LockNonces);
        Assert.Empty(released.Ledger.Locks);
        Holds(released);
    }

    [Fact]
    public void Nothing_is_given_committed_or_kept_for_a_job_without_a_lock()
    {
        Assert.Empty(Empty.GivenUnder("j1", "n1").LockNonces);
        Assert.Empty(Empty.CommitStarted("j1").Committing);
        var locked = Empty.Apply(Lock("j1"));
        // A release is kept only while the contract is being written.
        Assert.Empty(locked.ReleaseAfterCommit("j1", "gone").ReleasedWhileCommitting);
        Assert.Equal("gone", locked.CommitStarted("j1").ReleaseAfterCommit("j1", "gone").ReleasedWhileCommitting["j1"]);
    }

    [Fact]
    public void A_committed_contract_ends_the_locks_bookkeeping_and_awaits_its_jobs_word()
    {
        var writing = Empty.Apply(Lock("j1")).GivenUnder("j1", "n1").CommitStarted("j1").ReleaseAfterCommit("j1", "gone");
        Assert.Contains("j1", writing.Committing);
        Holds(writing);

        var committed = writing.Apply(Committed("j1"));
        Assert.Empty(committed.Committing);
        Assert.Empty(committed.LockNonces);
        Assert.Empty(committed.ReleasedWhileCommitting);
        Assert.True(committed.Unconfirmed.ContainsKey("j1"));
        Assert.Null(committed.Unconfirmed["j1"]);
        Assert.True(committed.Ledger.Contracts.ContainsKey("j1"));
        Holds(committed);
    }

    [Fact]
    public void A_commit_the_ledger_does_not_take_awaits_nothing()
    {
        // A second commitment of a contract held already changes nothing (the ledger ignores it), so no question is reset.
        var asked = Empty.Apply(Committed("j1")).Asked("j1", "q1");
        Assert.Equal("q1", asked.Apply(Committed("j1")).Unconfirmed["j1"]);
    }

    [Fact]
    public void Questions_and_answers_about_a_contract()
    {
        var committed = Empty.Apply(Committed("j1"));
        var asked = committed.Asked("j1", "q1");
        Assert.Equal("q1", asked.Unconfirmed["j1"]);
        Assert.Null(asked.SignedAgain("j1").Unconfirmed["j1"]);
        // Nothing is asked about, or re-signed for, a contract that is not awaiting its job's word.
        Assert.Empty(Empty.Asked("j1", "q1").Unconfirmed);
        Assert.Empty(Empty.SignedAgain("j1").Unconfirmed);

        var confirmed = asked.Confirmed("j1");
        Assert.Empty(confirmed.Unconfirmed);
        Assert.Equal(["j1"], confirmed.ConfirmedNotRecorded);
        Holds(confirmed);
        // A second word changes nothing.
        Assert.Equal(["j1"], confirmed.Confirmed("j1").ConfirmedNotRecorded);
        Assert.Empty(confirmed.ConfirmationsTaken().ConfirmedNotRecorded);
    }

    [Fact]
    public void Written_confirmations_and_ended_contracts_leave_nothing_behind()
    {
        var two = Empty.Apply(Committed("j1")).Apply(Committed("j2"));
        var written = two.Apply(new ContractsConfirmed("cp", ["j1"], T0));
        Assert.Equal(["j2"], written.Unconfirmed.Keys);
        Assert.True(written.Ledger.Contracts["j1"].Confirmed);

        var ended = two.Confirmed("j1").Apply(new ContractEnded("cp", "j1", T0)).Apply(new ContractRevoked("cp", "j2", "x", T0));
        Assert.Empty(ended.Unconfirmed);
        Assert.Empty(ended.ConfirmedNotRecorded);
        Holds(ended);
    }

    [Fact]
    public void Steps_written_in_one_row_apply_in_order()
    {
        var row = new ProviderStepsRecorded("cp", [new ContractsConfirmed("cp", ["j1"], T0), Committed("j2")]);
        var session = Empty.Apply(Committed("j1")).Confirmed("j1").ConfirmationsTaken().Apply(row);
        Assert.Equal(["j2"], session.Unconfirmed.Keys);
        Assert.True(session.Ledger.Contracts["j1"].Confirmed);
        Holds(session);
    }

    [Fact]
    public void A_recovered_lock_was_journaled_by_an_older_version_and_is_released_with_an_event()
    {
        var recovered = Empty.Recover(Lock("j1")).Recover(Lock("j2"));
        Assert.Equal(["j1", "j2"], recovered.JournaledLocks.Order());
        Holds(recovered);
        // Released or committed: no longer journaled.
        var later = recovered.Recover(new LockReleased("cp", "j1", "x", T0)).Recover(Committed("j2"));
        Assert.Empty(later.JournaledLocks);
        // A lock for a job under contract is not taken by the ledger, so not tracked either; a live lock is never journaled.
        Assert.Empty(Empty.Recover(Committed("j1")).Recover(Lock("j1")).JournaledLocks);
        Assert.Empty(Empty.Apply(Lock("j1")).JournaledLocks);
        // Only the locks among a row's steps.
        Assert.Equal(["j3"], Empty.Recover(new ProviderStepsRecorded("cp", [Lock("j3"), Committed("j4")])).JournaledLocks);
    }

    [Fact]
    public void A_new_capability_replaces_the_old()
    {
        var bigger = Provider("cp", cpu: 16);
        Assert.Equal(16, Empty.WithCapability(bigger).Ledger.Free.CpuCores);
    }

    [Fact]
    public void Each_broken_rule_is_named()
    {
        var locked = Empty.Apply(Lock("j1"));
        var committed = Empty.Apply(Committed("c1"));
        var broken = Empty with
        {
            LockNonces = Empty.LockNonces.Add("a", "n"),
            JournaledLocks = Empty.JournaledLocks.Add("b"),
            Committing = Empty.Committing.Add("c"),
            ReleasedWhileCommitting = Empty.ReleasedWhileCommitting.Add("d", "r"),
            Unconfirmed = Empty.Unconfirmed.Add("e", null),
            ConfirmedNotRecorded = ["f"],
        };
        Assert.Equal(
        [
            "nonce without a lock: a", "journaled lock without a lock: b", "commit without a lock: c", "release kept without a commit: d",
            "unconfirmed without a contract: e", "confirmation without a contract: f",
        ], broken.Violations());
        Assert.Equal(["both unconfirmed and confirmed: c1"], (committed with { ConfirmedNotRecorded = ["c1"] }).Violations());
        Holds(locked with { LockNonces = locked.LockNonces.Add("j1", "n"), JournaledLocks = locked.JournaledLocks.Add("j1"), Committing = locked.Committing.Add("j1") });
        Assert.Equal("cp", Empty.ProviderId);
    }
}
