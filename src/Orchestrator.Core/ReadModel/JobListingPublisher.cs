using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;
using Orchestrator.Protocol.Messages;

namespace Orchestrator.ReadModel;

/// <summary>
/// Hands the lines jobs publish to distributed pub-sub, so every node's <see cref="JobIndexActor"/> gets them: the
/// latest line of each job, gathered for <see cref="Window"/> and sent as one <see cref="JobListingUpdates"/>.
/// </summary>
/// <remarks>
/// A job changes its line three or four times on its way to a contract, within milliseconds, and pub-sub sends each
/// publication to every member: one message per change made the listing the largest share of what crossed between
/// nodes per job, growing with the number of members (docs/performance.md, "Where a job's time goes"). Gathered, a
/// job's changes within the window are one line, and a member gets one message per window, whatever the rate. The
/// listing is at most one window behind; reading a job by id is never behind (it asks the job).
/// </remarks>
public sealed class JobListingPublisher : ReceiveActor, IWithTimers
{
    /// <summary>How long lines are gathered before they go out.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromMilliseconds(100);

    /// <summary>At most this many lines a message (each a few hundred bytes; a message stays far below the frame limit).</summary>
    public const int MaxLines = 500;

    private sealed record Flush
    {
        public static readonly Flush Instance = new();
    }

    private readonly Dictionary<string, JobSummary> _pending = new(StringComparer.Ordinal);
    private readonly IActorRef _mediator;

    public ITimerScheduler Timers { get; set; } = null!;

    public JobListingPublisher()
    {
        _mediator = DistributedPubSub.Get(Context.System).Mediator;
        Receive<JobListingUpdate>(update =>
        {
            // The latest line of a job wins (lines carry their time; an index keeps the newest anyway).
            if (!_pending.TryGetValue(update.Summary.JobId, out var known) || update.Summary.UpdatedAt >= known.UpdatedAt)
                _pending[update.Summary.JobId] = update.Summary;
            if (_pending.Count >= MaxLines) Send();
            else if (!Timers.IsTimerActive("flush")) Timers.StartSingleTimer("flush", Flush.Instance, Window);
        });
        Receive<Flush>(_ => Send());
    }

    private void Send()
    {
        Timers.Cancel("flush");
        Publish();
    }

    private void Publish()
    {
        if (_pending.Count == 0) return;
        _mediator.Tell(new Publish(JobListingUpdate.Topic, new JobListingUpdates(_pending.Values.ToArray())));
        _pending.Clear();
    }

    protected override void PostStop()
    {
        // A node stopping gracefully sends what it gathered (a crash loses it; the indexes' catch-up repairs that).
        Publish();
    }
}
