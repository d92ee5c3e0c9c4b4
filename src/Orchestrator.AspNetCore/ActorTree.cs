using Akka.Actor;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Orchestrator.Api;

/// <summary>
/// One actor of the node's tree, or a fold of many alike: <see cref="Count"/> siblings of one type (e.g. 10,000 job
/// actors across a region's shards) shown as one node, with what lives under them counted by type.
/// </summary>
public sealed record ActorNodeView(string Name, string Path, string Type, int Count, IReadOnlyList<ActorNodeView> Children);

/// <summary>
/// <c>GET /ops/actors?depth=N</c> — Petabridge.Cmd's <c>actor hierarchy</c>: the node's actor tree from the root, to a
/// depth; siblings of one type beyond <see cref="FoldAbove"/> are folded into one line with their descendants counted
/// by type, so a node with 10,000 jobs prints a summary a person can read.
/// </summary>
public static class ActorTree
{
    public const int FoldAbove = 8;
    public const int DefaultDepth = 6;
    public const int MaxDepth = 32;

    public static IEndpointRouteBuilder MapActorTree(this IEndpointRouteBuilder app)
    {
        app.MapGet("/ops/actors", Hierarchy).WithName("ActorHierarchy")
            .WithSummary("The node's actor tree to a depth, many siblings of one type folded into a count.")
            .WithQuery(new QueryParameterSpec("depth", $"Levels below the root, 1 to {MaxDepth} (default {DefaultDepth}).", Microsoft.OpenApi.JsonSchemaType.Integer, "int32"))
            .ProducesProblems(400);
        return app;
    }

    private static Results<Ok<ActorNodeView>, ProblemHttpResult> Hierarchy(ActorSystem system, HttpRequest request)
    {
        var depth = DefaultDepth;
        if (request.Query["depth"] is { Count: > 0 } text &&
            (!int.TryParse(text.ToString(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out depth) || depth is < 1 or > MaxDepth))
            return Problems.Invalid(new Dictionary<string, string[]> { ["depth"] = [$"must be a whole number from 1 to {MaxDepth}, not '{text}'"] });
        return TypedResults.Ok(Walk(((ExtendedActorSystem)system).Provider.RootGuardian, depth));
    }

    /// <summary>The tree under <paramref name="actor"/>, to <paramref name="depth"/> levels below it.</summary>
    public static ActorNodeView Walk(IActorRef actor, int depth)
    {
        var path = actor.Path.ToStringWithoutAddress();
        var name = actor.Path.Elements.Count == 0 ? "/" : actor.Path.Name;
        if (depth == 0) return new ActorNodeView(name, path, TypeOf(actor), 1, Summary(ChildrenOf(actor)));

        var children = new List<ActorNodeView>();
        foreach (var group in ChildrenOf(actor).GroupBy(TypeOf).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var members = group.OrderBy(c => c.Path.Name, StringComparer.Ordinal).ToArray();
            if (members.Length > FoldAbove)
                children.Add(new ActorNodeView($"{members.Length} × {group.Key}", path.TrimEnd('/') + "/*", group.Key, members.Length,
                    Summary(members.SelectMany(ChildrenOf))));
            else children.AddRange(members.Select(m => Walk(m, depth - 1)));
        }

        return new ActorNodeView(name, path, TypeOf(actor), 1, children);
    }

    /// <summary>Every actor under these, at any depth, counted by type: one line per type.</summary>
    private static IReadOnlyList<ActorNodeView> Summary(IEnumerable<IActorRef> actors)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        var pending = new Stack<IActorRef>(actors);
        while (pending.TryPop(out var actor))
        {
            var type = TypeOf(actor);
            counts[type] = counts.GetValueOrDefault(type) + 1;
            foreach (var child in ChildrenOf(actor)) pending.Push(child);
        }

        return counts.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal)
            .Select(kv => new ActorNodeView($"{kv.Value} × {kv.Key}", "", kv.Key, kv.Value, [])).ToArray();
    }

    // A local actor's children, as its cell holds them now (an immutable snapshot); a remote or special actor has none here.
    private static IEnumerable<IActorRef> ChildrenOf(IActorRef actor) => actor is ActorRefWithCell local ? local.Children : [];

    private static string TypeOf(IActorRef actor) =>
        actor is ActorRefWithCell { Underlying.Props.Type: { } type } ? type.Name.Split('`')[0] : actor.GetType().Name;
}
