using Akka.Persistence.Hosting;
using Orchestrator.Protocol.Messages;
using Orchestrator.ReadModel;

namespace Orchestrator.Persistence;

/// <summary>The journal's event adapters: job events are tagged for the read side (<see cref="JobIndexActor"/>).</summary>
public static class JobTagging
{
    public static void Configure(AkkaPersistenceJournalBuilder journal) =>
        journal.AddWriteEventAdapter<JobEventTagger>("job-tagger", [typeof(IJobEvent)]);
}
