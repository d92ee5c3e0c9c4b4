using Akka.Actor;
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

public sealed record KnownProviders(IReadOnlyList<ProviderEntry> Providers);
