using Akka.Actor;
using Akka.Remote;
using Akka.Remote.Transport;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Orchestrator.Api;

/// <summary>
/// Fault injection for drills and tests: cut this node's traffic with another member (both directions), and restore
/// it, to see what the cluster does in a network partition without touching the network. It works only when the
/// operator turned on Akka.Remote's throttling adapter (<c>akka.remote.dot-netty.tcp.applied-adapters = [trttl]</c>,
/// which also changes the address scheme to <c>akka.trttl.tcp</c>); otherwise it answers 409 and changes nothing.
/// Behind the API token, like every operator endpoint.
/// </summary>
public static class FaultEndpoints
{
    public static IEndpointRouteBuilder MapFaultEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/ops/faults/blackhole", (ActorSystem system, HttpRequest request, CancellationToken ct) => Throttle(system, request, Blackhole.Instance, "blackhole", ct))
            .WithName("FaultBlackhole").WithSummary("Drop all traffic between this node and a member, both ways (needs the trttl transport adapter).")
            .WithBody<OpsEndpoints.AddressBody>("application/json").ProducesProblems(400, 409, 413, 415);
        app.MapPost("/ops/faults/restore", (ActorSystem system, HttpRequest request, CancellationToken ct) => Throttle(system, request, Unthrottled.Instance, "restore", ct))
            .WithName("FaultRestore").WithSummary("Let traffic between this node and a member flow again.")
            .WithBody<OpsEndpoints.AddressBody>("application/json").ProducesProblems(400, 409, 413, 415);
        return app;
    }

    private static async Task<Results<Ok<ClusterCommandView>, ProblemHttpResult>> Throttle(ActorSystem system, HttpRequest request, ThrottleMode mode, string command, CancellationToken ct)
    {
        var (read, bad) = await OpsEndpoints.ReadAddressAsync(request, "akka.trttl.tcp://orchestrator@10.0.0.5:4053", ct);
        if (bad is not null) return bad;
        var address = read!;
        // The transport says yes to any command it does not know: whether the throttler is there shows in this node's
        // own address, whose scheme names every adapter applied (akka.trttl.tcp).
        if (((ExtendedActorSystem)system).Provider is not IRemoteActorRefProvider remote
            || !remote.DefaultAddress.Protocol.Contains(ThrottleTransportAdapter.Scheme + ".", StringComparison.Ordinal))
            return Problems.Conflict("this node's transport cannot throttle: set akka.remote.dot-netty.tcp.applied-adapters = [trttl] to allow fault injection",
                "Fault injection is not enabled.");
        await remote.Transport.ManagementCommand(new SetThrottle(address, ThrottleTransportAdapter.Direction.Both, mode));
        return TypedResults.Ok(new ClusterCommandView(command, [address.ToString()], $"{command}: traffic between this node and {address}"));
    }
}
