using Akka.Actor;
using Orchestrator.Api;
using Orchestrator.EndToEnd.Tests.Infrastructure;
using Orchestrator.Protocol.Messages;

namespace Orchestrator.EndToEnd.Tests;

/// <summary>The one way the HTTP handlers ask an actor: silence and a wrong answer both become a 503 that names who.</summary>
public sealed class ActorAskTests() : LocalActorSystem("ask")
{
    private sealed class Echo : ReceiveActor
    {
        public Echo() => ReceiveAny(message => Sender.Tell(message));
    }

    /// <summary>Drops the first message it gets (as a member that just died would), answers the rest, and counts them.</summary>
    private sealed class LosesTheFirst : ReceiveActor
    {
        private int _received;

        public LosesTheFirst()
        {
            Receive<string>(m => m == "count", _ => Sender.Tell(_received));
            ReceiveAny(message =>
            {
                if (++_received > 1) Sender.Tell(message);
            });
        }
    }

    [Fact]
    public async Task A_read_that_went_unanswered_is_asked_again_and_the_first_answer_wins()
    {
        var actor = Sys.ActorOf(Props.Create(() => new LosesTheFirst()));
        var (answer, problem) = await Sys.ReadAsync<GetJob>(actor, new GetJob("a"), "job 'a'", CancellationToken.None, TimeSpan.FromSeconds(30));
        Assert.Null(problem);
        Assert.Equal("a", answer!.JobId);
        // Asked twice (once lost, once answered), and no more once answered.
        await Task.Delay(ActorAsk.AskAgain.Longest * 2);
        Assert.Equal(2, await actor.Ask<int>("count", TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task A_read_never_answered_is_a_503_after_the_whole_wait()
    {
        var (answer, problem) = await Sys.ReadAsync<JobStatus>(Sys.DeadLetters, new GetJob("a"), "job 'a'", CancellationToken.None, TimeSpan.FromSeconds(1.5));
        Assert.Null(answer);
        Assert.Equal("job 'a' did not answer within 1.5 s", problem!.ProblemDetails.Detail);
    }

    [Fact]
    public async Task A_read_whose_request_is_gone_stops_asking()
    {
        using var gone = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            Sys.ReadAsync<JobStatus>(Sys.DeadLetters, new GetJob("a"), "job 'a'", gone.Token, TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task An_answer_of_the_type_asked_for_is_the_answer()
    {
        var echo = Sys.ActorOf(Props.Create(() => new Echo()));
        var (answer, problem) = await Sys.AskAsync<GetJob>(echo, new GetJob("a"), "the echo", CancellationToken.None, TimeSpan.FromSeconds(10));
        Assert.Null(problem);
        Assert.Equal("a", answer!.JobId);
    }

    [Fact]
    public async Task An_actor_that_does_not_answer_in_time_is_a_503_naming_it_and_the_wait()
    {
        var (answer, problem) = await Sys.AskAsync<JobStatus>(Sys.DeadLetters, new GetJob("a"), "job 'a'", CancellationToken.None, TimeSpan.FromMilliseconds(200));
        Assert.Null(answer);
        Assert.Equal(503, problem!.StatusCode);
        Assert.Equal("job 'a' did not answer within 0.2 s", problem.ProblemDetails.Detail);
    }

    [Fact]
    public async Task An_answer_of_another_type_is_a_503_naming_both()
    {
        var echo = Sys.ActorOf(Props.Create(() => new Echo()));
        var (answer, problem) = await Sys.AskAsync<JobStatus>(echo, "hello", "the echo", CancellationToken.None, TimeSpan.FromSeconds(10));
        Assert.Null(answer);
        Assert.Equal(503, problem!.StatusCode);
        Assert.Equal("the echo answered String, not JobStatus", problem.ProblemDetails.Detail);
    }
}
