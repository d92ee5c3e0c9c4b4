using Akka.Actor;
using Orchestrator.Protocol.Messages;
using Orchestrator.Protocol.Model;

namespace Orchestrator.Jobs;

/// <summary>
/// The member's side of <see cref="BidRequests"/>: asks each of its providers through a <see cref="ProviderExchange"/>,
/// exactly as a job on this member would, and sends all the answers back in one <see cref="BidAnswers"/> once every
/// provider answered or its collector timed out. The collectors keep their duty after that: a lock that a late answer
/// brings is released at once, fenced by the request's nonce, so this actor stays until the last of them has stopped.
/// </summary>
internal sealed class BidGathering : ReceiveActor
{
    private readonly string _jobId;
    private readonly IActorRef _replyTo;
    private readonly HashSet<string> _waiting = new(StringComparer.Ordinal);
    private readonly List<Bid> _bids = [];
    private readonly List<DeclineMessage> _declines = [];
    private readonly List<TimeoutResponse> _timeouts = [];
    private int _children;

    public BidGathering(BidRequests requests, IActorRef replyTo)
    {
        _jobId = requests.JobId;
        _replyTo = replyTo;
        foreach (var (provider, request) in requests.Requests.Select(r => (r.Provider, r.Request)))
        {
            if (request.JobId != requests.JobId || !_waiting.Add(request.ProviderId)) continue; // one answer per provider, about this job
            Context.Watch(Context.ActorOf(ProviderExchange.Props(provider, request, request.JobId, ExchangePhase.Bid, requests.AnswerWithin, requests.LateLocksFor)));
            _children++;
        }

        Receive<ExchangeOutcome>(outcome =>
        {
            if (!_waiting.Remove(outcome.ProviderId)) return;
            switch (outcome.Answer)
            {
                case Bid bid: _bids.Add(bid); break;
                case DeclineMessage decline: _declines.Add(decline); break;
                case TimeoutResponse timeout: _timeouts.Add(timeout); break;
            }

            if (_waiting.Count == 0) _replyTo.Tell(new BidAnswers(_jobId, _bids, _declines, _timeouts));
            StopWhenDone();
        });
        // A collector's Terminated can overtake its last report (system messages go first): count both before stopping.
        Receive<Terminated>(_ =>
        {
            _children--;
            StopWhenDone();
        });
        if (_children == 0)
        {
            _replyTo.Tell(new BidAnswers(_jobId, [], [], []));
            Context.Stop(Self);
        }
    }

    private void StopWhenDone()
    {
        if (_children == 0 && _waiting.Count == 0) Context.Stop(Self);
    }

    public static Props Props(BidRequests requests, IActorRef replyTo) => Akka.Actor.Props.Create(() => new BidGathering(requests, replyTo));
}
