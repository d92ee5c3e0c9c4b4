using Akka.Actor;
using Akka.Event;
using Orchestrator.Protocol.Messages;
using Orchestrator.Protocol.Model;
using Orchestrator.Telemetry;

namespace Orchestrator.Jobs;

/// <summary>What a <see cref="ProviderExchange"/> reports to its job: the provider's answer, or a TimeoutResponse.</summary>
internal sealed record ExchangeOutcome(ExchangePhase Phase, string ProviderId, IProviderMessage Answer);

/// <summary>The job no longer waits for this exchange (it ended mid-search): report nothing, but see to a late lock.</summary>
internal sealed record StopWaiting
{
    public static readonly StopWaiting Instance = new();
}

/// <summary>
/// One exchange with one provider on behalf of a job — a bid request, a job request, or the contract (the seed's
/// BidCollector, named for all three): sends the request, waits at most the phase's timeout
/// (a receive timeout), and reports exactly once. A shortlisted provider (job request, contract) is watched: if it stops
/// or its member leaves, the report is a <c>provider-gone</c> decline naming the member, not a wait for the timeout.
/// <para>
/// After giving up on a request that may lock (a bid request, a job request), the collector stays as long as a lock
/// taken with a late answer could be held (the lease): a late answer holding a lock is released at once, fenced by the
/// request's nonce so it cannot take away a lock given again since. The capacity is free in milliseconds, not at lease
/// expiry; the lease stays the safety net (e.g. for a job that passivates or moves meanwhile).
/// </para>
/// </summary>
internal sealed class ProviderExchange : ReceiveActor
{
    private readonly ExchangePhase _phase;
    private readonly string _jobId;
    private readonly string _providerId;
    private readonly TimeSpan _timeout;
    private readonly string _nonce;
    private readonly TimeSpan _lateLocksFor;
    private readonly IActorRef _provider;

    /// <param name="lateLocksFor">How long to see to late locks after giving up: the lock lease (zero for a request that does not lock).</param>
    public ProviderExchange(IActorRef provider, IProviderMessage request, string jobId, ExchangePhase phase, TimeSpan timeout, TimeSpan lateLocksFor)
    {
        _phase = phase;
        _jobId = jobId;
        _providerId = request.ProviderId;
        _timeout = timeout;
        _provider = provider;
        (_nonce, _lateLocksFor) = request switch
        {
            BidRequest { DryRun: false } bid => (bid.Nonce, lateLocksFor),
            JobRequest job => (job.Nonce, lateLocksFor),
            _ => ("", TimeSpan.Zero),
        };

        Receive<Bid>(Report);
        Receive<DeclineMessage>(Report);
        Receive<ContractSigned>(Report);
        Receive<Terminated>(t =>
        {
            if (t.ActorRef.Equals(_provider)) Report(Gone(t));
        });
        Receive<ReceiveTimeout>(_ => Report(new TimeoutResponse(_jobId, _providerId, _phase, _timeout)));
        Receive<StopWaiting>(_ => GiveUp());

        // The shortlisted provider only: one watch per job, not one per bid request (a remote watch costs messages).
        if (phase != ExchangePhase.Bid) Context.Watch(provider);
        provider.Tell(request, Self);
        Context.SetReceiveTimeout(timeout);
    }

    public static Props Props(IActorRef provider, IProviderMessage request, string jobId, ExchangePhase phase, TimeSpan timeout, TimeSpan lateLocksFor) =>
        Akka.Actor.Props.Create(() => new ProviderExchange(provider, request, jobId, phase, timeout, lateLocksFor));

    private DeclineMessage Gone(Terminated t)
    {
        var member = t.ActorRef.Path.Address;
        var cause = t.AddressTerminated
            ? $"its member {member} left the cluster or became unreachable and was removed"
            : $"it stopped on member {(member.HasLocalScope ? "this node" : member.ToString())} (offboarded, or its node is shutting down)";
        return new DeclineMessage(_jobId, _providerId, _phase, DeclineReason.ProviderGone,
            $"provider '{_providerId}' is gone while the job waited for its answer: {cause}");
    }

    private void Report(IProviderMessage answer)
    {
        // Only answers about this job and provider count; anything else is a stray.
        if (!IsAboutThisExchange(answer)) return;

        Context.Parent.Tell(new ExchangeOutcome(_phase, _providerId, answer));
        if (answer is TimeoutResponse) GiveUp();
        else Context.Stop(Self);
    }

    private bool IsAboutThisExchange(IProviderMessage answer) => answer switch
    {
        Bid b => b.JobId == _jobId && b.ProviderId == _providerId,
        DeclineMessage d => d.JobId == _jobId && d.ProviderId == _providerId,
        ContractSigned s => s.Contract.JobId == _jobId && s.ProviderId == _providerId,
        _ => true,
    };

    /// <summary>A lock that came with an answer after the exchange gave up goes back at once, fenced by the request's nonce.</summary>
    internal static void ReleaseLateLock(IActorRef provider, string jobId, string providerId, ExchangePhase phase, string nonce)
    {
        provider.Tell(new ReleaseLock(jobId, providerId, $"its answer to the {JobDecisions.Kebab(phase.ToString())} arrived after the job stopped waiting for it", nonce));
        OrchestratorMetrics.LateLockReleased(phase);
        Context.GetLogger().Info("job {0}: {1} locked with an answer that came after the exchange gave up; released at once", jobId, providerId);
    }

    /// <summary>No longer waiting: stop, or stay for the lease to release a lock a late answer brings.</summary>
    private void GiveUp()
    {
        if (_lateLocksFor <= TimeSpan.Zero)
        {
            Context.Stop(Self);
            return;
        }

        Context.Unwatch(_provider);
        Become(() =>
        {
            Receive<Bid>(late =>
            {
                if (!IsAboutThisExchange(late)) return;
                if (late.ResourcesLocked) ReleaseLateLock(Sender, _jobId, _providerId, _phase, _nonce);

                Context.Stop(Self);
            });
            Receive<ReceiveTimeout>(_ => Context.Stop(Self));
            Receive<StopWaiting>(_ => { });
            ReceiveAny(_ => Context.Stop(Self));
        });
        Context.SetReceiveTimeout(_lateLocksFor);
    }
}
