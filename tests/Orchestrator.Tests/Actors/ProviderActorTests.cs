using Akka.Actor;
using Orchestrator.Protocol.Messages;
using Orchestrator.Protocol.Model;
using Xunit.Abstractions;
using static Orchestrator.Tests.Fixtures;

namespace Orchestrator.Tests.Actors;

public class ProviderActorTests(ITestOutputHelper output) : ActorTestBase(output)
{
    /// <summary>The terms a job would propose for what it asked the provider to lock (at the fixture's price).</summary>
    private static Contract Terms(string job, string provider, JobRequirements? needs = null, decimal price = 1m, string requester = "sp-test") =>
        new($"{job}@{provider}", job, requester, provider, (needs ?? Needs()).Resources, [], price, DateTimeOffset.UtcNow,
            DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddHours(1));

    [Fact]
    public void A_job_request_locks_once_however_often_it_is_asked()
    {
        var settings = Settings();
        var provider = RealProvider(Provider("cp", cpu: 8), settings);
        provider.Tell(new JobRequest("job-1", "cp", "sp-test", Needs(cpu: 3)));
        var first = ExpectMsg<Bid>();
        provider.Tell(new JobRequest("job-1", "cp", "sp-test", Needs(cpu: 3)));
        var second = ExpectMsg<Bid>();

        Assert.True(first.ResourcesLocked);
        Assert.Equal(first.LockExpiresAt, second.LockExpiresAt);
        Assert.Equal(5, StatusOfProvider(provider).Free.CpuCores);
    }

    [Fact]
    public void Capacity_is_never_over_committed_a_request_beyond_it_is_declined()
    {
        var settings = Settings();
        var provider = RealProvider(Provider("cp", cpu: 4), settings);
        provider.Tell(new JobRequest("job-1", "cp", "sp-test", Needs(cpu: 3)));
        ExpectMsg<Bid>();
        provider.Tell(new JobRequest("job-2", "cp", "sp-test", Needs(cpu: 3)));
        var decline = ExpectMsg<DeclineMessage>();
        Assert.Equal((ExchangePhase.JobRequest, DeclineReason.InsufficientCpu), (decline.Phase, decline.Reason));
        Assert.Equal("requires 3 CPU cores; only 1 of 4 are free", decline.Detail);
    }

    [Fact]
    public void A_lock_is_released_when_its_lease_expires()
    {
        var settings = Settings(lease: TimeSpan.FromMilliseconds(300));
        var provider = RealProvider(Provider("cp", cpu: 4), settings);
        provider.Tell(new JobRequest("job-1", "cp", "sp-test", Needs(cpu: 4)));
        ExpectMsg<Bid>();
        AwaitAssert(() => Assert.Equal(4, StatusOfProvider(provider).Free.CpuCores), TimeSpan.FromSeconds(10));

        provider.Tell(new ContractProposal(Terms("job-1", "cp")));
        Assert.Equal(DeclineReason.NotLocked, ExpectMsg<DeclineMessage>().Reason);
    }

    [Fact]
    public void Lock_on_bid_locks_with_the_bid_and_a_release_frees_it()
    {
        var settings = Settings();
        var provider = RealProvider(Provider("cp", cpu: 4, lockOnBid: true), settings);
        provider.Tell(new BidRequest("job-1", "cp", "sp-test", Needs(cpu: 2)));
        Assert.True(ExpectMsg<Bid>().ResourcesLocked);
        Assert.Equal(2, StatusOfProvider(provider).Free.CpuCores);

        provider.Tell(new ReleaseLock("job-1", "cp", "another provider was contracted"));
        Assert.Equal(4, StatusOfProvider(provider).Free.CpuCores);
    }

    [Fact]
    public void A_proposal_for_other_terms_than_were_locked_is_declined_and_the_lock_released()
    {
        var settings = Settings();
        var provider = RealProvider(Provider("cp", cpu: 8, price: 2m), settings);
        provider.Tell(new JobRequest("job-1", "cp", "sp-test", Needs(cpu: 2)));
        ExpectMsg<Bid>();

        provider.Tell(new ContractProposal(Terms("job-1", "cp", Needs(cpu: 2), price: 1.5m)));
        var decline = ExpectMsg<DeclineMessage>();
        Assert.Equal((ExchangePhase.ContractClosure, DeclineReason.VerificationFailed), (decline.Phase, decline.Reason));
        Assert.Equal("terms-mismatch: the contract's price per hour is 1.5, not the agreed 2", decline.Detail);
        Assert.Empty(StatusOfProvider(provider).Contracts);
        Assert.Empty(StatusOfProvider(provider).Locks);
    }

