using Akka.Actor;
using Akka.Event;
using Akka.Persistence.Query;
using Akka.Persistence.Sql.Query;
using Akka.Streams;
using Akka.Streams.Dsl;
using Orchestrator.Protocol.Events;
using Orchestrator.Protocol.Messages;

namespace Orchestrator.ReadModel;

/// <summary>
/// This node's view of every job in the cluster: follows the journal's job-tagged events (a live events-by-tag
/// query, from the start at every start, so nothing is lost across restarts) into a <see cref="JobIndex"/>, and
/// answers <see cref="ListJobs"/>. The view trails the journal by the query's refresh interval.
/// </summary>
public sealed class JobIndexActor : ReceiveActor, IWithTimers
{
    private sealed record StreamEnded(Exception? Cause);

    private readonly JobIndex _index = new();
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private long _offset;

    public JobIndexActor()
    {
        Receive<EventEnvelope>(envelope =>
        {
            if (envelope.Event is IJobEvent e) _index.Apply(e);
            if (envelope.Offset is Sequence sequence) _offset = sequence.Value;
        });
        Receive<ListJobs>(query => Sender.Tell(_index.Query(query)));
        Receive<StreamEnded>(ended =>
        {
            // The database went away (or the stream failed): follow again from where it stopped, after a pause.
            _log.Warning("job index: the events query stopped ({0}); following again from offset {1}", ended.Cause?.Message ?? "completed", _offset);
            Timers.StartSingleTimer("follow", Follow.Instance, TimeSpan.FromSeconds(2));
        });
        Receive<Follow>(_ => Start());
    }

    private sealed record Follow
    {
        public static readonly Follow Instance = new();
    }

    public ITimerScheduler Timers { get; set; } = null!;

    protected override void PreStart() => Start();

    private void Start()
    {
        var journal = PersistenceQuery.Get(Context.System).ReadJournalFor<SqlReadJournal>(SqlReadJournal.Identifier);
        journal.EventsByTag(JobEventTagger.Tag, Offset.Sequence(_offset))
            .RunWith(Sink.ActorRef<EventEnvelope>(Self, new StreamEnded(null), e => new StreamEnded(e)), Context.System.Materializer());
    }
}
