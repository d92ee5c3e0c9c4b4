using Orchestrator.Protocol.Model;

namespace Orchestrator.Protocol.Messages;

/// <summary>Onboard a compute provider on this node: answered with <see cref="ProviderOnboardResult"/>.</summary>
public sealed record OnboardProvider(ProviderCapability Capability) : IProviderMessage
{
    public string ProviderId => Capability.Id;
}

/// <summary><see cref="Created"/> false: the same capability was onboarded already. <see cref="Conflict"/>: the id has another.</summary>
public sealed record ProviderOnboardResult(string ProviderId, bool Created, string? Conflict) : IProviderMessage;
