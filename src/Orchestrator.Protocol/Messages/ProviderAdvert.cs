using Akka.Actor;
using Orchestrator.Protocol.Model;

namespace Orchestrator.Protocol.Messages;

/// <summary>
/// A provider as the replicated directory knows it: what it advertises and where to reach it. A hint for
/// choosing candidates; the provider's own answer to a bid request is what counts.
/// </summary>
public sealed record ProviderAdvert(ProviderCapability Capability, IActorRef Provider) : IOrchestratorMessage;
