using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Threading.Channels;
using Akka.Actor;
using Akka.Cluster;

namespace Orchestrator.Api;

/// <summary>One membership or reachability event, as <c>orchestrator cluster tail</c> prints it.</summary>
public sealed record ClusterEventView(DateTimeOffset At, string Event, string? Address, string? Status, IReadOnlyList<string> Roles);

/// <summary>
/// <c>GET /ops/cluster/events</c> (Server-Sent Events, <c>event: cluster</c>): the members as they are now (one
/// <c>MemberUp</c>-style event each), then every membership, reachability and leader change as this node sees it,
/// until the client goes away — Petabridge.Cmd's <c>cluster tail</c>. Behind the API token.
/// </summary>
public static class ClusterEvents
{
    public static IEndpointRouteBuilder MapClusterEvents(this IEndpointRouteBuilder app)
    {
        app.MapGet("/ops/cluster/events", (ActorSystem system, CancellationToken ct) => TypedResults.ServerSentEvents(Stream(system, ct)))
            .WithName("ClusterTail").WithSummary("Membership and reachability events, live (Server-Sent Events).")
            .Produces<ClusterEventView>(StatusCodes.Status200OK, "text/event-stream");
        return app;
    }

    private static async IAsyncEnumerable<SseItem<string>> Stream(ActorSystem system, [EnumeratorCancellation] CancellationToken ct)
    {
        var events = Channel.CreateUnbounded<ClusterEventView>(new UnboundedChannelOptions { SingleReader = true });
        var relay = system.ActorOf(Props.Create(() => new Relay(events.Writer)));
        try
        {
            await foreach (var e in events.Reader.ReadAllAsync(ct))
                yield return new SseItem<string>(JsonSerializer.Serialize(e, ApiJson.Options), "cluster");
        }
        finally
        {
            relay.Tell(PoisonPill.Instance);
        }
    }

    /// <summary>Subscribes to the cluster's events for one client and hands them on; stops with the stream.</summary>
    private sealed class Relay : ReceiveActor
    {
        private readonly ChannelWriter<ClusterEventView> _out;

        public Relay(ChannelWriter<ClusterEventView> output)
        {
            _out = output;
            Receive<ClusterEvent.IMemberEvent>(e => Write(e.GetType().Name, e.Member));
            Receive<ClusterEvent.UnreachableMember>(e => Write(nameof(ClusterEvent.UnreachableMember), e.Member));
            Receive<ClusterEvent.ReachableMember>(e => Write(nameof(ClusterEvent.ReachableMember), e.Member));
            Receive<ClusterEvent.LeaderChanged>(e =>
                _out.TryWrite(new ClusterEventView(DateTimeOffset.UtcNow, nameof(ClusterEvent.LeaderChanged), e.Leader?.ToString(), null, [])));
            ReceiveAny(_ => { });
        }

        protected override void PreStart() =>
            Cluster.Get(Context.System).Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents,
                typeof(ClusterEvent.IMemberEvent), typeof(ClusterEvent.IReachabilityEvent), typeof(ClusterEvent.LeaderChanged));

        protected override void PostStop()
        {
            Cluster.Get(Context.System).Unsubscribe(Self);
            _out.TryComplete();
        }

        private void Write(string name, Member member) =>
            _out.TryWrite(new ClusterEventView(DateTimeOffset.UtcNow, name, member.Address.ToString(), member.Status.ToString(), member.Roles.Order().ToArray()));
    }
}
