namespace Orchestrator.Hosting;

/// <summary>Registry key of the job shard region (or, on a member without the jobs role, its proxy).</summary>
public sealed class JobRegion;
