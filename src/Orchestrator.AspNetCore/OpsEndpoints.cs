using Orchestrator.Client;
using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Sharding;
using Akka.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using Orchestrator.Hosting;
using Orchestrator.Protocol.Messages;

namespace Orchestrator.Api;

/// <summary>
/// The operator's palette over HTTP (what Petabridge.Cmd's cluster and sharding commands give): members, leave,
/// down, join; shard regions, their distribution, where a job lives. Behind the API token when the node is exposed.
/// </summary>
public static class OpsEndpoints
{

    public static IEndpointRouteBuilder MapOpsEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/ops/cluster", (ActorSystem system) => TypedResults.Ok(ClusterOf(system))).WithName("ClusterShow")
            .WithSummary("The cluster's members: address, roles, status, reachability, leader.");
        app.MapPost("/ops/cluster/leave", (ActorSystem system, HttpRequest request, CancellationToken ct) => OnMember(system, request, "leave", (c, a) => c.Leave(a), ct))
            .WithName("ClusterLeave").WithSummary("Ask a member to leave the cluster gracefully.")
            .WithBody<AddressBody>("application/json").ProducesProblems(400, 404, 413, 415);
        app.MapPost("/ops/cluster/down", (ActorSystem system, HttpRequest request, CancellationToken ct) => OnMember(system, request, "down", (c, a) => c.Down(a), ct))
            .WithName("ClusterDown").WithSummary("Down a member (its shards move to the others).")
            .WithBody<AddressBody>("application/json").ProducesProblems(400, 404, 413, 415);
        app.MapPost("/ops/cluster/join", (ActorSystem system, HttpRequest request, CancellationToken ct) => OnMember(system, request, "join", (c, a) => c.Join(a), ct, mustBeMember: false))
            .WithName("ClusterJoin").WithSummary("Make this node join the cluster at an address.")
            .WithBody<AddressBody>("application/json").ProducesProblems(400, 413, 415);
        app.MapPost("/ops/cluster/down-unreachable", (ActorSystem system) =>
        {
            var cluster = Cluster.Get(system);
            var unreachable = cluster.State.Unreachable.Select(m => m.Address).ToArray();
            foreach (var address in unreachable) cluster.Down(address);
            return TypedResults.Ok(new ClusterCommandView("down-unreachable", unreachable.Select(a => a.ToString()).ToArray(),
                unreachable.Length == 0 ? "no member is unreachable" : $"downed {unreachable.Length} unreachable member(s)"));
        }).WithName("ClusterDownUnreachable").WithSummary("Down every unreachable member.");
        app.MapGet("/ops/sharding/regions", (ActorSystem system) => TypedResults.Ok(new RegionsView(ClusterSharding.Get(system).ShardTypeNames.Order().ToArray())))
            .WithName("ShardRegions").WithSummary("The shard regions on this node.");
        app.MapGet("/ops/sharding/regions/{region}", RegionStats).WithName("ShardRegionStats")
            .WithSummary("Shards and entities per node of a region, and which node hosts its coordinator.").ProducesProblems(404);
        app.MapGet("/ops/sharding/locate/{jobId}", Locate).WithName("LocateJob")
            .WithSummary("Where a job lives: its shard and the node hosting it.").ProducesProblems(400, 404);
        return app;
    }

    /// <summary>The body of a command on a member: its actor system address.</summary>
    /// <param name="Address">The member, e.g. <c>akka.tcp://orchestrator@10.0.0.5:4053</c> (see <c>GET /ops/cluster</c>).</param>
    public sealed record AddressBody(string Address);

    /// <summary>A command's body is one address: a few hundred bytes; more is not a command.</summary>
    internal const int MaxCommandBytes = 4096;

    /// <summary>The member a command's body names, or the problem with the body (415, 413, or 400 naming the field).</summary>
    internal static async Task<(Address? Address, ProblemHttpResult? Problem)> ReadAddressAsync(HttpRequest request, string example, CancellationToken ct)
    {
        var (body, problem) = await JsonBodyReader.ReadRequestAsync<AddressBody>(request, MaxCommandBytes, ct);
        if (problem is not null) return (null, problem);
        return ParseAddress(body, example, out var address) is { } bad ? (null, bad) : (address, null);
    }

    private static ClusterView ClusterOf(ActorSystem system)
    {
        var cluster = Cluster.Get(system);
        var state = cluster.State;
        var unreachable = state.Unreachable.Select(m => m.Address).ToHashSet();
        var members = state.Members.OrderBy(m => m.Address.ToString(), StringComparer.Ordinal).Select(m => new MemberView(
            m.Address.ToString(), m.Roles.Order().ToArray(), m.Status.ToString(), !unreachable.Contains(m.Address), m.AppVersion.ToString(),
            m.Address.Equals(state.Leader), m.Address.Equals(cluster.SelfAddress))).ToArray();
        return new ClusterView(cluster.SelfAddress.ToString(), state.Leader?.ToString(), members, unreachable.Count);
    }

    /// <summary>The member an operator command names, or the problem with the body (400, naming the field).</summary>
    internal static ProblemHttpResult? ParseAddress(AddressBody? body, string example, out Address address)
    {
        address = Address.AllSystems;
        if (body?.Address is not { Length: > 0 } text)
            return Problems.Invalid(new Dictionary<string, string[]> { ["address"] = [$"name the member, e.g. {example}"] });
        try
        {
            address = Address.Parse(text);
        }
        catch (Exception e) when (e is UriFormatException or ArgumentException)
        {
            return Problems.Invalid(new Dictionary<string, string[]> { ["address"] = [$"'{text}' is not an actor system address: {e.Message}"] });
        }

        return address.Host is null || address.Port is null
            ? Problems.Invalid(new Dictionary<string, string[]> { ["address"] = [$"'{text}' names no host and port"] })
            : null;
    }

    private static async Task<Results<Ok<ClusterCommandView>, ProblemHttpResult>> OnMember(ActorSystem system, HttpRequest request, string command,
        Action<Cluster, Address> act, CancellationToken ct, bool mustBeMember = true)
    {
        var (read, bad) = await ReadAddressAsync(request, "akka.tcp://orchestrator@10.0.0.5:4053", ct);
        if (bad is not null) return bad;
        var address = read!;
        var cluster = Cluster.Get(system);
        if (mustBeMember && !cluster.State.Members.Any(m => m.Address.Equals(address)))
            return Problems.NotFound($"no cluster member at {address} (see GET /ops/cluster)");
        act(cluster, address);
        return TypedResults.Ok(new ClusterCommandView(command, [address.ToString()], $"{command} sent for {address}"));
    }

    private static async Task<Results<Ok<RegionStatsView>, ProblemHttpResult>> RegionStats(string region, ActorSystem system, CancellationToken ct)
    {
        var sharding = ClusterSharding.Get(system);
        if (!sharding.ShardTypeNames.Contains(region))
            return Problems.NotFound($"no shard region '{region}' on this node (regions: {string.Join(", ", sharding.ShardTypeNames)})");
        // The region gathers every member's numbers within the wait, and answers a moment after it.
        var wait = ActorAsk.Timeout(system);
        var (stats, unanswered) = await system.AskAsync<ClusterShardingStats>(sharding.ShardRegion(region), new GetClusterShardingStats(wait),
            $"shard region '{region}'", ct, wait + TimeSpan.FromSeconds(2));
        if (stats is null) return unanswered!;
        var coordinator = CoordinatorHost(system);
        var nodes = stats.Regions.OrderBy(kv => kv.Key.ToString(), StringComparer.Ordinal).Select(kv => new RegionNodeView(
            kv.Key.ToString(), kv.Value.Stats.Count, kv.Value.Stats.Values.Sum(), kv.Key.Equals(coordinator))).ToArray();
        var unreachable = stats.Regions.Where(kv => kv.Value.Failed.Count > 0).Select(kv => kv.Key.ToString()).ToArray();
        return TypedResults.Ok(new RegionStatsView(region, nodes, nodes.Sum(n => n.Shards), nodes.Sum(n => n.Entities), unreachable));
    }

    /// <summary>The shard coordinator is a cluster singleton: it runs on the oldest Up member with the jobs role.</summary>
    private static Address? CoordinatorHost(ActorSystem system) =>
        Cluster.Get(system).State.Members.Where(m => m.Status == MemberStatus.Up && m.HasRole(OrchestratorNode.Get(system).JobsRole))
            .OrderBy(m => m, Member.AgeOrdering).FirstOrDefault()?.Address;

    private static async Task<Results<Ok<JobLocationView>, ProblemHttpResult>> Locate(string jobId, IRequiredActor<JobRegion> jobs, ActorSystem system,
        CancellationToken ct)
    {
        if (Problems.InvalidJobId(jobId) is { } problem) return problem;
        var (status, unanswered) = await system.JobAsync(jobs.ActorRef, jobId, ct);
        if (status is null) return unanswered!;
        var shard = new JobMessageExtractor().ShardId(jobId, new GetJob(jobId));
        return TypedResults.Ok(new JobLocationView(jobId, shard, status.HostedBy, status.State.ToString()));
    }
}
