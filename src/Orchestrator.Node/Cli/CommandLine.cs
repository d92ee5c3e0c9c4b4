using System.CommandLine;

namespace Orchestrator.Node.Cli;

/// <summary>
/// <c>orchestrator</c> with a command word runs that command and exits; without one it runs the node (its
/// <c>--key value</c> options are the node's settings).
/// </summary>
public static class CommandLine
{
    public static readonly string[] Words = ["authority", "identity", "credential", "contract", "cluster", "sharding", "jobs", "providers", "settlements", "actor", "log", "shell"];

    /// <summary>The operator's options every command takes, which users also put before the command word.</summary>
    private static readonly string[] GlobalWithValue = ["--node", "--token"];

    public static bool IsCommand(string[] args) => args.Length > 0 && Words.Contains(WithGlobalsLast(args)[0]);

    public static int Run(string[] args) => Invoke(Root(), WithGlobalsLast(args));

    /// <summary>
    /// <c>orchestrator --node URL jobs list</c> as <c>orchestrator jobs list --node URL</c>: the command's options
    /// where a user puts them, before the command word or after it.
    /// </summary>
    internal static string[] WithGlobalsLast(string[] args)
    {
        var leading = new List<string>();
        var i = 0;
        while (i < args.Length && (GlobalWithValue.Contains(args[i].Split('=')[0]) || args[i] == "--json"))
        {
            var takesValue = GlobalWithValue.Contains(args[i]) && i + 1 < args.Length;
            leading.AddRange(args.Skip(i).Take(takesValue ? 2 : 1));
            i += takesValue ? 2 : 1;
        }

        return i > 0 && i < args.Length && Words.Contains(args[i]) ? [.. args.Skip(i), .. leading] : args;
    }

    /// <summary>Every command of the executable (the shell builds it again for each session's lines).</summary>
    public static RootCommand Root() => new("orchestrator: run a DMS node (no command), operate one (cluster, sharding, actor, log, jobs, providers, settlements, shell), or manage the network's trust")
    {
        ClusterCommands.Create(),
        ShardingCommands.Create(),
        ActorCommands.Create(),
        LogCommands.Create(),
        JobsCommands.Create(),
        ProvidersCommands.Create(),
        AuthorityCommands.Create(),
        IdentityCommands.Create(),
        CredentialCommands.Create(),
        ContractCommands.Create(),
        SettlementCommands.Create(),
        ShellCommand.Create(Root),
    };

    /// <summary>Runs one command line; misuse is exit code 2 (as for the node's own bad settings), 1 means the command ran and said no.</summary>
    public static int Invoke(RootCommand root, string[] args)
    {
        var parsed = root.Parse(args);
        if (parsed.Errors.Count == 0) return parsed.InvokeAsync().GetAwaiter().GetResult();
        foreach (var message in Explain(parsed)) Console.Error.WriteLine("orchestrator: " + message);
        Console.Error.WriteLine($"orchestrator: see `{Path(parsed.CommandResult.Command)} --help`");
        return 2;
    }

    /// <summary>
    /// The parser's errors as a user needs them: an unknown word answered with the closest command or option that
    /// exists where it was typed (<c>jobs lst</c>: did you mean <c>list</c>?), the value after an unknown option not
    /// reported a second time, and "required command was not provided" left out when the word typed was the mistake.
    /// </summary>
    private static IEnumerable<string> Explain(ParseResult parsed)
    {
        var command = parsed.CommandResult.Command;
        var subcommands = command.Subcommands.Select(c => c.Name).ToArray();
        var options = OptionsOf(parsed.CommandResult).ToArray();
        var unmatched = parsed.UnmatchedTokens.ToList();
        var said = new List<string>();
        for (var i = 0; i < unmatched.Count; i++)
        {
            var token = unmatched[i];
            if (token.StartsWith('-'))
            {
                var near = Configuration.Spelling.Closest(token.Split('=')[0], options);
                said.Add($"{token.Split('=')[0]} is not an option of `{Path(command)}`" + (near is null ? "" : $"; did you mean {near}?"));
                if (i + 1 < unmatched.Count && !unmatched[i + 1].StartsWith('-')) i++;   // its value
            }
            else if (subcommands.Length > 0 && said.Count == 0)
            {
                var near = Configuration.Spelling.Closest(token, subcommands);
                said.Add($"'{token}' is not a command of `{Path(command)}`" + (near is null ? $" (it has: {string.Join(", ", subcommands)})" : $"; did you mean `{Path(command)} {near}`?"));
            }
            else said.Add($"unexpected '{token}'");
        }

        var rest = parsed.Errors.Select(e => e.Message)
            .Where(m => !m.StartsWith("Unrecognized command or argument", StringComparison.Ordinal))
            .Where(m => said.Count == 0 || !m.StartsWith("Required command was not provided", StringComparison.Ordinal))
            .Select(m => m.StartsWith("Required command was not provided", StringComparison.Ordinal)
                ? $"`{Path(command)}` needs a command: {string.Join(", ", subcommands)}" : m);
        return said.Concat(rest);
    }

    private static IEnumerable<string> OptionsOf(System.CommandLine.Parsing.CommandResult result)
    {
        for (System.CommandLine.Parsing.SymbolResult? at = result; at is System.CommandLine.Parsing.CommandResult c; at = c.Parent)
            foreach (var option in c.Command.Options.Where(o => at == result || o.Recursive))
                yield return option.Name;
    }

    /// <summary>A command's full name as typed: <c>orchestrator jobs list</c>.</summary>
    private static string Path(Command command)
    {
        var names = new List<string>();
        for (var c = command; c is not null and not RootCommand; c = c.Parents.OfType<Command>().FirstOrDefault()) names.Insert(0, c.Name);
        return string.Join(' ', ["orchestrator", .. names]);
    }

    /// <summary>A command's failure: the message on stderr and exit code 1 (2 is left for misuse).</summary>
    public static int Fail(string message)
    {
        Console.Error.WriteLine("orchestrator: " + message);
        return 1;
    }

    public static IReadOnlyList<string> List(string? value) =>
        value?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries) ?? [];
}
