using Orchestrator.Protocol.Events;
using Akka.Actor;
using Orchestrator.Protocol.Messages;
using Orchestrator.Protocol.Model;
using Orchestrator.Providers;
using Xunit.Abstractions;
using static Orchestrator.Tests.Fixtures;

namespace Orchestrator.Tests.Actors;

/// <summary>
/// The second phase of contract closure, with real job and provider actors: a crash between the provider's commit
/// and the job's record never leaves a provider holding a contract its job does not hold.
/// </summary>
public class ContractReconciliationTests(ITestOutputHelper output) : ActorTestBase(output)
{
    private static readonly TimeSpan ConfirmAfter = TimeSpan.FromMilliseconds(300);

    /// <summary>Stands in for the job shard region: forwards a job's messages to its current incarnation, or drops them.</summary>
    private sealed class JobsById : ReceiveActor
    {
        public sealed record Route(string JobId, IActorRef? Job);

        private readonly Dictionary<string, IActorRef> _jobs = new();

        public JobsById()
        {
            Receive<Route>(r =>
            {
                if (r.Job is null) _jobs.Remove(r.JobId);
                else _jobs[r.JobId] = r.Job;
            });
            Receive<IJobMessage>(m =>
            {
                if (_jobs.TryGetValue(m.JobId, out var job)) job.Forward(m);
            });
        }
    }

    /// <summary>
    /// The provider as its job reaches it over the network: requests pass through, and a signed contract can be held
    /// back (the job's node dies before the answer arrives); the test is told the provider committed.
    /// </summary>
    private sealed class Link : ReceiveActor
    {
        public sealed record HoldBackSignatures(bool On);

        public Link(IActorRef provider, IActorRef observer)
        {
            var holdBack = false;
            Receive<HoldBackSignatures>(h => holdBack = h.On);
            Receive<IProviderMessage>(m =>
            {
                if (m is not (BidRequest or JobRequest or ContractProposal))
                {
                    provider.Forward(m);
                    return;
                }

                var requester = Sender;
                provider.Ask<IProviderMessage>(m, TimeSpan.FromSeconds(10)).ContinueWith(t =>
                {
                    if (t.Result is ContractSigned signed && holdBack) observer.Tell(signed);
                    else requester.Tell(t.Result);
                });
            });
        }
    }

    private (IActorRef Jobs, IActorRef A, IActorRef Link, IActorRef B) TwoProviders(Configuration.OrchestratorSettings settings)
    {
        var jobs = Sys.ActorOf(Props.Create(() => new JobsById()));
        var trust = Approve(settings, "cp-a", "cp-b");
        // cp-a is cheaper, so it is shortlisted first; both lock with their bids.
        var a = Sys.ActorOf(Orchestrator.Providers.ProviderActor.Props(Provider("cp-a", cpu: 8, price: 1m, lockOnBid: true), settings, trust, jobs: jobs));
        var link = Sys.ActorOf(Props.Create(() => new Link(a, TestActor)));
        link.Tell(new Link.HoldBackSignatures(true));
        Directory.Tell(new RegisterProvider(Provider("cp-a", cpu: 8, price: 1m, lockOnBid: true), link));
        var b = RealProvider(Provider("cp-b", cpu: 8, price: 2m, lockOnBid: true), settings, trust, jobs);
        return (jobs, a, link, b);
    }

