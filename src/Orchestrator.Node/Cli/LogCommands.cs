using System.CommandLine;
using System.Text.Json;
using Orchestrator.Node.Startup;
using Spectre.Console;

namespace Orchestrator.Node.Cli;

/// <summary>
/// <c>orchestrator log tail [--level warning] [--lines N] [--follow]</c>: the node's recent log lines (kept in memory by
/// the node), then, with <c>--follow</c>, each new one as it is written, until Ctrl-C.
/// </summary>
public static class LogCommands
{
    private static readonly TimeSpan FollowEvery = TimeSpan.FromMilliseconds(500);

    public static Command Create()
    {
        var level = new Option<string>("--level", "-l") { Description = "the lowest level shown: trace, debug, info, warning, error, critical", DefaultValueFactory = _ => "info" };
        var lines = new Option<int>("--lines", "-n") { Description = "how many of the recent lines first", DefaultValueFactory = _ => 50 };
        var follow = new Option<bool>("--follow", "-f") { Description = "then print new lines as they are written, until Ctrl-C" };
        var tail = new Command("tail", "the node's recent log lines, and with --follow the new ones as they come") { level, lines, follow };
        Operator.SetAction(tail, async (client, json, parsed, ct) =>
        {
            var lowest = Uri.EscapeDataString(parsed.GetValue(level)!);
            var page = await Page(client, $"/ops/logs?level={lowest}&last={Math.Clamp(parsed.GetValue(lines), 1, RecentLogs.DefaultCapacity)}", json, ct);
            if (!parsed.GetValue(follow)) return 0;
            var after = page.Next;
            try
            {
                while (!ct.IsCancellationRequested)
                {
                    await Task.Delay(FollowEvery, ct);
                    after = (await Page(client, $"/ops/logs?level={lowest}&after={after}", json, ct)).Next;
                }
            }
            catch (OperationCanceledException)
            {
            }

            return 0;
        });

        var log = NodeClient.WithNodeOptions(new Command("log", "the node's log"));
        log.Subcommands.Add(tail);
        return log;
    }

    /// <summary>Prints a page's lines (one JSON object per line with --json) and returns it.</summary>
    private static async Task<LogPage> Page(NodeClient client, string path, bool json, CancellationToken ct)
    {
        var answer = await client.GetAsync(path, ct);
        var page = NodeClient.Read<LogPage>(answer);
        if (json)
            foreach (var line in answer.GetProperty("lines").EnumerateArray()) Console.WriteLine(JsonSerializer.Serialize(line));
        else
            foreach (var line in page.Lines)
                Output.Console.MarkupLine($"{line.At:HH:mm:ss.fff} {Colour(line.Level)} [grey]{Markup.Escape(line.Category)}[/] {Markup.Escape(line.Message)}");
        return page;
    }

    private static string Colour(string level) => level switch
    {
        "warning" => "[yellow]WRN[/]",
        "error" or "critical" => "[red]" + (level == "error" ? "ERR" : "CRT") + "[/]",
        "debug" or "trace" => "[grey]" + level.ToUpperInvariant()[..3] + "[/]",
        _ => "INF",
    };
}
