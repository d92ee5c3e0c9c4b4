using Orchestrator.Protocol.Messages;
using Orchestrator.Protocol.Model;
using Xunit.Abstractions;
using static Orchestrator.Tests.Fixtures;

namespace Orchestrator.Tests.Actors;

/// <summary>Two jobs competing for the last free capacity of one real provider.</summary>
public class CompetitionTests(ITestOutputHelper output) : ActorTestBase(output)
{
    [Fact]
    public void Exactly_one_job_gets_the_capacity_the_other_is_declined_at_job_request_and_moves_on()
    {
        var settings = Settings();
        var solo = RealProvider(Provider("cp-solo", cpu: 4, price: 0.5m), settings);
        var backup = RealProvider(Provider("cp-backup", cpu: 64, price: 2m), settings);
        // A provider under the test's control holds both searches open until both jobs have seen cp-solo's
        // full capacity, so both shortlist it and race at the job request.
        var gate = ProbeProvider("cp-gate");
        var approval = Approve(settings, "cp-solo", "cp-backup", "cp-gate");

        var first = PostJob("job-first", settings, approval, Needs(cpu: 3));
        var second = PostJob("job-second", settings, approval, Needs(cpu: 3));
        var held = new List<(BidRequest Ask, Akka.Actor.IActorRef Collector)>();
        for (var i = 0; i < 2; i++)
        {
            var ask = gate.ExpectMsg<BidRequest>();
            held.Add((ask, gate.LastSender));
        }

        foreach (var (ask, collector) in held)
            collector.Tell(new DeclineMessage(ask.JobId, "cp-gate", ExchangePhase.Bid, DeclineReason.InsufficientCpu, "gate"), gate.Ref);

        var a = AwaitState(first, JobState.Contracted);
        var b = AwaitState(second, JobState.Contracted);

        var onSolo = new[] { a, b }.Where(s => s.Contract!.ProviderId == "cp-solo").ToArray();
        var loser = Assert.Single(new[] { a, b }, s => s.Contract!.ProviderId == "cp-backup");
        Assert.Single(onSolo);
        var decline = Assert.Single(loser.Declines, d => d.ProviderId == "cp-solo");
        Assert.Equal((ExchangePhase.JobRequest, DeclineReason.InsufficientCpu), (decline.Phase, decline.Reason));

        var soloStatus = StatusOfProvider(solo);
        Assert.Equal(3, soloStatus.Contracted.CpuCores);
        Assert.Equal(1, soloStatus.Free.CpuCores);
        Assert.Equal(3, StatusOfProvider(backup).Contracted.CpuCores);
    }
}
