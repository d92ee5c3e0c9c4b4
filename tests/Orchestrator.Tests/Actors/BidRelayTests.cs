using Akka.Actor;
using Orchestrator.Jobs;
using Orchestrator.Protocol.Messages;
using Orchestrator.Protocol.Model;
using Xunit.Abstractions;
using static Orchestrator.Tests.Fixtures;

namespace Orchestrator.Tests.Actors;

/// <summary>
/// A search's bid requests to several providers of another member travel as one message to that member's directory,
/// and their answers as one back: each provider is still asked on its own there, a silent one is a TimeoutResponse, and
/// a lock that comes too late is released at once, fenced by the request's nonce — on either side.
/// </summary>
public class BidRelayTests(ITestOutputHelper output) : ActorTestBase(output)
{
    private static BidRequest Asking(string provider, string job = "job-r", string nonce = "round-1") =>
        new(job, provider, "sp-test", Needs(cpu: 1), Nonce: nonce);

    [Fact]
    public void The_member_asks_each_provider_and_answers_with_all_their_answers_in_one_message()
    {
        var (a, b, c) = (CreateTestProbe("cp-a"), CreateTestProbe("cp-b"), CreateTestProbe("cp-c"));
        Directory.Tell(new BidRequests("job-r", [new(a.Ref, Asking("cp-a")), new(b.Ref, Asking("cp-b")), new(c.Ref, Asking("cp-c"))],
            TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(10)), TestActor);

        Assert.Equal("cp-a", a.ExpectMsg<BidRequest>().ProviderId);
        a.Reply(BidFrom("cp-a", 1.0m, job: "job-r"));
        Assert.Equal("cp-b", b.ExpectMsg<BidRequest>().ProviderId);
        b.Reply(new DeclineMessage("job-r", "cp-b", ExchangePhase.Bid, DeclineReason.InsufficientCpu, "full"));
        // Nothing goes back until every provider of the member answered.
        ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        Assert.Equal("cp-c", c.ExpectMsg<BidRequest>().ProviderId);
        c.Reply(BidFrom("cp-c", 2.0m, job: "job-r"));

        var answers = ExpectMsg<BidAnswers>();
        Assert.Equal(["cp-a", "cp-c"], answers.Bids.Select(x => x.ProviderId).Order());
        Assert.Equal(["cp-b"], answers.Declines.Select(x => x.ProviderId));
        Assert.Empty(answers.Timeouts);
        ExpectNoMsg(TimeSpan.FromMilliseconds(300));
    }

    [Fact]
    public void A_silent_provider_is_a_timeout_and_its_late_lock_is_released_on_the_member_with_the_request_s_nonce()
    {
        var (quick, slow) = (CreateTestProbe("cp-quick"), CreateTestProbe("cp-slow"));
        Directory.Tell(new BidRequests("job-r", [new(quick.Ref, Asking("cp-quick")), new(slow.Ref, Asking("cp-slow", nonce: "round-7"))],
            TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(10)), TestActor);
        quick.ExpectMsg<BidRequest>();
        quick.Reply(BidFrom("cp-quick", 1.0m, job: "job-r"));
        slow.ExpectMsg<BidRequest>();

        var answers = ExpectMsg<BidAnswers>();
        Assert.Equal(["cp-quick"], answers.Bids.Select(x => x.ProviderId));
        var timeout = Assert.Single(answers.Timeouts);
        Assert.Equal(("cp-slow", TimeSpan.FromMilliseconds(500)), (timeout.ProviderId, timeout.After));

        // The slow provider locks after all: its collector on the member lets the lock go at once.
        slow.Reply(BidFrom("cp-slow", 1.0m, locked: true, job: "job-r"));
        var release = slow.ExpectMsg<ReleaseLock>();
        Assert.Equal(("job-r", "cp-slow", "round-7"), (release.JobId, release.ProviderId, release.Nonce));
        ExpectNoMsg(TimeSpan.FromMilliseconds(300));
    }

    [Fact]
    public void The_job_s_side_reports_each_provider_s_answer_and_times_out_the_member_that_does_not_answer()
    {
        var member = CreateTestProbe("member-directory");
        var (a, b) = (CreateTestProbe("cp-a"), CreateTestProbe("cp-b"));
        var requests = new[] { new RelayedBidRequest(a.Ref, Asking("cp-a")), new RelayedBidRequest(b.Ref, Asking("cp-b", nonce: "round-9")) };

        // Answered: one outcome per provider, to the job.
        var job = CreateTestProbe("job");
        job.ChildActorOf(RelayedBidCollector.Props(Sys.ActorSelection(member.Ref.Path), "job-r", requests, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(10)));
        var sent = member.ExpectMsg<BidRequests>();
        Assert.Equal(TimeSpan.FromSeconds(10) * RelayedBidCollector.MemberShare, sent.AnswerWithin);
        member.Reply(new BidAnswers("job-r", [BidFrom("cp-a", 1.0m, job: "job-r")],
            [new DeclineMessage("job-r", "cp-b", ExchangePhase.Bid, DeclineReason.InsufficientCpu, "full")], []));
        var outcomes = new[] { job.ExpectMsg<ExchangeOutcome>(), job.ExpectMsg<ExchangeOutcome>() };
        Assert.Equal([("cp-a", typeof(Bid)), ("cp-b", typeof(DeclineMessage))],
            outcomes.Select(o => (o.ProviderId, o.Answer.GetType())).OrderBy(o => o.ProviderId));

        // Not answered in time: a TimeoutResponse for each; the answer arriving later releases the lock it holds.
        var waiting = CreateTestProbe("job-2");
        waiting.ChildActorOf(RelayedBidCollector.Props(Sys.ActorSelection(member.Ref.Path), "job-r", requests, TimeSpan.FromMilliseconds(400), TimeSpan.FromSeconds(10)));
        member.ExpectMsg<BidRequests>();
        var late = member.LastSender;
        var timeouts = new[] { waiting.ExpectMsg<ExchangeOutcome>(), waiting.ExpectMsg<ExchangeOutcome>() };
        Assert.All(timeouts, t => Assert.IsType<TimeoutResponse>(t.Answer));
        late.Tell(new BidAnswers("job-r", [BidFrom("cp-b", 1.0m, locked: true, job: "job-r")], [], []), member.Ref);
        var release = b.ExpectMsg<ReleaseLock>();
        Assert.Equal(("job-r", "cp-b", "round-9"), (release.JobId, release.ProviderId, release.Nonce));
        a.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
    }
}