    [Fact]
    public void A_job_that_crashed_after_the_provider_committed_and_resumed_without_it_has_the_provider_revert_the_contract()
    {
        var settings = Settings() with { ContractConfirmAfter = ConfirmAfter };
        var (jobs, a, link, b) = TwoProviders(settings);
        var trust = Approve(settings, "cp-a", "cp-b");

        var job = PostJob("job-x", settings, trust);
        jobs.Tell(new JobsById.Route("job-x", job));
        // cp-a committed the contract; its answer never reaches the job, whose node dies now.
        Assert.Equal("job-x@cp-a", ExpectMsg<ContractSigned>().Contract.ContractId);
        Watch(job);
        Sys.Stop(job);
        ExpectTerminated(job);
        jobs.Tell(new JobsById.Route("job-x", null));
        Assert.Equal(["job-x"], StatusOfProvider(a).Unconfirmed);

        // cp-a's node is gone too: the directory no longer lists it. The job resumes (elsewhere), cannot reach cp-a,
        // and closes with cp-b.
        Watch(link);
        Sys.Stop(link);
        ExpectTerminated(link);
        var resumed = StartJob("job-x", settings, trust);
        jobs.Tell(new JobsById.Route("job-x", resumed));
        var status = AwaitState(resumed, JobState.Contracted);
        Assert.Equal("job-x@cp-b", status.Contract!.ContractId);

        // cp-a asks the job (it keeps asking until the job is reachable) and reverts what the job does not hold.
        AwaitAssert(() =>
        {
            var ledger = StatusOfProvider(a);
            Assert.Empty(ledger.Contracts);
            Assert.Empty(ledger.Unconfirmed);
            Assert.Equal(8, ledger.Free.CpuCores);
        }, TimeSpan.FromSeconds(20), TimeSpan.FromMilliseconds(100));
        AwaitAssert(() =>
        {
            var ledger = StatusOfProvider(b);
            Assert.Equal("job-x@cp-b", Assert.Single(ledger.Contracts).ContractId);
            Assert.Empty(ledger.Unconfirmed);
        });
    }

    [Fact]
    public void A_job_that_crashed_after_the_provider_committed_and_resumed_on_the_same_node_adopts_the_contract()
    {
        var settings = Settings() with { ContractConfirmAfter = ConfirmAfter };
        var (jobs, a, link, b) = TwoProviders(settings);
        var trust = Approve(settings, "cp-a", "cp-b");

        var job = PostJob("job-y", settings, trust);
        var committed = ExpectMsg<ContractSigned>().Contract;
        Watch(job);
        Sys.Stop(job);
        ExpectTerminated(job);

        link.Tell(new Link.HoldBackSignatures(false));
        var resumed = StartJob("job-y", settings, trust);
        jobs.Tell(new JobsById.Route("job-y", resumed));
        var status = AwaitState(resumed, JobState.Contracted);

        // The contract the provider committed before the crash, not a second one.
        Assert.Equal(committed.ContractId, status.Contract!.ContractId);
        Assert.Equal(committed.SignedAt, status.Contract.SignedAt);
        AwaitAssert(() =>
        {
            var ledger = StatusOfProvider(a);
            Assert.Equal(committed.ContractId, Assert.Single(ledger.Contracts).ContractId);
            Assert.Empty(ledger.Unconfirmed);
        }, TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(100));
        AwaitAssert(() => Assert.Empty(StatusOfProvider(b).Locks));
        Assert.Empty(StatusOfProvider(b).Contracts);
    }
}

/// <summary>The provider's half of the second phase, against a probe standing in for the job.</summary>
public class UnconfirmedContractTests(ITestOutputHelper output) : ActorTestBase(output)
{
    private static Contract Terms(string job, string provider) =>
        new($"{job}@{provider}", job, "sp-test", provider, Needs(cpu: 3).Resources, [], 1m, DateTimeOffset.UtcNow,
            DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddHours(1));

    private (IActorRef Provider, Akka.TestKit.TestProbe Job) Committed(TimeSpan? confirmAfter = null)
    {
        var settings = Settings() with { ContractConfirmAfter = confirmAfter ?? TimeSpan.FromMilliseconds(200) };
        var job = CreateTestProbe("job");
        var provider = RealProvider(Provider("cp", cpu: 8), settings, jobs: job.Ref);
        provider.Tell(new JobRequest("job-1", "cp", "sp-test", Needs(cpu: 3)));
        ExpectMsg<Bid>();
        provider.Tell(new ContractProposal(Terms("job-1", "cp")));
        ExpectMsg<ContractSigned>();
        return (provider, job);
    }

