using Orchestrator.EndToEnd.Tests.Infrastructure;

namespace Orchestrator.EndToEnd.Tests;

/// <summary>
/// The CLI parses as carefully as the node: the closest command or option that exists where a word was typed, the
/// operator's options taken before the command word too, hints that name real commands. Exit code 2 for misuse.
/// </summary>
public sealed class CliParsingTests
{
    public static TheoryData<string, string[], int, string[], string[]> Lines => new()
    {
        { "a misspelt command", ["jobs", "lst"], 2,
            ["'lst' is not a command of `orchestrator jobs`; did you mean `orchestrator jobs list`?", "see `orchestrator jobs --help`"], ["Required command"] },
        { "a misspelt option, and its value not reported again", ["jobs", "list", "--limt", "5"], 2,
            ["--limt is not an option of `orchestrator jobs list`; did you mean --limit?", "see `orchestrator jobs list --help`"], ["'5'"] },
        { "a misspelt operator option", ["providers", "list", "--jsn"], 2, ["--jsn is not an option of `orchestrator providers list`; did you mean --json?"], [] },
        { "a command group alone", ["jobs"], 2, ["`orchestrator jobs` needs a command: list, show, watch, post"], ["Required command was not provided"] },
        { "an option of a parent group", ["identity", "export", "--data"], 2, ["see `orchestrator identity export --help`"], [] },
        { "--node before the command word: a command, not a node", ["--node", "http://127.0.0.1:1", "jobs", "list"], 3, ["127.0.0.1:1"], ["is not an option"] },
        { "--json and --token before it too", ["--json", "--token", "0123456789abcdef0123", "--node", "http://127.0.0.1:1", "cluster", "show"], 3, ["127.0.0.1:1"], ["is not an option"] },
    };

    [Theory]
    [MemberData(nameof(Lines))]
    public async Task A_command_line_is_answered_as_typed(string what, string[] args, int exit, string[] saying, string[] notSaying)
    {
        var (code, output, errors) = await Cli.RunAsync(Path.GetTempPath(), args);
        var said = output + errors;
        Assert.True(code == exit, $"{what}: exit {code}\n{said}");
        foreach (var text in saying) Assert.True(said.Contains(text, StringComparison.Ordinal), $"{what}: expected '{text}' in\n{said}");
        foreach (var text in notSaying) Assert.False(said.Contains(text, StringComparison.Ordinal), $"{what}: did not expect '{text}' in\n{said}");
    }

    [Fact]
    public async Task The_identity_export_help_names_the_option_approve_takes()
    {
        var (_, output, _) = await Cli.RunAsync(Path.GetTempPath(), "identity", "--help");
        Assert.Contains("`orchestrator authority approve --node-key`", output);
        var (_, approve, _) = await Cli.RunAsync(Path.GetTempPath(), "authority", "approve", "--help");
        Assert.Contains("--node-key", approve);
    }
}
