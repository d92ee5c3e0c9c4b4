using Akka.Actor;
using Orchestrator.Protocol.Model;

namespace Orchestrator.Protocol.Messages;

/// <summary>
/// A job's bid requests to several providers of one member, in one message to that member's provider directory,
/// which asks each provider there and answers with one <see cref="BidAnswers"/>. Between members a message costs
/// serialization, a frame and a wake-up on both sides; a search asks up to <c>maxBidRequests</c> providers, so one
/// message per member instead of one per provider (and as many back) is most of what a job sends between members
/// when members host several providers.
/// </summary>
/// <param name="AnswerWithin">How long the member waits for its providers: a provider not answering by then is a TimeoutResponse.</param>
/// <param name="LateLocksFor">After that, how long a late answer holding a lock is released at once (the job's lock lease).</param>
public sealed record BidRequests(string JobId, IReadOnlyList<RelayedBidRequest> Requests, TimeSpan AnswerWithin, TimeSpan LateLocksFor) : IOrchestratorMessage
{
    // Stored as an array whatever the caller passed (see Wire).
    public IReadOnlyList<RelayedBidRequest> Requests { get => _requests; init => _requests = Wire.Array(value); }
    private readonly RelayedBidRequest[] _requests = Wire.Array(Requests);
}

/// <summary>One provider's request within <see cref="BidRequests"/>: the provider as the job's directory knows it, and what it is asked.</summary>
public sealed record RelayedBidRequest(IActorRef Provider, BidRequest Request) : IOrchestratorMessage;

/// <summary>What the providers of one member answered to <see cref="BidRequests"/>: every provider asked is in exactly one list.</summary>
public sealed record BidAnswers(string JobId, IReadOnlyList<Bid> Bids, IReadOnlyList<DeclineMessage> Declines, IReadOnlyList<TimeoutResponse> Timeouts)
    : IOrchestratorMessage
{
    public IReadOnlyList<Bid> Bids { get => _bids; init => _bids = Wire.Array(value); }
    private readonly Bid[] _bids = Wire.Array(Bids);

    public IReadOnlyList<DeclineMessage> Declines { get => _declines; init => _declines = Wire.Array(value); }
    private readonly DeclineMessage[] _declines = Wire.Array(Declines);

    public IReadOnlyList<TimeoutResponse> Timeouts { get => _timeouts; init => _timeouts = Wire.Array(value); }
    private readonly TimeoutResponse[] _timeouts = Wire.Array(Timeouts);

    /// <summary>Every answer, whatever its kind.</summary>
    public IEnumerable<IProviderMessage> All => Bids.Cast<IProviderMessage>().Concat(Declines).Concat(Timeouts);
}
