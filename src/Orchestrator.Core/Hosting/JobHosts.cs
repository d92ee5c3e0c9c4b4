using Akka.Cluster;

namespace Orchestrator.Hosting;

/// <summary>
/// The members whose reachability decides a split: those hosting jobs (the jobs role) that are up or leaving, as the
/// split-brain resolver weighs them. One definition for the HTTP API's "cut off" and the resolver's tie-break lease,
/// so they never disagree about who counts.
/// </summary>
public static class JobHosts
{
    /// <summary>Every member hosting jobs, and which of them this member cannot reach.</summary>
    public static (Member[] All, Member[] Unreachable) Of(ClusterEvent.CurrentClusterState state, string role)
    {
        var all = state.Members.Where(m => m.HasRole(role) && m.Status is MemberStatus.Up or MemberStatus.WeaklyUp or MemberStatus.Leaving).ToArray();
        var unreachable = state.Unreachable.Select(m => m.UniqueAddress).ToHashSet();
        return (all, all.Where(m => unreachable.Contains(m.UniqueAddress)).ToArray());
    }
}
