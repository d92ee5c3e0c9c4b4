using System.Threading.Channels;
using Akka.Actor;
using Orchestrator.Protocol.Messages;

namespace Orchestrator.Api;

/// <summary>
/// Follows one job for an HTTP client: subscribes, passes every state change into a channel, and completes it when
/// the job is terminal or unknown (the endpoint has answered 404 for an unknown job before it streams). If the job's actor stops (its node crashed, or it moved), the job resumes
/// elsewhere, so the follower subscribes again and the client sees the current state once more. A subscription not
/// answered (lost with a member that had just died, before the job's new home was known) is sent again until one is:
/// asked once, it left the stream silent for good.
/// </summary>
public sealed class JobFollower : ReceiveActor, IWithTimers
{
    private sealed record Resubscribe
    {
        public static readonly Resubscribe Instance = new();
    }

    private readonly IActorRef _jobs;
    private readonly string _jobId;
    private readonly ChannelWriter<JobStateChanged> _out;
    private IActorRef? _watched;

    public JobFollower(IActorRef jobs, string jobId, ChannelWriter<JobStateChanged> output)
    {
        _jobs = jobs;
        _jobId = jobId;
        _out = output;

        Receive<JobStateChanged>(change =>
        {
            Timers.Cancel("resubscribe");
            if (!Sender.Equals(_watched))
            {
                if (_watched is not null) Context.Unwatch(_watched);
                _watched = Sender;
                Context.Watch(Sender);
            }

            _out.TryWrite(change);
            if (change.Final) Finish();
        });
        Receive<JobNotFound>(_ => Finish());
        Receive<Terminated>(_ =>
        {
            _watched = null;
            Timers.StartSingleTimer("resubscribe", Resubscribe.Instance, TimeSpan.FromMilliseconds(500));
        });
        Receive<Resubscribe>(_ => Subscribe());
    }

    /// <summary>How long a subscription may go unanswered before it is sent again (the job answers one at once).</summary>
    public static readonly TimeSpan SubscribeAgainAfter = TimeSpan.FromSeconds(2);

    // Timers are there from PreStart on, not in the constructor.
    protected override void PreStart() => Subscribe();

    public static Props Props(IActorRef jobs, string jobId, ChannelWriter<JobStateChanged> output) =>
        Akka.Actor.Props.Create(() => new JobFollower(jobs, jobId, output));

    public ITimerScheduler Timers { get; set; } = null!;

    protected override void PostStop() => _out.TryComplete();

    private void Subscribe()
    {
        _jobs.Tell(new SubscribeToJob(_jobId, Self));
        Timers.StartSingleTimer("resubscribe", Resubscribe.Instance, SubscribeAgainAfter);
    }

    private void Finish() => Context.Stop(Self);
}
