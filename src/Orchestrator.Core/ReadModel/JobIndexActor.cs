using Akka.Actor;
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
/// At start, and every <c>catchUpInterval</c> after, it reads the job-tagged events it has not read yet (a
/// current-events-by-tag query that completes), so the listing is complete after a restart and repairs any update
/// pub-sub lost (it delivers at most once).
/// </summary>
/// <remarks>
/// A live events-by-tag query was tried first: under load it cost a quarter of the SQLite throughput (a reader
/// always busy on the journal), measured by the benchmark.
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

    private readonly JobIndex _index = new();
    private readonly TimeSpan _catchUpInterval;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private long _offset;
    private bool _catchingUp;

    public JobIndexActor(TimeSpan catchUpInterval)
    {
        _catchUpInterval = catchUpInterval;
        Receive<JobListingUpdate>(update => _index.Upsert(update.Summary));
        Receive<EventEnvelope>(envelope =>
        {
            if (envelope.Event is IJobEvent e) _index.Apply(e);
            if (envelope.Offset is Sequence sequence && sequence.Value > _offset) _offset = sequence.Value;
        });
        Receive<ListJobs>(query => Sender.Tell(_index.Query(query)));
        Receive<SubscribeAck>(_ => { });
        Receive<CatchUp>(_ => StartCatchUp());
        Receive<CaughtUp>(done =>
        {
            _catchingUp = false;
            if (done.Failure is { } failure)
                _log.Warning("job index: reading the journal failed ({0}); trying again in {1}", failure.Message, _catchUpInterval);
            Timers.StartSingleTimer("catch-up", CatchUp.Instance, _catchUpInterval);
        });
    }

    public static Props Props(TimeSpan catchUpInterval) => Akka.Actor.Props.Create(() => new JobIndexActor(catchUpInterval));

    public ITimerScheduler Timers { get; set; } = null!;

    protected override void PreStart()
    {
        DistributedPubSub.Get(Context.System).Mediator.Tell(new Subscribe(JobListingUpdate.Topic, Self));
        StartCatchUp();
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
