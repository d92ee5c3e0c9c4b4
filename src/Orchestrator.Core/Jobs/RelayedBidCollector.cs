using Akka.Actor;
using Orchestrator.Protocol.Messages;
using Orchestrator.Protocol.Model;

namespace Orchestrator.Jobs;

/// <summary>
/// The bid requests of one search to the providers of one other member, as one <see cref="BidRequests"/> to that
/// member's directory (which asks them through its <see cref="BidGathering"/>), reported to the job as the
/// <see cref="ProviderExchange"/>s would have: one outcome per provider, a TimeoutResponse for each one not answered in time.
/// <para>
/// The member waits for its providers a little less than the job does (<see cref="MemberShare"/>), so its answer
/// arrives before the job gives up. If it comes later all the same (or after the job stopped waiting), a lock in it is
/// released at once, fenced by the request's nonce, as a late answer to a single request is.
/// </para>
/// </summary>
internal sealed class RelayedBidCollector : ReceiveActor
{
    /// <summary>The share of the search timeout the member waits for its providers; the rest is for the way back.</summary>
    public const double MemberShare = 0.9;

    private readonly string _jobId;
    private readonly IReadOnlyList<RelayedBidRequest> _requests;

    public RelayedBidCollector(ActorSelection directory, string jobId, IReadOnlyList<RelayedBidRequest> requests, TimeSpan timeout, TimeSpan lateLocksFor)
    {
        _jobId = jobId;
        _requests = requests;
        Receive<BidAnswers>(answers =>
        {
            if (answers.JobId != _jobId) return;
            var asked = _requests.Select(r => r.Request.ProviderId).ToHashSet(StringComparer.Ordinal);
            foreach (var answer in answers.All.Where(a => asked.Remove(a.ProviderId)))
                Context.Parent.Tell(new ExchangeOutcome(ExchangePhase.Bid, answer.ProviderId, answer));
            // A provider the member did not answer for (it should not happen) is a timeout, not a wait forever.
            foreach (var missing in asked) ReportTimeout(missing, timeout);
            Context.Stop(Self);
        });
        Receive<ReceiveTimeout>(_ =>
        {
            foreach (var request in _requests) ReportTimeout(request.Request.ProviderId, timeout);
            GiveUp(lateLocksFor);
        });
        Receive<StopWaiting>(_ => GiveUp(lateLocksFor));

        directory.Tell(new BidRequests(jobId, requests, timeout * MemberShare, lateLocksFor), Self);
        Context.SetReceiveTimeout(timeout);
    }

    public static Props Props(ActorSelection directory, string jobId, IReadOnlyList<RelayedBidRequest> requests, TimeSpan timeout, TimeSpan lateLocksFor) =>
        Akka.Actor.Props.Create(() => new RelayedBidCollector(directory, jobId, requests, timeout, lateLocksFor));

    private void ReportTimeout(string providerId, TimeSpan after) =>
        Context.Parent.Tell(new ExchangeOutcome(ExchangePhase.Bid, providerId, new TimeoutResponse(_jobId, providerId, ExchangePhase.Bid, after)));

    /// <summary>No longer waiting: stay for the lease, to release the locks of answers that come late.</summary>
    private void GiveUp(TimeSpan lateLocksFor)
    {
        if (lateLocksFor <= TimeSpan.Zero)
        {
            Context.Stop(Self);
            return;
        }

        Become(() =>
        {
            Receive<BidAnswers>(late =>
            {
                if (late.JobId != _jobId) return;
                foreach (var bid in late.Bids.Where(b => b.ResourcesLocked))
                    if (_requests.FirstOrDefault(r => r.Request.ProviderId == bid.ProviderId) is { } request)
                        ProviderExchange.ReleaseLateLock(request.Provider, _jobId, bid.ProviderId, ExchangePhase.Bid, request.Request.Nonce);

                Context.Stop(Self);
            });
            Receive<ReceiveTimeout>(_ => Context.Stop(Self));
            Receive<StopWaiting>(_ => { });
            ReceiveAny(_ => Context.Stop(Self));
        });
        Context.SetReceiveTimeout(lateLocksFor);
    }
}
