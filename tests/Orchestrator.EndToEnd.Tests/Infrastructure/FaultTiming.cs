namespace Orchestrator.EndToEnd.Tests.Infrastructure;

/// <summary>
/// The tests that hold a failover to its promised bounds (seconds after a kill or a cut) run alone, not beside
/// another cluster on the same two cores: what they measure is the cluster's failover, not the machine's contention.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class FaultTiming
{
    public const string Name = "fault timing";
}
