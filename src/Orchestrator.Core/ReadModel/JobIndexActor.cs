using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Event;
using Akka.Persistence.Query;
using Akka.Persistence.Sql.Query;
using Akka.Streams;
using Akka.Streams.Dsl;
using Orchestrator.Protocol.Events;
using Orchestrator.Protocol.Messages;

namespace Orchestrator.ReadModel;

/// <summary>
/// This node's view of every job in the cluster, answering <see cref="ListJobs"/>. Live, it follows the lines the
/// jobs publish as they persist (<see cref="JobListingUpdate"/>, distributed pub-sub: no journal reads under load).
/// At start it reads the job-tagged events it has not read yet (a current-events-by-tag query that completes), so the
/// listing is complete after a restart; it reads again whenever membership or reachability changes (at once, and
/// <see cref="SettleAfter"/> later), which repairs what pub-sub (at most once) may have missed. Only the oldest member
/// (the sweeper) also reads every <c>catchUpInterval</c>: in a steady cluster a job's rows are read by one member,
/// not by every member (docs/performance.md, "Where a job's time goes").
/// </summary>
/// <remarks>
/// <para>
/// A live events-by-tag query was tried first: under load it cost a quarter of the SQLite throughput (a reader
/// always busy on the journal), measured by the benchmark.
/// </para>
/// <para>
/// It is also the cluster's <b>resume sweep</b>: after each catch-up, on the oldest member, it sends
/// <see cref="ResumeJob"/> for every unfinished job it knows of, so a job whose node died, whose shard moved or whose
/// cluster restarted runs again (a running job ignores it). A member's removal, and this member becoming the oldest,
/// start a catch-up at once: the jobs of a killed node resume as soon as it is removed, including one whose post was
/// acknowledged an instant before the kill (its first event is durable, so the catch-up reads it). This replaces
/// Akka's remember-entities, which cost two journal writes per job and a write before each new job got its post.
/// </para>
/// </remarks>
public sealed class JobIndexActor : ReceiveActor, IWithTimers
{
    private sealed record CatchUp
    {
        public static readonly CatchUp Instance = new();
    }

    /// <summary>
    /// The end of one catch-up read. When the node stops in the middle of a read, the stream ends abruptly and this
    /// reaches an actor that is gone: a dead letter that is expected, so it is not logged (a stopping node must not
    /// print an exception's name for nothing).
    /// </summary>
    private sealed record CaughtUp(Exception? Failure) : IDeadLetterSuppression;

    private sealed record Settle
    {
        public static readonly Settle Instance = new();
    }

    /// <summary>
    /// How long after a change of membership or reachability a member reads the journal once more: pub-sub's registry
    /// of subscribers is gossiped every second, so lines published meanwhile may have missed a member.
    /// </summary>
    public static readonly TimeSpan SettleAfter = TimeSpan.FromSeconds(5);

    private readonly JobIndex _index;
    private readonly TimeSpan _catchUpInterval;
    private readonly IActorRef? _jobs;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private long _offset;
    private bool _catchingUp;
    private bool _catchUpAgain;

