using System.Text.Json.Nodes;
using Orchestrator.EndToEnd.Tests.Infrastructure;

namespace Orchestrator.EndToEnd.Tests;

/// <summary>The palette's explaining and inspecting commands (the real CLI) against a real node.</summary>
public sealed class OperatorPaletteTests
{
    // Ten providers that can take the job, one too small for it: more of a kind than the hierarchy lists one by one.
    private static readonly string Providers = "[" + string.Join(",", Enumerable.Range(0, 10).Select(i =>
            $$"""{"id":"cp-{{i:00}}","resources":{"cpuCores":4,"ramMb":8192,"diskGb":100},"executors":["docker"],"pricePerHour":{{1 + i / 10.0:0.0}},"localities":[{"kind":"country","name":"{{(i % 2 == 0 ? "DE" : "FR")}}"}]}"""))
        + """,{"id":"cp-small","resources":{"cpuCores":1,"ramMb":8192,"diskGb":100},"executors":["docker"]}]""";

    private const string Job = """
        {"requirements":{"resources":{"cpuCores":2,"ramMb":256,"diskGb":1}},
         "preferences":[{"weight":30,"localities":[{"kind":"country","name":"FR"}]},{"weight":2,"label":{"key":"tier","op":"in","values":["gold","silver"]}}]}
        """;

    [Fact]
    public async Task Jobs_explain_shows_the_ranking_per_preference_and_why_the_others_were_filtered_out()
    {
        using var setup = NodeSetup.Create(Providers);
        await using var node = await NodeProcess.StartAsync(setup);
        var id = await node.Http.PostJobOkAsync(Job);
        Assert.Equal("Contracted", (await node.Http.AwaitTerminalAsync(id)).State());

        var json = await Json(node, "jobs", "explain", id);
        var ranking = json["explanation"]!["ranking"]!.AsArray();
        Assert.Equal(10, ranking.Count);
        var selected = json["selectedProviderId"]!.GetValue<string>();
        Assert.Equal(selected, ranking[0]!["providerId"]!.GetValue<string>());
        // The locality preference decided it: every provider in FR outranks every one in DE.
        Assert.All(ranking.Take(5), r => Assert.True(int.Parse(r!["providerId"]!.GetValue<string>()[3..]) % 2 == 1, $"{r} is not in FR"));
        Assert.Contains(ranking[0]!["breakdown"]!.AsArray(), t => t!["weight"]!.GetValue<int>() == 30 && t["score"]!.GetValue<double>() == 1);
        Assert.Equal(1, json["explanation"]!["filteredOut"]!["insufficient-cpu"]!.GetValue<int>());
        var small = Assert.Single(json["providers"]!.AsArray(), p => p!["providerId"]!.GetValue<string>() == "cp-small")!;
        Assert.Equal(("ruled-out", "insufficient-cpu"), (small["outcome"]!.GetValue<string>(), small["reason"]!.GetValue<string>()));

        var human = await Cli.OperateAsync(node, "jobs", "explain", id);
        Assert.True(human.ExitCode == 0, human.Errors);
        Assert.Contains($"selected by score: {selected}", human.Output);
        Assert.Contains($"{selected} (selected)", human.Output);
        Assert.Contains("(×30)", human.Output); // a column for the locality preference, with its weight
        Assert.Contains("insufficient-cpu", human.Output);
        Assert.Contains("cp-small", human.Output);

        var unknown = await Cli.OperateAsync(node, "jobs", "explain", "no-such-job");
        Assert.Equal(1, unknown.ExitCode);
    }

