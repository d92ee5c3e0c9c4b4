using Orchestrator.Providers;
using Akka.Actor;
using Orchestrator.Protocol.Messages;
using Orchestrator.Protocol.Model;

namespace Orchestrator.Jobs;

/// <summary>The answers of one search as they come in; complete when every candidate answered or timed out.</summary>
internal sealed class SearchRound(IEnumerable<string> candidates, string nonce)
{
    /// <summary>Sent with every bid request of the round; signed bids must be signed over it.</summary>
    public string Nonce { get; } = nonce;

    private readonly HashSet<string> _pending = new(candidates, StringComparer.Ordinal);

    public List<Bid> Bids { get; } = [];
    public List<DeclineMessage> Declines { get; } = [];
    public List<TimeoutResponse> Timeouts { get; } = [];
    public bool IsComplete => _pending.Count == 0;

    /// <summary>When the round stops waiting: an answer not in by then is a TimeoutResponse.</summary>
    public DateTimeOffset Until { get; private init; }

    /// <summary>Whom the round still waits for, and until when.</summary>
    public SearchRoundWait Waiting => new(_pending.Order(StringComparer.Ordinal).ToArray(), Until);

    /// <summary>
    /// Asks every candidate (<paramref name="ask"/> sends it its bid request, through a <see cref="ProviderExchange"/>).
    /// A candidate the directory does not have is declined on the spot: <c>provider-gone</c> (naming its member) if it
    /// left lately, <c>unknown-provider</c> if the directory never knew it (a push target that does not exist).
    /// </summary>
    public static SearchRound Start(string jobId, IReadOnlyList<string> candidates, IReadOnlyDictionary<string, IActorRef> providers,
        string nonce, DateTimeOffset until, Action<string, IActorRef> ask, IReadOnlyDictionary<string, ProviderDeparture>? departed = null)
    {
        var round = new SearchRound(candidates, nonce) { Until = until };
        foreach (var id in candidates)
        {
            if (providers.TryGetValue(id, out var provider))
                ask(id, provider);
            else if (departed is not null && departed.TryGetValue(id, out var departure))
                round.Record(JobDecisions.Gone(jobId, id, ExchangePhase.Bid, departure));
            else
                round.Record(new DeclineMessage(jobId, id, ExchangePhase.Bid, DeclineReason.UnknownProvider,
                    "no provider with this id is known to the directory"));
        }

        return round;
    }

    public void Record(IProviderMessage answer)
    {
        if (!_pending.Remove(answer.ProviderId)) return;
        switch (answer)
        {
            case Bid bid: Bids.Add(bid); break;
            case DeclineMessage decline: Declines.Add(decline); break;
            case TimeoutResponse timeout: Timeouts.Add(timeout); break;
        }
    }
}
