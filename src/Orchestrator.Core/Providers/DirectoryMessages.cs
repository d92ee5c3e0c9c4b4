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
    /// <summary>Providers that left the directory lately (the latest <see cref="ProviderDirectory.DeparturesKept"/>), by id.</summary>
    public IReadOnlyDictionary<string, ProviderDeparture> Departed { get; init; } = new Dictionary<string, ProviderDeparture>();

    public IReadOnlyDictionary<string, IActorRef> ById { get; } = Providers.ToDictionary(p => p.Capability.Id, p => p.Provider);
    public ProviderPool Pool { get; } = new(Providers.Select(p => p.Capability).ToArray());
}

/// <summary>
/// A provider that left the directory: the member it ran on (an actor address) and why it went. A job whose shortlisted
/// provider is gone declines it with this (<c>provider-gone</c>) instead of waiting for an answer that cannot come.
/// </summary>
public sealed record ProviderDeparture(string ProviderId, string Member, string Cause, DateTimeOffset At)
{
    public string Describe() => $"provider '{ProviderId}' left the directory at {At:O}: {Cause} (member {Member})";
}