    [Fact]
    public async Task Actor_hierarchy_shows_the_node_s_tree_with_many_alike_folded_into_a_count()
    {
        using var setup = NodeSetup.Create(Providers);
        await using var node = await NodeProcess.StartAsync(setup);
        var id = await node.Http.PostJobOkAsync(Job);
        Assert.Equal("Contracted", (await node.Http.AwaitTerminalAsync(id)).State());

        var tree = await Json(node, "actor", "hierarchy");
        Assert.Equal("/", tree["name"]!.GetValue<string>());
        var all = Flatten(tree).ToArray();
        Assert.Contains(all, n => n["path"]!.GetValue<string>() == "/user/providers");
        Assert.Contains(all, n => n["path"]!.GetValue<string>() == "/system/sharding/job");
        // Eleven providers: one folded line, with what lives under them counted by type.
        var providers = Assert.Single(all, n => n["path"]!.GetValue<string>() == "/user/providers/*");
        Assert.Equal((11, "BackoffSupervisor"), (providers["count"]!.GetValue<int>(), providers["type"]!.GetValue<string>()));
        var ledgers = Assert.Single(providers["children"]!.AsArray())!;
        Assert.Equal((11, "ProviderActor"), (ledgers["count"]!.GetValue<int>(), ledgers["type"]!.GetValue<string>()));
        Assert.Contains(all, n => n["type"]!.GetValue<string>() == "JobActor");

        var human = await Cli.OperateAsync(node, "actor", "hierarchy", "--depth", "3");
        Assert.True(human.ExitCode == 0, human.Errors);
        Assert.Contains("11 × BackoffSupervisor", human.Output);
        Assert.Contains("11 × ProviderActor", human.Output);
        Assert.Contains("sharding", human.Output);
        Assert.DoesNotContain("cp-03", human.Output); // folded, not listed

        var shallow = await Json(node, "actor", "hierarchy", "--depth", "1");
        Assert.All(shallow["children"]!.AsArray(), c => Assert.All(c!["children"]!.AsArray(), g => Assert.Empty(g!["children"]!.AsArray())));
        var refused = await Cli.OperateAsync(node, "actor", "hierarchy", "--depth", "0");
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("depth", refused.Errors);
    }

    [Fact]
    public async Task Log_tail_prints_the_recent_lines_and_follows_new_ones_at_the_level_asked()
    {
        using var setup = NodeSetup.Create(Providers);
        await using var node = await NodeProcess.StartAsync(setup);

        // The recent lines: the node's own start line among them, one JSON object per line.
        var recent = await Cli.OperateAsync(node, "log", "tail", "--json", "--lines", "500");
        Assert.True(recent.ExitCode == 0, recent.Errors);
        var lines = recent.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!).ToArray();
        Assert.Contains(lines, l => l["message"]!.GetValue<string>().StartsWith("node sp-e2e", StringComparison.Ordinal) && l["level"]!.GetValue<string>() == "info");
        Assert.True(lines.Select(l => l["seq"]!.GetValue<long>()).SequenceEqual(lines.Select(l => l["seq"]!.GetValue<long>()).Order()), "lines out of order");

        // Following: a job posted now shows up as it is logged; a warning-level follower does not see it.
        using var follower = Cli.Start(node, "log", "tail", "--follow", "--lines", "1");
        using var warnings = Cli.Start(node, "log", "tail", "--follow", "--level", "warning", "--lines", "1");
        await Poll.UntilAsync(() => Task.Run(() => Assert.NotEmpty(follower.Output)), TimeSpan.FromSeconds(20));
        var id = await node.Http.PostJobOkAsync(Job.Replace("{\"requirements\"", "{\"jobId\":\"logged-job\",\"requirements\""));
        Assert.Equal("logged-job", id);
        await Poll.UntilAsync(() => Task.Run(() => Assert.Contains("job logged-job: posted by", follower.Output)), TimeSpan.FromSeconds(20));
        Assert.DoesNotContain("job logged-job: posted by", warnings.Output);

        var refused = await Cli.OperateAsync(node, "log", "tail", "--level", "chatty");
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("level", refused.Errors);
    }

    [Fact]
    public async Task The_shell_runs_one_command_per_line_against_its_node_until_exit()
    {
        using var setup = NodeSetup.Create(Providers);
        await using var node = await NodeProcess.StartAsync(setup);
        var id = await node.Http.PostJobOkAsync(Job);
        Assert.Equal("Contracted", (await node.Http.AwaitTerminalAsync(id)).State());

        var run = await Cli.OperateWithInputAsync(node, $"cluster leader --json\n\njobs show {id}\nno-such-command\nshell\nexit\njobs list\n", "shell");
        Assert.True(run.ExitCode == 0, run.Errors);
        Assert.Contains("\"isSelf\": true", run.Output); // the session's --node reached every command
        Assert.Contains($"job {id}: Contracted", run.Output);
        Assert.Contains("no-such-command", run.Errors); // a bad line is said and the session goes on
        Assert.Contains("already in the shell", run.Errors);
        Assert.DoesNotContain("job(s)", run.Output); // nothing after `exit`
    }

    private static IEnumerable<JsonObject> Flatten(JsonObject node) =>
        node["children"]!.AsArray().SelectMany(c => Flatten(c!.AsObject())).Prepend(node);

    private static async Task<JsonObject> Json(NodeProcess node, params string[] command)
    {
        var run = await Cli.OperateAsync(node, [.. command, "--json"]);
        Assert.True(run.ExitCode == 0, $"{string.Join(' ', command)}: exit {run.ExitCode}: {run.Errors}");
        return JsonNode.Parse(run.Output)!.AsObject();
    }
}
