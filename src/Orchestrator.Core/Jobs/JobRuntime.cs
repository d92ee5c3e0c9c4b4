using System.Collections.Immutable;
using Akka.Actor;
using Orchestrator.Protocol.Events;
using Orchestrator.Protocol.Messages;
using Orchestrator.Providers;

namespace Orchestrator.Jobs;

/// <summary>
/// Everything a job actor holds in memory besides its journaled <see cref="Job"/>: one immutable value, replaced as a
/// whole, which <see cref="JobDecisions.Next"/> reads to choose the next step. Lost in a crash and rebuilt by asking
/// again: the directory for a view, providers for answers (they answer a repeated question the same), subscribers by
/// subscribing again.
/// </summary>
public sealed record JobRuntime
{
    public static readonly JobRuntime Start = new();

    /// <summary>The directory's view the job took last (null: none yet): its providers are where its messages go.</summary>
    public KnownProviders? View { get; init; }

    /// <summary>The view was taken for the step at hand (a search chooses its candidates from a view taken for it).</summary>
    public bool ViewIsFresh { get; init; }

    /// <summary>The directory was asked for a view and has not answered yet.</summary>
    public bool DirectoryAsked { get; init; }

    /// <summary>An exchange with the selected provider (job request or contract proposal) awaits its answer.</summary>
    public bool ExchangeInFlight { get; init; }

    /// <summary>The search round collecting bids (null: none under way).</summary>
    internal SearchRound? Search { get; init; }

    /// <summary>
    /// The nonce of the job request in flight: the provider signs its acceptance over it, so an acceptance made for
    /// another job or an earlier request does not verify.
    /// </summary>
    public string RequestNonce { get; init; } = "";

    /// <summary>
    /// The selected provider's lock, as its answer to the job request confirmed it: not journaled on its own but with the
    /// contract's outcome (one write less per job). Lost in a crash, it is asked for again (the provider answers with the
    /// same lock, or with the contract it already committed).
    /// </summary>
    public ResourcesConfirmed? LockConfirmed { get; init; }

    /// <summary>
    /// A post accepted and not written yet: it waits for the view its first search is chosen from, then for the write of
    /// both; and whom to answer (also when the write fails).
    /// </summary>
    public (JobPosted Event, IActorRef Client)? PostNotWritten { get; init; }

    /// <summary>The job's line in the cluster-wide listing, as last published.</summary>
    public JobSummary? Summary { get; init; }

    /// <summary>Who follows the job's changes (each watched: dropped when it stops).</summary>
    public ImmutableHashSet<IActorRef> Subscribers { get; init; } = [];

    /// <summary>A cancelled run's stop, sent again each heartbeat until its allocation reports the end, and since when.</summary>
    public (StopAllocation Stop, DateTimeOffset Since)? Stopping { get; init; }

    /// <summary>Where each contract's provider was last heard from (the provider, or its allocation's parent): proposals go there.</summary>
    public ImmutableDictionary<string, ICanTell> SettleWith { get; init; } = ImmutableDictionary.Create<string, ICanTell>(StringComparer.Ordinal);

    /// <summary>Settled contracts whose transfer is under way.</summary>
    public ImmutableHashSet<string> Transferring { get; init; } = ImmutableHashSet.Create<string>(StringComparer.Ordinal);

    /// <summary>How many times each contract's transfer failed (the wait before the next try grows with it).</summary>
    public ImmutableDictionary<string, int> TransferFailures { get; init; } = ImmutableDictionary.Create<string, int>(StringComparer.Ordinal);

    /// <summary>The job listens to the cluster's removals (while a run goes on).</summary>
    public bool WatchingMembers { get; init; }

    public bool HasView => View is not null;

    public bool CollectingBids => Search is not null;

    /// <summary>A view just taken from the directory: the directory answered, and the view is fresh.</summary>
    public JobRuntime WithView(KnownProviders view) => this with { View = view, DirectoryAsked = false, ViewIsFresh = true };

    /// <summary>The provider with this id in the view (null: no view, or not in it).</summary>
    public IActorRef? Provider(string providerId) => View is not null && View.ById.TryGetValue(providerId, out var provider) ? provider : null;
}
