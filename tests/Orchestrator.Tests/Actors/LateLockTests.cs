using Akka.Actor;
using Orchestrator.Configuration;
using Orchestrator.Protocol.Messages;
using Orchestrator.Protocol.Model;
using Orchestrator.Providers;
using Xunit.Abstractions;
using static Orchestrator.Tests.Fixtures;

namespace Orchestrator.Tests.Actors;

/// <summary>
/// A provider that locks with an answer arriving after the job stopped waiting for it: the job's collector releases that
/// lock at once, so the capacity is free long before the lease would have ended it.
/// </summary>
public class LateLockTests(ITestOutputHelper output) : ActorTestBase(output)
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Stands between the job and a real provider: holds back the requests of the kind given until told to let them
    /// through, and reports every answer the provider gives and every release it is sent.
    /// </summary>
    private sealed class Relay : ReceiveActor
    {
        public sealed record LetThrough;

        public Relay(IActorRef provider, Type heldBack, IActorRef observer)
        {
            var held = new List<(object Message, IActorRef From)>();
            var askers = new Dictionary<string, IActorRef>();
            Receive<LetThrough>(_ =>
            {
                foreach (var (message, from) in held) provider.Tell(message, Self);
                held.Clear();
            });
            ReceiveAny(message =>
            {
                if (Sender.Equals(provider))
                {
                    observer.Tell(message);
                    if (message is Bid bid && askers.TryGetValue(bid.JobId, out var asker)) asker.Tell(bid, Self);
                    return;
                }

                if (message is ReleaseLock release) observer.Tell(release);
                if (message is IProviderMessage { } request && request.GetType() == heldBack)
                {
                    askers[JobOf(request)] = Sender;
                    held.Add((message, Sender));
                    return;
                }

                if (message is BidRequest or JobRequest) askers[JobOf((IProviderMessage)message)] = Sender;
                provider.Tell(message, Self);
            });
        }

        private static string JobOf(IProviderMessage request) => request switch
        {
            BidRequest b => b.JobId,
            JobRequest j => j.JobId,
            _ => "",
        };
    }

    [Fact]
    public void A_bid_that_locks_after_the_search_timeout_is_released_at_once_not_at_lease_expiry()
    {
        // Time enough for the real provider to answer on a starved machine (every message here is also serialized).
        var settings = Settings(search: TimeSpan.FromSeconds(4), lease: Lease);
        var lateProvider = Sys.ActorOf(ProviderActor.Props(Provider("cp-late", price: 0.5m, lockOnBid: true), settings, Approve(settings, "cp-late")));
        var observer = CreateTestProbe();
        var relay = Sys.ActorOf(Props.Create(() => new Relay(lateProvider, typeof(BidRequest), observer.Ref)));
        Directory.Tell(new RegisterProvider(Provider("cp-late", price: 0.5m, lockOnBid: true), relay));
        RealProvider(Provider("cp-fast", price: 2m), settings);

        var job = PostJob("job-late-bid", settings, Approve(settings, "cp-fast", "cp-late"));
        // The search gave up on cp-late (a TimeoutResponse) and the job went on without it.
        var status = AwaitState(job, JobState.Contracted);
        Assert.Equal("cp-late", Assert.Single(status.Timeouts).ProviderId);
        Assert.Equal("cp-fast", status.Contract!.ProviderId);

        // Now cp-late takes the bid request: it locks for a minute and answers.
        relay.Tell(new Relay.LetThrough());
        var bid = observer.ExpectMsg<Bid>();
        Assert.True(bid.ResourcesLocked);
        Assert.True(bid.LockExpiresAt > DateTimeOffset.UtcNow + Lease / 2, "the lease runs for a minute");

        // The job's collector tells it at once that the bid was not taken, and the capacity is free again.
        var release = observer.ExpectMsg<ReleaseLock>();
        Assert.Equal(("job-late-bid", "cp-late"), (release.JobId, release.ProviderId));
        Assert.Contains("after the job stopped waiting", release.Reason);
        AwaitAssert(() =>
        {
            var provider = StatusOfProvider(lateProvider);
            Assert.Empty(provider.Locks);
            Assert.Equal(8, provider.Free.CpuCores);
        }, TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(50));
        Assert.True(DateTimeOffset.UtcNow < bid.LockExpiresAt - TimeSpan.FromSeconds(30), "released well before the lease would have ended it");
    }

    [Fact]
    public void A_job_request_answered_after_its_timeout_is_released_at_once_and_the_job_contracts_with_the_next_provider()
    {
        var settings = Settings(request: TimeSpan.FromSeconds(4), lease: Lease);
        var capability = Provider("cp-late", price: 0.5m);
        var lateProvider = Sys.ActorOf(ProviderActor.Props(capability, settings, Approve(settings, "cp-late")));
        var observer = CreateTestProbe();
        var relay = Sys.ActorOf(Props.Create(() => new Relay(lateProvider, typeof(JobRequest), observer.Ref)));
        Directory.Tell(new RegisterProvider(capability, relay));
        RealProvider(Provider("cp-next", price: 2m), settings);

        var job = PostJob("job-late-request", settings, Approve(settings, "cp-next", "cp-late"));
        var status = AwaitState(job, JobState.Contracted);
        Assert.Equal("cp-next", status.Contract!.ProviderId);
        observer.FishForMessage(m => m is Bid { ResourcesLocked: false }); // cp-late's bid, which ranked first

        relay.Tell(new Relay.LetThrough());
        Assert.True(observer.FishForMessage<Bid>(b => b.ResourcesLocked).ResourcesLocked);
        Assert.Equal("job-late-request", observer.FishForMessage<ReleaseLock>(r => r.Reason.Contains("after the job stopped waiting")).JobId);
        AwaitAssert(() => Assert.Empty(StatusOfProvider(lateProvider).Locks), TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(50));
    }

    [Fact]
    public void A_release_fenced_by_an_old_request_leaves_alone_a_lock_given_again_since_and_never_touches_a_contract()
    {
        var settings = Settings(lease: Lease);
        var provider = RealProvider(Provider("cp-f", lockOnBid: true), settings);
        var needs = Needs();

        provider.Tell(new BidRequest("job-f", "cp-f", settings.NodeId, needs, Nonce: "round-1"), TestActor);
        Assert.True(ExpectMsg<Bid>().ResourcesLocked);
        // A later round asks again: the same lock, given again under the new round's nonce.
        provider.Tell(new BidRequest("job-f", "cp-f", settings.NodeId, needs, Nonce: "round-2"), TestActor);
        Assert.True(ExpectMsg<Bid>().ResourcesLocked);

        provider.Tell(new ReleaseLock("job-f", "cp-f", "late answer of round 1", Nonce: "round-1"));
        Assert.Equal(["job-f"], StatusOfProvider(provider).Locks.Select(l => l.JobId));

        provider.Tell(new ReleaseLock("job-f", "cp-f", "late answer of round 2", Nonce: "round-2"));
        Assert.Empty(StatusOfProvider(provider).Locks);

        // A contract is never released by a fenced release, whatever its nonce.
        provider.Tell(new JobRequest("job-c", "cp-f", settings.NodeId, needs, Nonce: "req-1"), TestActor);
        var locked = ExpectMsg<Bid>();
        var now = DateTimeOffset.UtcNow;
        var contract = new Contract("job-c@cp-f", "job-c", settings.NodeId, "cp-f", needs.Resources, [], locked.PricePerHour, now, now, now.AddHours(1));
        provider.Tell(new ContractProposal(contract), TestActor);
        ExpectMsg<ContractSigned>();
        provider.Tell(new ReleaseLock("job-c", "cp-f", "late", Nonce: "req-1"));
        Assert.Equal(["job-c"], StatusOfProvider(provider).Contracts.Select(c => c.JobId));
    }
}
