using Orchestrator.Protocol.Model;

namespace Orchestrator.Protocol.Messages;

/// <summary>Onboard a compute provider on this node: answered with <see cref="ProviderOnboardResult"/>.</summary>
public sealed record OnboardProvider(ProviderCapability Capability) : IProviderMessage
{
    public string ProviderId => Capability.Id;
}

/// <summary>
/// <see cref="Created"/> false: the same capability was onboarded already. <see cref="Conflict"/>: the id has another.
/// <see cref="Refused"/>: the node's credential does not approve it to act as this provider.
/// </summary>
public sealed record ProviderOnboardResult(string ProviderId, bool Created, string? Conflict, string? Refused = null) : IProviderMessage
{
    /// <summary>The provider was onboarded already and now has the new capability.</summary>
    public bool Updated { get; init; }
}

/// <summary>
/// Offboard a provider: it takes no new jobs from now on, honours its contracts and locks, and leaves the node (and
/// the directory) once the last has ended. Answered with <see cref="ProviderOffboardResult"/>.
/// </summary>
public sealed record OffboardProvider(string ProviderId) : IProviderMessage;

public sealed record ProviderOffboardResult(string ProviderId, int ContractsHeld, int LocksHeld) : IProviderMessage;

/// <summary>Ask a node's provider host whether every provider has loaded its ledger (readiness).</summary>
public sealed record GetProvidersReadiness : IOrchestratorMessage
{
    public static readonly GetProvidersReadiness Instance = new();
}

public sealed record ProvidersReadiness(int Recovered, int Total) : IOrchestratorMessage
{
    public bool Ready => Recovered >= Total;
}