    [Fact]
    public void Unconfirmed_the_provider_asks_the_job_again_and_again_and_reverts_only_on_the_answer_to_its_latest_question()
    {
        var (provider, job) = Committed();
        Assert.Equal(["job-1"], StatusOfProvider(provider).Unconfirmed);

        var first = job.ExpectMsg<ContractQuery>();
        Assert.Equal(("job-1", "cp", "job-1@cp"), (first.JobId, first.ProviderId, first.ContractId));
        var second = job.ExpectMsg<ContractQuery>();
        Assert.NotEqual(first.QueryId, second.QueryId);

        // An answer to an earlier question is stale: ignored.
        provider.Tell(new ContractDisowned("job-1", "cp", "job-1@cp", "moved on", first.QueryId));
        Assert.Single(StatusOfProvider(provider).Contracts);
        // An answer about another contract is ignored too.
        provider.Tell(new ContractDisowned("job-1", "cp", "job-1@cp-other", "moved on", second.QueryId));
        Assert.Single(StatusOfProvider(provider).Contracts);

        provider.Tell(new ContractDisowned("job-1", "cp", "job-1@cp", "the job contracted job-1@cp-b", second.QueryId));
        var after = StatusOfProvider(provider);
        Assert.Empty(after.Contracts);
        Assert.Empty(after.Unconfirmed);
        Assert.Equal(8, after.Free.CpuCores);
    }

    [Fact]
    public void A_confirmation_ends_the_questions()
    {
        var (provider, job) = Committed();
        provider.Tell(new ContractConfirmed("job-1", "cp", "job-1@cp"));
        Assert.Empty(StatusOfProvider(provider).Unconfirmed);
        // A question asked before the confirmation arrived (200 ms after the commit, on a slow machine) is in the job's
        // mailbox already, the provider having answered the status after it: those are not what this test is about.
        while (job.HasMessages) job.ExpectMsg<ContractQuery>();
        // A stale disowning after the confirmation changes nothing.
        provider.Tell(new ContractDisowned("job-1", "cp", "job-1@cp", "moved on", ""));
        Assert.Single(StatusOfProvider(provider).Contracts);
        // No question after the confirmation (the next would have come 400 ms after the first).
        job.ExpectNoMsg(TimeSpan.FromMilliseconds(600));
    }

    [Fact]
    public void A_proposal_re_signed_voids_the_answers_to_questions_asked_before_it()
    {
        var (provider, job) = Committed(TimeSpan.FromSeconds(5));
        provider.Tell(new ContractProposal(Terms("job-1", "cp")));
        ExpectMsg<ContractSigned>();
        provider.Tell(new ContractDisowned("job-1", "cp", "job-1@cp", "moved on", ""));
        Assert.Single(StatusOfProvider(provider).Contracts);
    }

    [Fact]
    public void A_release_of_a_contract_reverts_it()
    {
        var (provider, _) = Committed(TimeSpan.FromSeconds(5));
        provider.Tell(new ReleaseLock("job-1", "cp", "dropped from the job"));
        var after = StatusOfProvider(provider);
        Assert.Empty(after.Contracts);
        Assert.Empty(after.Unconfirmed);
    }

    private IActorRef CommittedTwo(Configuration.OrchestratorSettings settings, Akka.TestKit.TestProbe job)
    {
        var provider = RealProvider(Provider("cp", cpu: 8), settings, jobs: job.Ref);
        foreach (var id in new[] { "job-1", "job-2" }) Commit(provider, id);
        return provider;
    }

    private void Commit(IActorRef provider, string jobId)
    {
        provider.Tell(new JobRequest(jobId, "cp", "sp-test", Needs(cpu: 2)));
        ExpectMsg<Bid>();
        provider.Tell(new ContractProposal(Terms(jobId, "cp") with { Resources = Needs(cpu: 2).Resources }));
        ExpectMsg<ContractSigned>();
    }

