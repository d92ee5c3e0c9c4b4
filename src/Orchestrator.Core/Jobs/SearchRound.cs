using System.Collections.Immutable;
using Orchestrator.Providers;
using Akka.Actor;
using Orchestrator.Protocol.Messages;
using Orchestrator.Protocol.Model;

namespace Orchestrator.Jobs;

/// <summary>
/// The answers of one search as they come in; complete when every candidate answered or timed out. A value: each answer
/// recorded gives the next round (it lives in the job's <see cref="JobRuntime"/>, replaced as a whole).
/// </summary>
internal sealed record SearchRound
{
    public SearchRound(IEnumerable<string> candidates, string nonce)
    {
        Nonce = nonce;
        Pending = candidates.ToImmutableSortedSet(StringComparer.Ordinal);
    }

    /// <summary>Sent with every bid request of the round; signed bids must be signed over it.</summary>
    public string Nonce { get; }

    /// <summary>The candidates asked that have not answered yet.</summary>
    private ImmutableSortedSet<string> Pending { get; init; }

    public ImmutableList<Bid> Bids { get; private init; } = [];
    public ImmutableList<DeclineMessage> Declines { get; private init; } = [];
    public ImmutableList<TimeoutResponse> Timeouts { get; private init; } = [];
    public bool IsComplete => Pending.IsEmpty;

    /// <summary>When the round stops waiting: an answer not in by then is a TimeoutResponse.</summary>
    public DateTimeOffset Until { get; private init; }

    /// <summary>Whom the round still waits for, and until when.</summary>
    public SearchRoundWait Waiting => new(Pending.ToArray(), Until);

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
                round = round.Record(JobDecisions.Gone(jobId, id, ExchangePhase.Bid, departure));
            else
                round = round.Record(new DeclineMessage(jobId, id, ExchangePhase.Bid, DeclineReason.UnknownProvider,
                    "no provider with this id is known to the directory"));
        }

        return round;
    }

    /// <summary>The round with <paramref name="answer"/> taken: the first answer of each asked candidate counts, nothing else.</summary>
    public SearchRound Record(IProviderMessage answer)
    {
        if (!Pending.Contains(answer.ProviderId)) return this;
        var round = this with { Pending = Pending.Remove(answer.ProviderId) };
        return answer switch
        {
            Bid bid => round with { Bids = Bids.Add(bid) },
            DeclineMessage decline => round with { Declines = Declines.Add(decline) },
            TimeoutResponse timeout => round with { Timeouts = Timeouts.Add(timeout) },
            _ => round,
        };
    }
}