    /// <param name="jobs">The job shard region the sweep wakes unfinished jobs through (none: no sweep).</param>
    /// <param name="listedFinishedJobs">How many finished jobs the listing keeps (the latest to finish).</param>
    public JobIndexActor(TimeSpan catchUpInterval, IActorRef? jobs = null, int listedFinishedJobs = JobIndex.DefaultMaxFinished)
    {
        _index = new JobIndex(listedFinishedJobs);
        _catchUpInterval = catchUpInterval;
        _jobs = jobs;
        Receive<JobListingUpdates>(updates =>
        {
            foreach (var summary in updates.Summaries) _index.Upsert(summary);
        });
        Receive<JobListingUpdate>(update => _index.Upsert(update.Summary)); // from a member of an earlier version
        Receive<EventEnvelope>(envelope =>
        {
            if (envelope.Event is IJobEvent e) _index.Apply(e);
            if (envelope.Offset is Sequence sequence && sequence.Value > _offset) _offset = sequence.Value;
        });
        Receive<ListJobs>(query => Sender.Tell(_index.Query(query)));
        Receive<ListSettlements>(query => Sender.Tell(_index.Query(query)));
        Receive<WhereIsContract>(where => Sender.Tell(new ContractLocation(where.ContractId, _index.JobOfContract(where.ContractId))));
        Receive<SubscribeAck>(_ => { });
        Receive<CatchUp>(_ => StartCatchUp());
        Receive<CaughtUp>(done =>
        {
            _catchingUp = false;
            if (done.Failure is { } failure)
                _log.Warning("job index: reading the journal failed ({0}); trying again in {1}", failure.Message, _catchUpInterval);
            else Sweep();
            if (_catchUpAgain)
            {
                _catchUpAgain = false;
                StartCatchUp();
            }
            // Periodically only where the sweep runs (the oldest member, or outside a cluster): elsewhere the lines come
            // over pub-sub, and reading every job's rows on every member would make each job cost every member work.
            else if (_jobs is null || IsOldestUp(Cluster.Get(Context.System))) Timers.StartSingleTimer("catch-up", CatchUp.Instance, _catchUpInterval);
        });
        Receive<Settle>(_ => CatchUpNow());
        // A member left (its jobs need a new home now) or joined (this member may have become the oldest, the sweeper).
        // Either, and a member reachable again, is also when pub-sub may have missed lines (a member whose subscription
        // was not yet known, or one that could not be reached): read now, and again once pub-sub's registry has settled.
        Receive<ClusterEvent.MemberRemoved>(_ => MembershipChanged());
        Receive<ClusterEvent.MemberUp>(_ => MembershipChanged());
        Receive<ClusterEvent.ReachableMember>(_ => MembershipChanged());
        Receive<ClusterEvent.IMemberEvent>(_ => { });
        Receive<ClusterEvent.CurrentClusterState>(_ => { });
    }

    public static Props Props(TimeSpan catchUpInterval, IActorRef? jobs = null, int listedFinishedJobs = JobIndex.DefaultMaxFinished) =>
        Akka.Actor.Props.Create(() => new JobIndexActor(catchUpInterval, jobs, listedFinishedJobs));

    public ITimerScheduler Timers { get; set; } = null!;

    protected override void PreStart()
    {
        DistributedPubSub.Get(Context.System).Mediator.Tell(new Subscribe(JobListingUpdate.Topic, Self));
        if (_jobs is not null)
            Cluster.Get(Context.System).Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents,
                typeof(ClusterEvent.MemberUp), typeof(ClusterEvent.MemberRemoved), typeof(ClusterEvent.ReachableMember));
        StartCatchUp();
    }

    protected override void PostStop()
    {
        if (_jobs is not null) Cluster.Get(Context.System).Unsubscribe(Self);
    }

    private void MembershipChanged()
    {
        CatchUpNow();
        Timers.StartSingleTimer("settle", Settle.Instance, SettleAfter);
    }

    private void CatchUpNow()
    {
        if (_catchingUp) _catchUpAgain = true;
        else
        {
            Timers.Cancel("catch-up");
            StartCatchUp();
        }
    }

    /// <summary>On the oldest member that is up: every unfinished job is woken wherever its shard lives now.</summary>
    private void Sweep()
    {
        if (_jobs is null || _index.Unfinished.Count == 0 || !IsOldestUp(Cluster.Get(Context.System))) return;
        foreach (var jobId in _index.Unfinished) _jobs.Tell(new ResumeJob(jobId));
        _log.Debug("job index: resume sweep woke {0} unfinished job(s)", _index.Unfinished.Count);
    }

    private static bool IsOldestUp(Cluster cluster)
    {
        var self = cluster.SelfMember;
        if (self.Status != MemberStatus.Up) return false;
        return !cluster.State.Members.Any(m => m.Status == MemberStatus.Up && !m.Equals(self) && m.IsOlderThan(self));
    }

    private void StartCatchUp()
    {
        if (_catchingUp) return;
        _catchingUp = true;
        var journal = PersistenceQuery.Get(Context.System).ReadJournalFor<SqlReadJournal>(SqlReadJournal.Identifier);
        journal.CurrentEventsByTag(JobEventTagger.Tag, Offset.Sequence(_offset))
            .RunWith(Sink.ActorRef<EventEnvelope>(Self, new CaughtUp(null), e => new CaughtUp(e)), Context.Materializer());
    }
}
