using System.CommandLine;

namespace Orchestrator.Node.Cli;

/// <summary>
/// <c>orchestrator</c> with a command word runs that command and exits; without one it runs the node (its
/// <c>--key value</c> options are the node's settings).
/// </summary>
public static class CommandLine
{
    public static readonly string[] Words = ["authority", "identity", "credential", "contract", "cluster", "sharding", "jobs", "providers", "settlements", "actor", "log", "shell"];

    public static bool IsCommand(string[] args) => args.Length > 0 && Words.Contains(args[0]);

    public static int Run(string[] args) => Invoke(Root(), args);

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
        foreach (var error in parsed.Errors) Console.Error.WriteLine("orchestrator: " + error.Message);
        Console.Error.WriteLine($"orchestrator: see `orchestrator {string.Join(' ', args.TakeWhile(a => !a.StartsWith('-')))} --help`");
        return 2;
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
