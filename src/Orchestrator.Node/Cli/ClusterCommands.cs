using System.CommandLine;
using System.Text.Json;
using Orchestrator.Api;
using Spectre.Console;

namespace Orchestrator.Node.Cli;

/// <summary><c>orchestrator cluster show | leader | tail | leave | down | down-unreachable | join</c>: Petabridge.Cmd's cluster palette.</summary>
public static class ClusterCommands
{
    public static Command Create()
    {
        var show = new Command("show", "every member: address, roles, status, reachability, version, leader; then the count");
        Operator.SetAction(show, async (client, json, _, ct) =>
        {
            var answer = await client.GetAsync("/ops/cluster", ct);
            if (json) Output.Json(answer);
            else Render(NodeClient.Read<ClusterView>(answer));
            return 0;
        });

        var leader = new Command("leader", "the cluster's leader as this node sees it (exit 1 when there is none)");
        Operator.SetAction(leader, async (client, json, _, ct) =>
        {
            var view = NodeClient.Read<ClusterView>(await client.GetAsync("/ops/cluster", ct));
            if (json)
                Output.Json(JsonSerializer.SerializeToElement(new { leader = view.Leader, self = view.Self, isSelf = view.Leader == view.Self }));
            else Output.Line(view.Leader is null ? "no leader (the node is not in a cluster, or no member is reachable)" : view.Leader + (view.Leader == view.Self ? " (this node)" : ""));
            return view.Leader is null ? 1 : 0;
        });

        var tail = new Command("tail", "the members as they are, then every membership, reachability and leader change live, until Ctrl-C");
        Operator.SetAction(tail, Tail);

        var cluster = NodeClient.WithNodeOptions(new Command("cluster", "the Akka.NET cluster the node is in"));
        cluster.Subcommands.Add(show);
        cluster.Subcommands.Add(leader);
        cluster.Subcommands.Add(tail);
        // Petabridge.Cmd spells them `cluster sharding regions | region-stats | locate`; `sharding …` stays an alias.
        cluster.Subcommands.Add(ShardingCommands.Create(underCluster: true));
        cluster.Subcommands.Add(MemberCommand("leave", "ask a member to leave the cluster gracefully (its shards hand over first)"));
        cluster.Subcommands.Add(MemberCommand("down", "mark a member as down: the cluster stops waiting for it (use for a node that is gone)"));
        cluster.Subcommands.Add(MemberCommand("join", "make the node join the cluster a member of which is at ADDRESS"));
        var downUnreachable = new Command("down-unreachable", "down every member the cluster cannot reach");
        Operator.SetAction(downUnreachable, (client, json, _, ct) => Command(client, json, "/ops/cluster/down-unreachable", null, ct));
        cluster.Subcommands.Add(downUnreachable);
        return cluster;
    }

    /// <summary>Prints each event as the node streams it (one JSON object per line with --json); 3 if the node goes away.</summary>
    private static async Task<int> Tail(NodeClient client, bool json, System.CommandLine.ParseResult _, CancellationToken ct)
    {
        try
        {
            await using var stream = await client.OpenStreamAsync("/ops/cluster/events", ct);
            await foreach (var item in System.Net.ServerSentEvents.SseParser.Create(stream).EnumerateAsync(ct))
            {
                if (item.EventType != "cluster") continue;
                if (json)
                {
                    Console.WriteLine(item.Data);
                    continue;
                }

                var e = JsonSerializer.Deserialize<ClusterEventView>(item.Data, ApiJson.Reading)!;
                var colour = e.Event switch { "UnreachableMember" or "MemberRemoved" or "MemberDowned" => "red", "ReachableMember" or "MemberUp" => "green", _ => "default" };
                Output.Console.MarkupLine($"{e.At:HH:mm:ss.fff}  [{colour}]{Markup.Escape(e.Event),-18}[/]  {Markup.Escape(e.Address ?? "(none)")}" +
                                          (e.Status is null ? "" : $"  {e.Status}") + (e.Roles.Count > 0 ? $"  {Markup.Escape(string.Join(",", e.Roles))}" : ""));
            }
        }
        catch (OperationCanceledException)
        {
            return 0;
        }
        catch (IOException)
        {
        }

        if (ct.IsCancellationRequested) return 0;
        throw new CliFailure("the node closed the stream (it stopped?)", NodeClient.Unreachable);
    }

    private static Command MemberCommand(string name, string description)
    {
        var address = new Argument<string>("address") { Description = "the member's address, e.g. akka.tcp://orchestrator@10.0.0.5:4053 (see `cluster show`)" };
        var command = new Command(name, description) { address };
        Operator.SetAction(command, (client, json, parsed, ct) =>
            Command(client, json, $"/ops/cluster/{name}", JsonSerializer.Serialize(new { address = parsed.GetValue(address) }), ct));
        return command;
    }

    private static async Task<int> Command(NodeClient client, bool json, string path, string? body, CancellationToken ct)
    {
        var answer = await client.PostAsync(path, body, ct);
        if (json) Output.Json(answer);
        else Output.Line(NodeClient.Read<ClusterCommandView>(answer).Detail);
        return 0;
    }

    private static void Render(ClusterView view)
    {
        var table = Output.Table("ADDRESS", "ROLES", "STATUS", "REACHABLE", "VERSION", "LEADER");
        foreach (var m in view.Members)
            table.AddRow(Markup.Escape(m.Address + (m.IsSelf ? " (this node)" : "")), Markup.Escape(string.Join(",", m.Roles)), m.Status,
                m.Reachable ? "yes" : "[red]NO[/]", Markup.Escape(m.AppVersion), m.IsLeader ? "leader" : "");
        Output.Print(table);
        Output.Line($"{view.Members.Count} member(s), {view.Members.Count(m => m.Status == "Up")} Up, {view.Unreachable} unreachable; leader {view.Leader ?? "none"}");
    }
}
