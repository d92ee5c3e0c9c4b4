namespace Orchestrator.Api;

// What the ops endpoints answer, and what `orchestrator cluster|sharding …` reads back: one set of records for both.

/// <summary>One cluster member, as Petabridge.Cmd's <c>cluster show</c> lists it.</summary>
public sealed record MemberView(string Address, IReadOnlyList<string> Roles, string Status, bool Reachable, string AppVersion,
    bool IsLeader, bool IsSelf);

public sealed record ClusterView(string Self, string? Leader, IReadOnlyList<MemberView> Members, int Unreachable);

/// <summary>The outcome of a cluster command: what was asked of which member.</summary>
public sealed record ClusterCommandView(string Command, IReadOnlyList<string> Addresses, string Detail);

public sealed record RegionsView(IReadOnlyList<string> Regions);

/// <summary>One node's part of a shard region.</summary>
public sealed record RegionNodeView(string Address, int Shards, int Entities, bool HostsCoordinator);

public sealed record RegionStatsView(string Region, IReadOnlyList<RegionNodeView> Nodes, int TotalShards, int TotalEntities, IReadOnlyList<string> Unreachable);

/// <summary>Where a job lives: its shard, and the node hosting its actor.</summary>
public sealed record JobLocationView(string JobId, string ShardId, string Node, string State);
