using Akka.Actor;
using Orchestrator.Protocol.Model;

namespace Orchestrator.Providers;

// Between a node's provider host and the provider actors it runs as its children: they never leave the node, so they
// are internal here, not in the public protocol, and wear no protocol marker (no serializer is bound to them).

/// <summary>The provider host asks its provider to take a new capability, for <see cref="Client"/>.</summary>
internal sealed record ChangeCapability(ProviderCapability Capability, IActorRef Client)
{
    public string ProviderId => Capability.Id;
}

/// <summary>The provider's answer to <see cref="ChangeCapability"/>: null <see cref="Refused"/> when it took it.</summary>
internal sealed record CapabilityChangeOutcome(ProviderCapability Capability, IActorRef Client, string? Refused)
{
    public string ProviderId => Capability.Id;
}

/// <summary>An offboarded provider's last contract and lock have ended: its host lets it go.</summary>
internal sealed record ProviderGone(string ProviderId);

/// <summary>A provider finished recovering its ledger from the journal.</summary>
internal sealed record ProviderRecovered(string ProviderId);
