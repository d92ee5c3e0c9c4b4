using System.Collections.Immutable;
using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Sharding;

namespace Orchestrator.Hosting;

/// <summary>
/// Akka's least-shards allocation, among the regions a new shard can actually reach. Akka's strategy places a new
/// shard on any region whose member is still in the cluster, reachable or not; between a crash and the member's
/// removal (detection, the split-brain resolver's stable-after, the removal: 6–10 s here) it would home new shards
/// on the dead member, and every job in them would wait for the removal and the ask timeout. This one leaves out
/// regions on unreachable members and on members that are leaving, unless that would leave none. Rebalancing is
/// Akka's own (which already waits while any member is unreachable).
/// </summary>
public sealed class ReachableShardAllocation(IShardAllocationStrategy inner) : IActorSystemDependentAllocationStrategy
{
    private Cluster? _cluster;

    public void Start(ActorSystem system)
    {
        _cluster = Cluster.Get(system);
        switch (inner)
        {
            case IActorSystemDependentAllocationStrategy dependent:
                dependent.Start(system);
                break;
            case IStartableAllocationStrategy startable:
                startable.Start();
                break;
        }
    }

    public Task<IActorRef> AllocateShard(IActorRef requester, string shardId, IImmutableDictionary<IActorRef, IImmutableList<string>> currentShardAllocations) =>
        inner.AllocateShard(requester, shardId, Placeable(currentShardAllocations));

    public Task<IImmutableSet<string>> Rebalance(IImmutableDictionary<IActorRef, IImmutableList<string>> currentShardAllocations, IImmutableSet<string> rebalanceInProgress) =>
        inner.Rebalance(currentShardAllocations, rebalanceInProgress);

    /// <summary>The regions a new shard may go to: those on reachable members that are up; all of them if none is.</summary>
    internal IImmutableDictionary<IActorRef, IImmutableList<string>> Placeable(IImmutableDictionary<IActorRef, IImmutableList<string>> regions)
    {
        if (_cluster is null) return regions;
        var state = _cluster.State;
        if (state.Unreachable.IsEmpty && state.Members.All(m => m.Status is MemberStatus.Up or MemberStatus.WeaklyUp)) return regions;
        var placeable = regions.Where(r => CanHost(r.Key, state)).ToImmutableDictionary();
        return placeable.IsEmpty ? regions : placeable;
    }

    private bool CanHost(IActorRef region, ClusterEvent.CurrentClusterState state)
    {
        var address = region.Path.Address.HasLocalScope ? _cluster!.SelfAddress : region.Path.Address;
        var member = state.Members.FirstOrDefault(m => m.Address.Equals(address));
        return member is not null
               && member.Status is MemberStatus.Up or MemberStatus.WeaklyUp
               && !state.Unreachable.Any(u => u.Address.Equals(address));
    }
}
