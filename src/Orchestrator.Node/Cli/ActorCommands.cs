using System.CommandLine;
using Orchestrator.Api;
using Spectre.Console;

namespace Orchestrator.Node.Cli;

/// <summary><c>orchestrator actor hierarchy [--depth N]</c>: Petabridge.Cmd's actor tree of the node, many alike folded into a count.</summary>
public static class ActorCommands
{
    public static Command Create()
    {
        var depth = new Option<int>("--depth", "-d")
        {
            Description = $"how many levels below the root (1 to {ActorTree.MaxDepth})", DefaultValueFactory = _ => ActorTree.DefaultDepth,
        };
        var hierarchy = new Command("hierarchy", $"the node's actors as a tree; more than {ActorTree.FoldAbove} siblings of one type are folded into one line") { depth };
        Operator.SetAction(hierarchy, async (client, json, parsed, ct) =>
        {
            var answer = await client.GetAsync($"/ops/actors?depth={parsed.GetValue(depth)}", ct);
            if (json) Output.Json(answer);
            else
            {
                var root = NodeClient.Read<ActorNodeView>(answer);
                var tree = new Tree(Label(root));
                Add(tree, root.Children);
                Output.Print(tree);
            }

            return 0;
        });

        var actor = NodeClient.WithNodeOptions(new Command("actor", "the node's actors"));
        actor.Subcommands.Add(hierarchy);
        return actor;
    }

    private static void Add(IHasTreeNodes parent, IReadOnlyList<ActorNodeView> children)
    {
        foreach (var child in children) Add(parent.AddNode(Label(child)), child.Children);
    }

    private static string Label(ActorNodeView node) =>
        node.Count > 1 ? $"[bold]{Markup.Escape(node.Name)}[/]" + (node.Path.Length > 0 ? $" [grey]{Markup.Escape(node.Path)}[/]" : "")
        : $"{Markup.Escape(node.Name)} [grey]{Markup.Escape(node.Type)}[/]";
}
