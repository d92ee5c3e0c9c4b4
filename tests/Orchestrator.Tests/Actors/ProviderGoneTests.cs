using Akka.Actor;
using Orchestrator.Protocol.Messages;
using Orchestrator.Protocol.Model;
using Orchestrator.Providers;
using Xunit.Abstractions;
using static Orchestrator.Tests.Fixtures;

namespace Orchestrator.Tests.Actors;

/// <summary>
/// A shortlisted provider that is gone is a decline with the cause (<c>provider-gone</c>, naming its member), as the seed's
/// DeclineMessage path intends, not a zero-second TimeoutResponse nor a wait for an answer that cannot come.
/// </summary>
public class ProviderGoneTests(ITestOutputHelper output) : ActorTestBase(output)
{
    private string ThisMember => ((ExtendedActorSystem)Sys).Provider.DefaultAddress.ToString();

    [Fact]
    public void A_job_resuming_after_its_shortlisted_provider_left_the_directory_declines_it_as_provider_gone_and_moves_on()
    {
        var settings = Settings(request: TimeSpan.FromMinutes(1));
        var leaving = ProbeProvider("cp-leaving");
        RealProvider(Provider("cp-staying", price: 2m), settings);
        var trust = Approve(settings, "cp-leaving", "cp-staying");
        var job = PostJob("job-gone", settings, trust);
        leaving.ExpectMsg<BidRequest>();
        leaving.Reply(BidFrom("cp-leaving", 0.5m, job: "job-gone"));
        leaving.ExpectMsg<JobRequest>();
        AwaitState(job, JobState.Requested);

        // The job stops (its node goes, say) and, while it is down, the provider leaves: the directory remembers why.
        Watch(job);
        job.Tell(PoisonPill.Instance);
        ExpectTerminated(job);
        Sys.Stop(leaving.Ref);
        AwaitAssert(() =>
        {
            Directory.Tell(ListProviders.Instance, TestActor);
            var known = ExpectMsg<KnownProviders>();
            Assert.False(known.ById.ContainsKey("cp-leaving"));
            Assert.Equal(ThisMember, known.Departed["cp-leaving"].Member);
        }, TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(50));

        var resumed = StartJob("job-gone", settings, trust);
        resumed.Tell(new ResumeJob("job-gone"));
        var status = AwaitState(resumed, JobState.Contracted);
        Assert.Equal("cp-staying", status.Contract!.ProviderId);
        var decline = Assert.Single(status.Declines, d => d.ProviderId == "cp-leaving");
        Assert.Equal((ExchangePhase.JobRequest, DeclineReason.ProviderGone), (decline.Phase, decline.Reason));
        Assert.Contains("provider 'cp-leaving' left the directory", decline.Detail);
        Assert.Contains("the provider stopped", decline.Detail);
        Assert.Contains($"member {ThisMember}", decline.Detail);
        Assert.DoesNotContain(status.Timeouts, t => t.ProviderId == "cp-leaving");
    }

    [Fact]
    public void A_shortlisted_provider_that_stops_while_the_job_waits_for_its_answer_is_declined_at_once_not_at_the_timeout()
    {
        // A timeout far beyond the test's patience: only the provider's going can end the wait in time.
        var settings = Settings(request: TimeSpan.FromMinutes(5));
        var leaving = ProbeProvider("cp-leaving");
        RealProvider(Provider("cp-staying", price: 2m), settings);
        var job = PostJob("job-gone-mid-request", settings, Approve(settings, "cp-leaving", "cp-staying"));
        leaving.ExpectMsg<BidRequest>();
        leaving.Reply(BidFrom("cp-leaving", 0.5m, job: "job-gone-mid-request"));
        leaving.ExpectMsg<JobRequest>();

        Sys.Stop(leaving.Ref);
        var status = AwaitState(job, JobState.Contracted, TimeSpan.FromSeconds(30));
        Assert.Equal("cp-staying", status.Contract!.ProviderId);
        var decline = Assert.Single(status.Declines, d => d.ProviderId == "cp-leaving");
        Assert.Equal((ExchangePhase.JobRequest, DeclineReason.ProviderGone), (decline.Phase, decline.Reason));
        Assert.Contains("is gone while the job waited for its answer", decline.Detail);
    }

    [Fact]
    public void A_search_declines_a_candidate_that_left_as_provider_gone_and_one_never_known_as_unknown_provider()
    {
        var departure = new ProviderDeparture("cp-left", "akka.tcp://orchestrator@127.0.0.1:4053", "its member left the cluster", DateTimeOffset.UnixEpoch);
        var round = Orchestrator.Jobs.SearchRound.Start("job-1", ["cp-left", "cp-never"], new Dictionary<string, IActorRef>(), "n",
            DateTimeOffset.UnixEpoch, (_, _) => { }, new Dictionary<string, ProviderDeparture> { ["cp-left"] = departure });

        Assert.True(round.IsComplete);
        var byId = round.Declines.ToDictionary(d => d.ProviderId);
        Assert.Equal(DeclineReason.ProviderGone, byId["cp-left"].Reason);
        Assert.Equal("provider 'cp-left' left the directory at 1970-01-01T00:00:00.0000000+00:00: its member left the cluster " +
                     "(member akka.tcp://orchestrator@127.0.0.1:4053)", byId["cp-left"].Detail);
        Assert.Equal(DeclineReason.UnknownProvider, byId["cp-never"].Reason);
    }

    [Fact]
    public void The_directory_remembers_a_bounded_number_of_departures_and_forgets_one_that_came_back()
    {
        var directory = Sys.ActorOf(Props.Create(() => new ProviderDirectory(2)));
        var probes = Enumerable.Range(0, 3).Select(i => CreateTestProbe($"cp-{i}")).ToArray();
        for (var i = 0; i < 3; i++) directory.Tell(new RegisterProvider(Provider($"cp-{i}"), probes[i].Ref));
        // One after the other (stopped together, they may be noticed in any order).
        IReadOnlyDictionary<string, ProviderDeparture> departed = null!;
        for (var i = 0; i < 3; i++)
        {
            Sys.Stop(probes[i].Ref);
            AwaitAssert(() =>
            {
                directory.Tell(ListProviders.Instance, TestActor);
                departed = ExpectMsg<KnownProviders>().Departed;
                Assert.Contains($"cp-{i}", departed.Keys);
            }, TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(50));
        }

        Assert.Equal(2, departed.Count);
        // The oldest of three is forgotten.
        Assert.Equal(["cp-1", "cp-2"], departed.Keys.Order());

        var back = CreateTestProbe("cp-1-again");
        directory.Tell(new RegisterProvider(Provider("cp-1"), back.Ref));
        directory.Tell(ListProviders.Instance, TestActor);
        var known = ExpectMsg<KnownProviders>();
        Assert.True(known.ById.ContainsKey("cp-1"));
        Assert.Equal(["cp-2"], known.Departed.Keys);
    }
}
