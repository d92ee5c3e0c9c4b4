using Akka.Actor;
using Akka.Cluster;
using Orchestrator.Hosting;

namespace Orchestrator.Api;

/// <summary>Whether this member is on the side of the cluster that keeps running jobs.</summary>
public static class Majority
{
    /// <summary>
    /// Why this member cannot take jobs yet because it has not joined the cluster (it is starting, or restarting after
    /// a crash and waiting for the others to let it in), or null once it has been up.
    /// </summary>
    public static string? Joining(ActorSystem system)
    {
        if (!system.Settings.ProviderClass.Contains("Cluster", StringComparison.Ordinal)) return null;
        var cluster = Cluster.Get(system);
        if (OrchestratorNode.Find(system) is { HasBeenUp: true } || cluster.SelfMember.Status is MemberStatus.Up) return null;
        return $"this member is joining the cluster and is not up yet (its status: {cluster.SelfMember.Status.ToString().ToLowerInvariant()}); " +
               "post to another member, or here again in a moment";
    }

    /// <summary>
    /// Why this member should not take new jobs because it is cut off, or null. It is cut off when it cannot reach a
    /// majority of the members hosting jobs (on an even split, the half with the lowest address counts as the
    /// majority, as the split-brain resolver decides): the resolver will down it, and whatever it accepted now would
    /// have to move. A member being removed is cut off too.
    /// </summary>
    public static string? CutOff(ActorSystem system, string jobsRole)
    {
        if (!system.Settings.ProviderClass.Contains("Cluster", StringComparison.Ordinal)) return null;
        var cluster = Cluster.Get(system);
        var state = cluster.State;
        if (cluster.SelfMember.Status is MemberStatus.Down or MemberStatus.Exiting or MemberStatus.Removed or MemberStatus.Leaving)
            return $"this member is {cluster.SelfMember.Status.ToString().ToLowerInvariant()}: it is leaving the cluster";
        var (hosts, unreachable) = JobHosts.Of(state, jobsRole);
        if (hosts.Length == 0) return null;
        var reachable = hosts.Except(unreachable).ToArray();
        if (reachable.Length * 2 > hosts.Length) return null;
        var lowest = hosts.Select(m => m.Address).OrderBy(a => a, Member.AddressOrdering).First();
        if (reachable.Length * 2 == hosts.Length && reachable.Any(m => m.Address.Equals(lowest))) return null;
        return $"this member reaches {reachable.Length} of the {hosts.Length} members hosting jobs; unreachable: " +
               string.Join(", ", unreachable.Select(m => m.Address.ToString()).Order());
    }
}
