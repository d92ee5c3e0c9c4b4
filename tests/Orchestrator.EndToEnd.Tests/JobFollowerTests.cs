using System.Threading.Channels;
using Akka.Actor;
using Orchestrator.Api;
using Orchestrator.EndToEnd.Tests.Infrastructure;
using Orchestrator.Protocol.Messages;
using Orchestrator.Protocol.Model;

namespace Orchestrator.EndToEnd.Tests;

/// <summary>The follower behind a job's event stream: a subscription lost on its way is sent again until one is answered.</summary>
public sealed class JobFollowerTests() : LocalActorSystem("follow")
{
    /// <summary>A job whose first subscription is lost (as it is when its member has just died); it answers the rest, and counts them.</summary>
    private sealed class LosesTheFirstSubscription : ReceiveActor
    {
        private int _received;

        public LosesTheFirstSubscription()
        {
            Receive<string>(m => m == "count", _ => Sender.Tell(_received));
            Receive<SubscribeToJob>(subscribe =>
            {
                if (++_received > 1)
                    subscribe.Subscriber.Tell(new JobStateChanged(subscribe.JobId, JobState.Searching, DateTimeOffset.UnixEpoch, "searching", null, null));
            });
        }
    }

    [Fact]
    public async Task A_subscription_that_went_unanswered_is_sent_again_and_the_stream_gets_the_jobs_state()
    {
        var job = Sys.ActorOf(Props.Create(() => new LosesTheFirstSubscription()));
        var changes = Channel.CreateUnbounded<JobStateChanged>();
        Sys.ActorOf(JobFollower.Props(job, "followed", changes.Writer));

        var change = await changes.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(("followed", JobState.Searching), (change.JobId, change.State));
        // Answered, it asks no more.
        await Task.Delay(JobFollower.SubscribeAgainAfter * 2);
        Assert.Equal(2, await job.Ask<int>("count", TimeSpan.FromSeconds(10)));
    }
}