    /// <summary>The provider's events as its journal holds them now (steps written together flattened).</summary>
    private IReadOnlyList<IProviderEvent> Journaled(string persistenceId)
    {
        var journal = Akka.Persistence.Persistence.Instance.Apply(Sys).JournalFor(null);
        var probe = CreateTestProbe();
        journal.Tell(new Akka.Persistence.ReplayMessages(0, long.MaxValue, long.MaxValue, persistenceId, probe.Ref));
        var events = new List<IProviderEvent>();
        while (probe.ExpectMsg<object>() is Akka.Persistence.ReplayedMessage replayed)
            events.AddRange(replayed.Persistent.Payload is ProviderStepsRecorded steps ? steps.Steps : [(IProviderEvent)replayed.Persistent.Payload]);
        return events;
    }

    private void Restart(IActorRef provider)
    {
        Watch(provider);
        Sys.Stop(provider);
        ExpectTerminated(provider);
    }

    [Fact]
    public void After_a_restart_only_the_contracts_not_confirmed_before_it_are_asked_about()
    {
        var settings = Settings() with { ContractConfirmAfter = TimeSpan.FromSeconds(30) };
        var job = CreateTestProbe("job");
        var provider = CommittedTwo(settings, job);
        provider.Tell(new ContractConfirmed("job-1", "cp", "job-1@cp"));
        Assert.Equal(["job-2"], StatusOfProvider(provider).Unconfirmed);
        // A provider that commits nothing more writes its confirmations on their own, soon after.
        AwaitAssert(() => Assert.Contains(Journaled("provider-cp"), e => e is ContractsConfirmed { JobIds: ["job-1"] }),
            TimeSpan.FromSeconds(15), TimeSpan.FromMilliseconds(200));
        Restart(provider);

        var restarted = RealProvider(Provider("cp", cpu: 8), settings with { ContractConfirmAfter = TimeSpan.FromMilliseconds(200) }, jobs: job.Ref);
        Assert.Equal(["job-2"], StatusOfProvider(restarted).Unconfirmed);
        var asked = job.ExpectMsg<ContractQuery>();
        Assert.Equal("job-2", asked.JobId);
        restarted.Tell(new ContractConfirmed("job-2", "cp", asked.ContractId, asked.QueryId));
        Assert.Empty(StatusOfProvider(restarted).Unconfirmed);
        Assert.Equal(2, StatusOfProvider(restarted).Contracts.Count);
    }

    [Fact]
    public void Confirmations_ride_along_in_the_next_contract_s_row_and_count_after_a_restart()
    {
        var settings = Settings() with { ContractConfirmAfter = TimeSpan.FromSeconds(30) };
        var job = CreateTestProbe("job");
        var provider = CommittedTwo(settings, job);
        provider.Tell(new ContractConfirmed("job-1", "cp", "job-1@cp"));
        provider.Tell(new ContractConfirmed("job-2", "cp", "job-2@cp"));
        // The next contract is written with them, in one row: durable once it is signed, no row of their own.
        Commit(provider, "job-3");
        var journal = Journaled("provider-cp");
        Assert.Equal(["job-1", "job-2"], Assert.Single(journal.OfType<ContractsConfirmed>()).JobIds);
        Assert.Equal(["job-1", "job-2", "job-3"], journal.OfType<ContractCommitted>().Select(c => c.Contract.JobId));
        Restart(provider);

        var restarted = RealProvider(Provider("cp", cpu: 8), settings, jobs: job.Ref);
        var status = StatusOfProvider(restarted);
        Assert.Equal(["job-3"], status.Unconfirmed);
        Assert.Equal(3, status.Contracts.Count);
        Assert.Equal(2, status.Free.CpuCores);
    }
}
