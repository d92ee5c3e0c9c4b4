using Akka.Actor;
using Orchestrator.Protocol.Messages;
using Orchestrator.Protocol.Model;

namespace Orchestrator.Tests.Features;

/// <summary>How a scenario's provider misbehaves at one step of the exchange; in everything else it is a real provider.</summary>
public enum ProviderBehaviour
{
    AnswersNormally,
    DeclinesBids,
    IgnoresBidRequests,
    DeclinesJobRequests,
    IgnoresJobRequests,
    DeclinesContracts,
    IgnoresContracts,
    NotApproved,
}

/// <summary>
/// A real <see cref="Orchestrator.Providers.ProviderActor"/> behind a wrapper that declines or drops one kind of
/// request, as a provider whose operator refuses, or whose node went silent, would. Everything else (status, locks,
/// releases, the requests it does answer) is the real provider's.
/// </summary>
public sealed class ScriptedProvider : ReceiveActor
{
    public ScriptedProvider(Props real, ProviderBehaviour behaviour)
    {
        var provider = Context.ActorOf(real, "ledger");
        Receive<BidRequest>(request =>
        {
            if (behaviour == ProviderBehaviour.DeclinesBids)
                Sender.Tell(new DeclineMessage(request.JobId, request.ProviderId, ExchangePhase.Bid, DeclineReason.JobTypeUnsupported,
                    "this provider's operator takes no new jobs"));
            else if (behaviour != ProviderBehaviour.IgnoresBidRequests) provider.Forward(request);
        });
        Receive<JobRequest>(request =>
        {
            if (behaviour == ProviderBehaviour.DeclinesJobRequests)
                Sender.Tell(new DeclineMessage(request.JobId, request.ProviderId, ExchangePhase.JobRequest, DeclineReason.NotLocked,
                    "the provider would not lock its resources"));
            else if (behaviour != ProviderBehaviour.IgnoresJobRequests) provider.Forward(request);
        });
        Receive<ContractProposal>(proposal =>
        {
            if (behaviour == ProviderBehaviour.DeclinesContracts)
                Sender.Tell(new DeclineMessage(proposal.Contract.JobId, proposal.ProviderId, ExchangePhase.ContractClosure, DeclineReason.NotLocked,
                    "the provider would not sign"));
            else if (behaviour != ProviderBehaviour.IgnoresContracts) provider.Forward(proposal);
        });
        ReceiveAny(message => provider.Forward(message));
    }

    public static Props Props(Props real, ProviderBehaviour behaviour) => Akka.Actor.Props.Create(() => new ScriptedProvider(real, behaviour));
}
