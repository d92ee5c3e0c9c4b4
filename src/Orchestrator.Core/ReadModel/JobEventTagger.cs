using System.Collections.Immutable;
using Akka.Persistence.Journal;
using Orchestrator.Protocol.Events;

namespace Orchestrator.ReadModel;

/// <summary>
/// Tags the job events that change what a job listing shows (its state, provider, failure) with
/// <see cref="Tag"/>, so the read side can follow every job in the cluster with one events-by-tag query. Bids and
/// search rounds are not tagged: they would double the tag rows for nothing the listing shows.
/// </summary>
public sealed class JobEventTagger : IWriteEventAdapter
{
    public const string Tag = "job";

    private static readonly IImmutableSet<string> Tags = ImmutableHashSet.Create(Tag);

    public string Manifest(object evt) => string.Empty;

    public object ToJournal(object evt) => IsListed(evt) ? new Tagged(evt, Tags) : evt;

    private static bool IsListed(object evt) => evt switch
    {
        JobStepsRecorded steps => steps.Steps.Any(IsListed),
        JobPosted or SearchStarted or SearchRetryScheduled or ProviderShortlisted or JobRequestSent or CandidateDropped
            or ContractClosed or JobFailed => true,
        _ => false,
    };
}