    [Fact]
    public void Contracts_survive_a_restart_exactly_and_locks_as_leases_in_memory_do_not()
    {
        var settings = Settings();
        var capability = Provider("cp-durable", cpu: 8);
        var provider = RealProvider(capability, settings);
        provider.Tell(new JobRequest("job-1", "cp-durable", "sp-test", Needs(cpu: 2)));
        ExpectMsg<Bid>();
        provider.Tell(new JobRequest("job-2", "cp-durable", "sp-test", Needs(cpu: 3)));
        ExpectMsg<Bid>();
        provider.Tell(new ContractProposal(Terms("job-2", "cp-durable", Needs(cpu: 3))));
        var signed = ExpectMsg<ContractSigned>();
        var before = StatusOfProvider(provider);
        Assert.Equal(3, before.Free.CpuCores);

        Watch(provider);
        provider.Tell(PoisonPill.Instance);
        ExpectTerminated(provider);

        var restarted = RealProvider(capability, settings);
        var after = StatusOfProvider(restarted);
        Assert.Equal(before.Contracted, after.Contracted);
        Assert.Equal(signed.Contract.ContractId, Assert.Single(after.Contracts).ContractId);
        // The lock was a lease held in memory: gone with the actor, its capacity free again.
        Assert.Empty(after.Locks);
        Assert.Equal(5, after.Free.CpuCores);

        // A proposal re-sent after a crash gets the same contract, not a second commitment.
        restarted.Tell(new ContractProposal(Terms("job-2", "cp-durable", Needs(cpu: 3))));
        Assert.Equal(signed.Contract.SignedAt, ExpectMsg<ContractSigned>().Contract.SignedAt);
        Assert.Equal(5, StatusOfProvider(restarted).Free.CpuCores);

        // The lost lock is re-validated at commitment: the job's proposal is declined, and it moves on.
        restarted.Tell(new ContractProposal(Terms("job-1", "cp-durable", Needs(cpu: 2))));
        Assert.Equal(DeclineReason.NotLocked, ExpectMsg<DeclineMessage>().Reason);
        Assert.DoesNotContain(StatusOfProvider(restarted).Contracts, c => c.JobId == "job-1");
    }

    [Fact]
    public void During_a_contracts_write_a_second_proposal_gets_the_same_contract_and_a_release_revokes_it_once_written()
    {
        var settings = Settings();
        var provider = RealProvider(Provider("cp-race", cpu: 8), settings);
        provider.Tell(new JobRequest("job-1", "cp-race", "sp-test", Needs(cpu: 3)));
        ExpectMsg<Bid>();

        // All three are in the mailbox before the journal can answer the write the first one starts.
        provider.Tell(new ContractProposal(Terms("job-1", "cp-race", Needs(cpu: 3))));
        provider.Tell(new ContractProposal(Terms("job-1", "cp-race", Needs(cpu: 3))));
        provider.Tell(new ReleaseLock("job-1", "cp-race", "the job dropped this provider"));
        var first = ExpectMsg<ContractSigned>();
        var second = ExpectMsg<ContractSigned>();
        Assert.Equal(first.Contract.ContractId, second.Contract.ContractId);

        AwaitAssert(() =>
        {
            var status = StatusOfProvider(provider);
            Assert.Empty(status.Contracts);
            Assert.Empty(status.Locks);
            Assert.Equal(8, status.Free.CpuCores);
        });
    }

    [Fact]
    public void A_lock_costs_no_journal_write_and_a_contract_costs_one()
    {
        var settings = Settings();
        var provider = RealProvider(Provider("cp-rows", cpu: 8), settings);
        provider.Tell(new JobRequest("job-1", "cp-rows", "sp-test", Needs(cpu: 2)));
        ExpectMsg<Bid>();
        provider.Tell(new ReleaseLock("job-1", "cp-rows", "dropped"));
        provider.Tell(new JobRequest("job-2", "cp-rows", "sp-test", Needs(cpu: 3)));
        ExpectMsg<Bid>();
        provider.Tell(new ContractProposal(Terms("job-2", "cp-rows", Needs(cpu: 3))));
        ExpectMsg<ContractSigned>();

        var journal = Akka.Persistence.Persistence.Instance.Apply(Sys).JournalFor(null);
        journal.Tell(new Akka.Persistence.ReplayMessages(1, long.MaxValue, long.MaxValue, "provider-cp-rows", TestActor));
        var replayed = ExpectMsg<Akka.Persistence.ReplayedMessage>();
        Assert.IsType<Orchestrator.Protocol.Events.ContractCommitted>(replayed.Persistent.Payload);
        ExpectMsg<Akka.Persistence.RecoverySuccess>();
    }
}

public class ExpiredLeaseTests(Xunit.Abstractions.ITestOutputHelper output) : ActorTestBase(output)
{
    [Fact]
    public void A_job_asking_again_after_its_lease_ran_out_gets_a_fresh_lock_not_the_expired_one()
    {
        // A lease far shorter than the timer's chance to run: the second request sees the lock already expired.
        var settings = Fixtures.Settings(lease: TimeSpan.FromMilliseconds(1));
        var provider = RealProvider(Fixtures.Provider("cp", cpu: 4), settings);
        provider.Tell(new JobRequest("job-1", "cp", "sp-test", Fixtures.Needs(cpu: 2)));
        var first = ExpectMsg<Bid>();
        AwaitCondition(() => DateTimeOffset.UtcNow > first.LockExpiresAt);

        provider.Tell(new JobRequest("job-1", "cp", "sp-test", Fixtures.Needs(cpu: 2)));
        var second = ExpectMsg<Bid>();
        Assert.True(second.ResourcesLocked);
        Assert.True(second.LockExpiresAt > first.LockExpiresAt);
    }
}

public class ProviderHostTests(Xunit.Abstractions.ITestOutputHelper output) : ActorTestBase(output)
{
    [Fact]
    public void The_host_reports_ready_only_once_every_provider_has_loaded_its_ledger()
    {
        var settings = Fixtures.Settings();
        var host = Sys.ActorOf(Props.Create(() => new Orchestrator.Providers.ProviderHost(
            new[] { Fixtures.Provider("cp-a"), Fixtures.Provider("cp-b") }, settings, Approve(settings), Directory)));
        AwaitAssert(() =>
        {
            host.Tell(GetProvidersReadiness.Instance);
            var readiness = ExpectMsg<ProvidersReadiness>();
            Assert.Equal(2, readiness.Total);
            Assert.True(readiness.Ready);
        });
    }
}
