namespace Orchestrator.EndToEnd.Tests.Infrastructure;

/// <summary>
/// The tests that hold a failover to its promised bounds (seconds after a kill or a cut), and those that kill or restart
/// a whole cluster, run alone, not beside another cluster on the same two cores: what they test is the cluster's
/// failover, not the machine's contention (two three-node clusters at once starved a failure detector into downing a
/// healthy member).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class FaultTiming
{
    public const string Name = "fault timing";
}
