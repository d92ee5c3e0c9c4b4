using Orchestrator.Node.Cli;

namespace Orchestrator.EndToEnd.Tests;

/// <summary>What the shell's Tab offers, and how it splits a line (no node needed).</summary>
public sealed class ShellCompletionTests
{
    [Theory]
    [InlineData("", "cluster")]
    [InlineData("clu", "cluster")]
    [InlineData("cluster l", "leader")]
    [InlineData("cluster l", "leave")]
    [InlineData("actor ", "hierarchy")]
    [InlineData("log tail --f", "--follow")]
    [InlineData("jobs ex", "explain")]
    [InlineData("cluster sharding ", "region-stats")]
    public void Tab_offers_the_commands_and_options_that_fit(string line, string offered) =>
        Assert.Contains(offered, ShellCommand.Completions(CommandLine.Root(), line));

    [Fact]
    public void Tab_offers_only_what_fits_the_word_typed()
    {
        Assert.Equal(["leader", "leave"], ShellCommand.Completions(CommandLine.Root(), "cluster le"));
        Assert.Equal(["cluster"], ShellCommand.Completions(CommandLine.Root(), "clus"));
        Assert.Empty(ShellCommand.Completions(CommandLine.Root(), "zzz"));
    }

    [Theory]
    [InlineData("jobs show a", new[] { "jobs", "show", "a" })]
    [InlineData("  jobs   list  ", new[] { "jobs", "list" })]
    [InlineData("jobs post \"my job.json\"", new[] { "jobs", "post", "my job.json" })]
    [InlineData("cluster join 'akka.tcp://o@h:1'", new[] { "cluster", "join", "akka.tcp://o@h:1" })]
    [InlineData("x \"\"", new[] { "x", "" })]
    public void A_line_splits_into_words_as_a_shell_splits_it(string line, string[] words) => Assert.Equal(words, ShellCommand.Split(line));
}
