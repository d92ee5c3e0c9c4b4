using Akka.Actor;
using Orchestrator.Protocol.Messages;
using Orchestrator.Protocol.Model;

namespace Orchestrator.Jobs;

/// <summary>What a <see cref="BidCollector"/> reports to its job: the provider's answer, or a TimeoutResponse.</summary>
internal sealed record ExchangeOutcome(ExchangePhase Phase, string ProviderId, IProviderMessage Answer);

/// <summary>
/// One exchange with one provider on behalf of a job: sends the request, waits at most the phase's timeout
/// (a receive timeout), reports exactly once and stops. A reply arriving after that goes to dead letters,
/// and any lock it took is released by the job or by the lease.
/// </summary>
internal sealed class BidCollector : ReceiveActor
{
    private readonly ExchangePhase _phase;
    private readonly string _jobId;
    private readonly string _providerId;
    private readonly TimeSpan _timeout;

    public BidCollector(IActorRef provider, IProviderMessage request, string jobId, ExchangePhase phase, TimeSpan timeout)
    {
        _phase = phase;
        _jobId = jobId;
        _providerId = request.ProviderId;
        _timeout = timeout;

        Receive<Bid>(Report);
        Receive<DeclineMessage>(Report);
        Receive<ContractSigned>(Report);
        Receive<ReceiveTimeout>(_ => Report(new TimeoutResponse(_jobId, _providerId, _phase, _timeout)));

        provider.Tell(request, Self);
        Context.SetReceiveTimeout(timeout);
    }

    public static Props Props(IActorRef provider, IProviderMessage request, string jobId, ExchangePhase phase, TimeSpan timeout) =>
        Akka.Actor.Props.Create(() => new BidCollector(provider, request, jobId, phase, timeout));

    private void Report(IProviderMessage answer)
    {
        // Only answers about this job and provider count; anything else is a stray.
        if (answer is Bid b && (b.JobId != _jobId || b.ProviderId != _providerId)) return;
        if (answer is DeclineMessage d && (d.JobId != _jobId || d.ProviderId != _providerId)) return;
        if (answer is ContractSigned s && (s.Contract.JobId != _jobId || s.ProviderId != _providerId)) return;

        Context.Parent.Tell(new ExchangeOutcome(_phase, _providerId, answer));
        Context.Stop(Self);
    }
}
