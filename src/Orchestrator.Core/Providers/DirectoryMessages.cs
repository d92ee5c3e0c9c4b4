using Akka.Actor;
using Orchestrator.Matching;
using Orchestrator.Protocol.Model;

namespace Orchestrator.Providers;

// Local to a node: the directory is asked by actors and endpoints of the same actor system.

public sealed record RegisterProvider(ProviderCapability Capability, IActorRef Provider);

public sealed record ProviderEntry(ProviderCapability Capability, IActorRef Provider);

/// <summary>Ask for the providers a job may approach; answered with <see cref="KnownProviders"/>.</summary>
public sealed record ListProviders
{
    public static readonly ListProviders Instance = new();
}

/// <summary>
/// The directory's view, built once per change and shared by every job that asks: the providers, how to reach
/// each by id, and the pool candidate selection works on.
/// </summary>
public sealed record KnownProviders(IReadOnlyList<ProviderEntry> Providers)
{
    public IReadOnlyDictionary<string, IActorRef> ById { get; } = Providers.ToDictionary(p => p.Capability.Id, p => p.Provider);
    public ProviderPool Pool { get; } = new(Providers.Select(p => p.Capability).ToArray());
}
