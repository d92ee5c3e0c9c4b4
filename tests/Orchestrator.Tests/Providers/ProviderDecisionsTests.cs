using Orchestrator.Matching;
using Orchestrator.Protocol.Events;
using Orchestrator.Protocol.Messages;
using Orchestrator.Protocol.Model;
using Orchestrator.Providers;
using Orchestrator.Trust;
using static Orchestrator.Tests.Fixtures;
using static Orchestrator.Tests.Providers.ProviderSessionTests;

namespace Orchestrator.Tests.Providers;

/// <summary>The provider's rules, one decision at a time, with time as a parameter.</summary>
public class ProviderDecisionsTests
{
    private static readonly DateTimeOffset T0 = DateTimeOffset.UnixEpoch;
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);
    private static readonly ProviderCapability Cp = Provider("cp", cpu: 8, ramMb: 1000, diskGb: 100, price: 3m,
        gpus: [new Gpu("nvidia", "T4", 16384), new Gpu("nvidia", "A100", 40960)]);
    private static readonly ProviderSession Empty = ProviderSession.Start(Cp);
    private static readonly JobRequirements Two = Needs(cpu: 2, ramMb: 100, diskGb: 10);

    private static ProviderSession LockedFor(string job, DateTimeOffset expires, string requester = "sp", int[]? gpus = null) =>
        Empty.Apply(new ResourcesLocked("cp", job, requester, Two.Resources, gpus ?? [], 3m, expires, T0));

    private static Contract Terms(string job = "j1", string requester = "sp", decimal price = 3m, ResourceRequirements? resources = null) =>
        new($"{job}@cp", job, requester, "cp", resources ?? Two.Resources, [], price, T0, T0, T0.AddHours(1));

    private static ExchangeAnswer Ask(ProviderSession session, JobRequirements needs, bool lockIt = true, bool askAgain = true, string job = "j1") =>
        ProviderDecisions.Answer(session, job, "sp", needs, lockIt, askAgain, Lease, T0);

    // --- answering bid and job requests

    [Fact]
    public void A_fitting_request_gets_a_lock_for_the_lease_or_an_offer()
    {
        var locked = Assert.IsType<ExchangeAnswer.Lock>(Ask(Empty, Two));
        Assert.Equal(new ResourcesLocked("cp", "j1", "sp", Two.Resources, locked.Event.GpuIndices, 3m, T0 + Lease, T0), locked.Event);
        Assert.Empty(locked.Event.GpuIndices);
        var spare = ((MatchResult.Eligible)CapabilityMatcher.Match(Cp, Empty.Ledger.Free, Two)).SpareCapacity;
        Assert.Equal(spare, locked.SpareCapacity);

        var offer = Assert.IsType<ExchangeAnswer.Offer>(Ask(Empty, Two, lockIt: false));
        Assert.Equal(new ExchangeAnswer.Offer(3m, spare), offer);
    }

    [Fact]
    public void A_lock_holds_the_gpus_the_matcher_assigned()
    {
        var needs = Needs(cpu: 1, ramMb: 10, diskGb: 1, gpus: [new GpuRequirement { Model = "A100" }]);
        Assert.Equal([1], Assert.IsType<ExchangeAnswer.Lock>(Ask(Empty, needs)).Event.GpuIndices);
    }

    [Fact]
    public void A_request_that_does_not_fit_what_is_free_is_declined_naming_the_constraint()
    {
        var full = Empty.Apply(new ResourcesLocked("cp", "other", "sp", Needs(cpu: 7).Resources, [], 3m, T0.AddMinutes(1), T0));
        var no = Assert.IsType<ExchangeAnswer.Ineligible>(Ask(full, Two));
        Assert.Equal(DeclineReason.InsufficientCpu, no.Reason);
        Assert.Contains("cpu", no.Detail, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void An_offboarding_provider_declines_new_jobs_but_answers_for_what_it_holds()
    {
        var leaving = LockedFor("j1", T0.AddMinutes(1)).Apply(new ProviderOffboarding("cp", T0));
        Assert.Same(ExchangeAnswer.Offboarding.Instance, Ask(leaving, Two, job: "j2"));
        Assert.Same(ExchangeAnswer.Offboarding.Instance, Ask(leaving, Two, lockIt: false, askAgain: false, job: "j1"));
        Assert.IsType<ExchangeAnswer.HeldAlready>(Ask(leaving, Two, job: "j1"));
        Assert.Contains("offboarded", ExchangeAnswer.Offboarding.Detail);
    }

    [Fact]
    public void A_job_asking_again_gets_the_same_answer_for_its_lock_or_contract()
    {
        var locked = LockedFor("j1", T0.AddMinutes(1));
        var spare = CapabilityMatcher.SpareCapacity(Cp.Resources, locked.Ledger.Free, new ResourceRequirements { CpuCores = 0, RamMb = 0, DiskGb = 0 });
        Assert.Equal(new ExchangeAnswer.HeldAlready(3m, T0.AddMinutes(1), spare), Ask(locked, Two));

        var contracted = Empty.Apply(Committed("j1"));
        var contractSpare = CapabilityMatcher.SpareCapacity(Cp.Resources, contracted.Ledger.Free, new ResourceRequirements { CpuCores = 0, RamMb = 0, DiskGb = 0 });
        Assert.Equal(new ExchangeAnswer.HeldAlready(1m, T0.AddHours(1), contractSpare), Ask(contracted, Two));
        Assert.NotEqual(1.0, contractSpare);

        // A dry run is never an answer about what is held: it is compared afresh (and locks nothing).
        Assert.IsType<ExchangeAnswer.Offer>(Ask(locked, Two, lockIt: false, askAgain: false));
        // Another job is answered on its own.
        Assert.IsType<ExchangeAnswer.Lock>(Ask(locked, Two, job: "j2"));
    }

    [Fact]
    public void An_expired_lock_is_released_first_unless_it_is_becoming_a_contract()
    {
        var locked = LockedFor("j1", T0);
        Assert.Equal(new LockReleased("cp", "j1", "lease expired", T0), ProviderDecisions.ExpiredLock(locked, "j1", T0));
        Assert.Equal(new LockReleased("cp", "j1", "lease expired", T0), ProviderDecisions.LeaseDue(locked, "j1", T0));
        Assert.Null(ProviderDecisions.ExpiredLock(locked, "j1", T0.AddTicks(-1)));
        Assert.Null(ProviderDecisions.ExpiredLock(locked.CommitStarted("j1"), "j1", T0.AddMinutes(1)));
        Assert.Null(ProviderDecisions.ExpiredLock(Empty, "j1", T0));
    }

    // --- contract proposals

    private static readonly Func<TrustVerdict> Trusted = () => TrustVerdict.Trusted;

    private static ProposalDecision Propose(ProviderSession session, Contract terms, Func<TrustVerdict>? requester = null, DateTimeOffset? now = null) =>
        ProviderDecisions.Propose(session, new ContractProposal(terms), requester ?? Trusted, now ?? T0);

    [Fact]
    public void The_locked_terms_are_committed_with_the_gpus_the_lock_holds()
    {
        var locked = LockedFor("j1", T0.AddMinutes(1), gpus: [1]);
        var commit = Assert.IsType<ProposalDecision.Commit>(Propose(locked, Terms()));
        Assert.Equal([1], commit.GpuIndices);
        Assert.Equal([new Gpu("nvidia", "A100", 40960)], commit.Contract.AssignedGpus);
        Assert.Equal(Terms() with { AssignedGpus = commit.Contract.AssignedGpus }, commit.Contract);
    }

    [Fact]
    public void A_proposal_during_its_write_joins_it_and_a_committed_contract_is_signed_again()
    {
        var locked = LockedFor("j1", T0.AddMinutes(1));
        Func<TrustVerdict> never = () => throw new InvalidOperationException("not asked for a contract held already");
        Assert.Same(ProposalDecision.JoinCommit.Instance, Propose(locked.CommitStarted("j1"), Terms(), never));
        var contracted = Empty.Apply(Committed("j1"));
        Assert.Equal(new ProposalDecision.SignAgain(contracted.Ledger.Contracts["j1"].Contract), Propose(contracted, Terms(price: 99m), never));
    }

    [Fact]
    public void A_requester_that_fails_verification_is_refused_and_its_lock_let_go()
    {
        var verdict = new TrustVerdict(DistrustReason.NotApproved, "not approved");
        var refused = Assert.IsType<ProposalDecision.Refuse>(Propose(LockedFor("j1", T0.AddMinutes(1)), Terms(), () => verdict));
        Assert.Equal(new ProposalDecision.Refuse(DeclineReason.VerificationFailed, verdict.ToString(), "requester failed verification"), refused);
    }

    [Fact]
    public void A_proposal_without_a_live_lock_is_refused_saying_which()
    {
        Assert.Equal(new ProposalDecision.Refuse(DeclineReason.NotLocked, "no resources are locked for this job (never requested, or released)", null),
            Propose(Empty, Terms()));
        var expired = Assert.IsType<ProposalDecision.Refuse>(Propose(LockedFor("j1", T0), Terms()));
        Assert.Equal((DeclineReason.LeaseExpired, "lease expired"), (expired.Reason, expired.ReleaseReason));
        Assert.Equal($"the lock for this job expired at {T0:O}", expired.Detail);
        Assert.IsType<ProposalDecision.Commit>(Propose(LockedFor("j1", T0.AddTicks(1)), Terms()));
    }

    [Fact]
    public void Only_the_terms_locked_are_signed()
    {
        var locked = LockedFor("j1", T0.AddMinutes(1));
        var otherRequester = Assert.IsType<ProposalDecision.Refuse>(Propose(locked, Terms(requester: "intruder")));
        Assert.Equal(DeclineReason.VerificationFailed, otherRequester.Reason);
        Assert.Equal("terms-mismatch: the resources were locked for requester 'sp', not 'intruder'", otherRequester.Detail);
        Assert.Equal("the proposed terms were not the locked ones", otherRequester.ReleaseReason);

        var dearer = Assert.IsType<ProposalDecision.Refuse>(Propose(locked, Terms(price: 4m)));
        Assert.Equal("terms-mismatch: " + ContractTerms.Locked(Terms(price: 4m), Two.Resources, 3m), dearer.Detail);
        Assert.IsType<ProposalDecision.Refuse>(Propose(locked, Terms(resources: Needs(cpu: 3).Resources)));
    }

    // --- releases, confirmations, questions

    [Fact]
    public void A_release_lets_go_of_a_lock_revokes_a_contract_or_waits_for_the_write()
    {
        var locked = LockedFor("j1", T0.AddMinutes(1)).GivenUnder("j1", "n1");
        Assert.Equal(new ReleaseDecision.ReleaseLock("done"), ProviderDecisions.Release(locked, new ReleaseLock("j1", "cp", "done")));
        Assert.Equal(new ReleaseDecision.AfterCommit("done"), ProviderDecisions.Release(locked.CommitStarted("j1"), new ReleaseLock("j1", "cp", "done")));
        Assert.Equal(new ReleaseDecision.Revoke("done"), ProviderDecisions.Release(Empty.Apply(Committed("j1")), new ReleaseLock("j1", "cp", "done")));
        Assert.Same(ReleaseDecision.Ignore.Instance, ProviderDecisions.Release(Empty, new ReleaseLock("j1", "cp", "done")));
    }

    [Fact]
    public void A_release_fenced_by_a_nonce_lets_go_only_of_the_lock_as_given_then()
    {
        var locked = LockedFor("j1", T0.AddMinutes(1)).GivenUnder("j1", "n1");
        Assert.Equal(new ReleaseDecision.ReleaseLock("late"), ProviderDecisions.Release(locked, new ReleaseLock("j1", "cp", "late", "n1")));
        Assert.Same(ReleaseDecision.Ignore.Instance, ProviderDecisions.Release(locked.GivenUnder("j1", "n2"), new ReleaseLock("j1", "cp", "late", "n1")));
        Assert.Same(ReleaseDecision.Ignore.Instance, ProviderDecisions.Release(locked.CommitStarted("j1"), new ReleaseLock("j1", "cp", "late", "n1")));
        Assert.Same(ReleaseDecision.Ignore.Instance, ProviderDecisions.Release(Empty.Apply(Committed("j1")), new ReleaseLock("j1", "cp", "late", "n1")));
    }

    [Fact]
    public void Only_the_answer_to_the_latest_question_about_the_contract_held_counts()
    {
        var asked = Empty.Apply(Committed("j1")).Asked("j1", "q2");
        Assert.True(ProviderDecisions.RevokeOnDisowned(asked, new ContractDisowned("j1", "cp", "j1@cp", "failed", "q2")));
        Assert.False(ProviderDecisions.RevokeOnDisowned(asked, new ContractDisowned("j1", "cp", "j1@cp", "failed", "q1")));
        Assert.False(ProviderDecisions.RevokeOnDisowned(asked, new ContractDisowned("j1", "cp", "other@cp", "failed", "q2")));
        Assert.False(ProviderDecisions.RevokeOnDisowned(asked.SignedAgain("j1"), new ContractDisowned("j1", "cp", "j1@cp", "failed", "q2")));

        Assert.True(ProviderDecisions.AcceptConfirmation(asked, new ContractConfirmed("j1", "cp", "j1@cp")));
        Assert.False(ProviderDecisions.AcceptConfirmation(asked, new ContractConfirmed("j1", "cp", "other@cp")));
        Assert.False(ProviderDecisions.AcceptConfirmation(asked.Confirmed("j1"), new ContractConfirmed("j1", "cp", "j1@cp")));
        Assert.False(ProviderDecisions.AcceptConfirmation(Empty, new ContractConfirmed("j1", "cp", "j1@cp")));
    }

    [Fact]
    public void A_contract_is_asked_about_until_answered_at_doubling_intervals_of_at_most_a_minute()
    {
        var committed = Empty.Apply(Committed("j1"));
        Assert.Equal("j1@cp", ProviderDecisions.StillUnconfirmed(committed, "j1")?.ContractId);
        Assert.Null(ProviderDecisions.StillUnconfirmed(committed.Confirmed("j1"), "j1"));
        Assert.Null(ProviderDecisions.StillUnconfirmed(Empty, "j1"));

        var first = TimeSpan.FromSeconds(2);
        Assert.Equal([2, 4, 8, 16, 32, 60, 60], Enumerable.Range(0, 7).Select(n => ProviderDecisions.NextAsk(first, n).TotalSeconds));
        // The shift stops at 16 doublings (a long-unanswered contract does not overflow the interval).
        Assert.Equal(TimeSpan.FromTicks(1 << 16), ProviderDecisions.NextAsk(TimeSpan.FromTicks(1), 17));
        Assert.Equal(TimeSpan.FromTicks(1 << 16), ProviderDecisions.NextAsk(TimeSpan.FromTicks(1), 40));
    }

    [Fact]
    public void A_contract_ends_when_due_unless_it_is_gone()
    {
        Assert.Equal(new ContractEnded("cp", "j1", T0), ProviderDecisions.ContractDue(Empty.Apply(Committed("j1")), "j1", T0));
        Assert.Null(ProviderDecisions.ContractDue(Empty, "j1", T0));
    }

    [Fact]
    public void Confirmations_ride_along_with_the_next_contract_or_are_written_alone()
    {
        var contract = Committed("j2");
        Assert.Same(contract, ProviderDecisions.WithConfirmations(Empty, contract, T0));

        var waiting = Empty.Apply(Committed("j1")).Confirmed("j1");
        var alone = Assert.IsType<ContractsConfirmed>(ProviderDecisions.Confirmations(waiting, T0));
        Assert.Equal(("cp", T0), (alone.ProviderId, alone.At));
        Assert.Equal(["j1"], alone.JobIds);
        var row = Assert.IsType<ProviderStepsRecorded>(ProviderDecisions.WithConfirmations(waiting, contract, T0));
        Assert.Equal("cp", row.ProviderId);
        Assert.Equal(["j1"], Assert.IsType<ContractsConfirmed>(row.Steps[0]).JobIds);
        Assert.Same(contract, row.Steps[1]);
        Assert.Equal(2, row.Steps.Count);
    }

    [Fact]
    public void An_offboarding_provider_is_gone_once_it_holds_nothing()
    {
        var leaving = LockedFor("j1", T0.AddMinutes(1)).Apply(new ProviderOffboarding("cp", T0));
        Assert.False(ProviderDecisions.Gone(leaving));
        Assert.True(ProviderDecisions.Gone(leaving.Apply(new LockReleased("cp", "j1", "x", T0))));
        Assert.False(ProviderDecisions.Gone(Empty));
    }

    [Fact]
    public void Each_event_names_its_job()
    {
        Assert.Equal(
            ["j1", "j2", "j3", "j4", "j5", "j6", "", ""],
            new IProviderEvent[]
            {
                Lock("j1"), new LockReleased("cp", "j2", "x", T0), Committed("j3"), new ContractEnded("cp", "j4", T0), new ContractRevoked("cp", "j5", "x", T0),
                new ProviderStepsRecorded("cp", [Lock("j0"), Lock("j6")]), new ProviderStepsRecorded("cp", []), new ProviderOffboarding("cp", T0),
            }.Select(ProviderDecisions.JobOf));
    }

    // --- runs

    private static StartAllocation Start(string contract = "j1@cp") =>
        new("j1", "cp", Terms() with { ContractId = contract }, new JobExecution { Executor = ExecutorType.Wasm }, 1);

    [Fact]
    public void A_run_starts_once_under_a_contract_held_for_its_job()
    {
        var contracted = Empty.Apply(Committed("j1"));
        var start = Assert.IsType<AllocationDecision.Start>(ProviderDecisions.Allocate(contracted, Start(), T0));
        Assert.Equal(new ContractAllocated("cp", "j1", "j1@cp", T0), start.Event);
        var allocated = contracted.Apply(start.Event);
        Assert.True(allocated.Ledger.Contracts["j1"].Allocated);
        Assert.Same(AllocationDecision.Started.Instance, ProviderDecisions.Allocate(allocated, Start(), T0));
        Assert.Equal([allocated.Ledger.Contracts["j1"].Contract], ProviderDecisions.Allocated(allocated));
        Assert.Empty(ProviderDecisions.Allocated(contracted));

        Assert.Equal(new AllocationDecision.NoContract("provider cp holds no contract j1@cp for job j1"), ProviderDecisions.Allocate(Empty, Start(), T0));
        Assert.Equal(new AllocationDecision.NoContract("provider cp holds no contract other@cp for job j1"),
            ProviderDecisions.Allocate(contracted, Start("other@cp"), T0));
        // An allocation event about another contract of the job changes nothing.
        Assert.False(contracted.Apply(new ContractAllocated("cp", "j1", "other@cp", T0)).Ledger.Contracts["j1"].Allocated);
    }

    [Fact]
    public void The_contract_ends_with_its_run()
    {
        var contracted = Empty.Apply(Committed("j1"));
        Assert.Equal(new ContractEnded("cp", "j1", T0), ProviderDecisions.RunEnded(contracted, "j1", "j1@cp", T0));
        Assert.Null(ProviderDecisions.RunEnded(contracted, "j1", "other@cp", T0));
        Assert.Null(ProviderDecisions.RunEnded(Empty, "j1", "j1@cp", T0));
    }

    [Fact]
    public void A_job_that_runs_a_program_is_declined_where_its_executor_is_not_registered()
    {
        var runs = Two with { Runs = ExecutorType.Wasm };
        var no = Assert.IsType<ExchangeAnswer.Ineligible>(ProviderDecisions.Answer(Empty, "j1", "sp", runs, true, true, Lease, T0, [ExecutorType.Docker, ExecutorType.Simulated]));
        Assert.Equal(new ExchangeAnswer.Ineligible(DeclineReason.ExecutorNotRegistered,
            "the job runs a wasm program; this provider's node has not registered that executor (it has: docker, simulated)"), no);
        Assert.Equal("the job runs a wasm program; this provider's node has not registered that executor (it has: none)",
            Assert.IsType<ExchangeAnswer.Ineligible>(ProviderDecisions.Answer(Empty, "j1", "sp", runs, true, true, Lease, T0, [])).Detail);
        Assert.IsType<ExchangeAnswer.Lock>(ProviderDecisions.Answer(Empty, "j1", "sp", runs, true, true, Lease, T0, [ExecutorType.Wasm]));
        // A reservation needs no executor on the node; a provider that does not say what it has is not held to it.
        Assert.IsType<ExchangeAnswer.Lock>(ProviderDecisions.Answer(Empty, "j1", "sp", Two, true, true, Lease, T0, []));
        Assert.IsType<ExchangeAnswer.Lock>(ProviderDecisions.Answer(Empty, "j1", "sp", runs, true, true, Lease, T0));
    }
}
