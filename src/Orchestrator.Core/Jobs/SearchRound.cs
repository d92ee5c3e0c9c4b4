using Orchestrator.Protocol.Messages;

namespace Orchestrator.Jobs;

/// <summary>The answers of one search as they come in; complete when every candidate answered or timed out.</summary>
internal sealed class SearchRound(IEnumerable<string> candidates)
{
    private readonly HashSet<string> _pending = new(candidates, StringComparer.Ordinal);

    public List<Bid> Bids { get; } = [];
    public List<DeclineMessage> Declines { get; } = [];
    public List<TimeoutResponse> Timeouts { get; } = [];
    public bool IsComplete => _pending.Count == 0;

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
