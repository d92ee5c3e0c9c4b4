using System.Reflection;
using Orchestrator.Configuration;

namespace Orchestrator.Node.Startup;

/// <summary>
/// The node's command line, checked before anything starts: <c>--help</c> and <c>--version</c> answer and exit; an
/// unknown option, a missing value or a stray word stops the node naming it (and the closest known option), so a
/// typo never leaves a node running with a default the user did not mean.
/// </summary>
public static class NodeArguments
{
    /// <summary>
    /// One option: its name, what its value looks like, and what it does (the help text) — for an option that sets an
    /// orchestrator setting (<see cref="Sets"/>), the setting's own words from <see cref="SettingsCatalog"/>.
    /// </summary>
    public sealed record Option(string Name, string Value, string Meaning = "", bool EnvironmentOnly = false)
    {
        public string Variable => "ORCHESTRATOR_" + Name.Replace('-', '_').ToUpperInvariant();

        /// <summary>The setting the option sets, over the configuration files.</summary>
        public Setting? Sets { get; init; }

        public string Help => Sets is null ? Meaning : $"{Sets.Meaning} ({Sets.Path})";
    }

    public static readonly IReadOnlyList<Option> Options =
    [
        new("http", "URL[;URL]", "where the HTTP API listens (default http://127.0.0.1:9999)"),
        new("data", "DIR", "folder of the node's key and SQLite file (default data, relative to where you run it)"),
        new("providers", "FILE", "providers to onboard (default: this machine)"),
        new("config", "FILE", "HOCON layered over the built-in defaults"),
        new("node-id", "ID") { Sets = SettingsCatalog.NodeId },
        new("remote-host", "HOST", "address Akka.NET remoting binds to (default 127.0.0.1)"),
        new("remote-port", "PORT", "remoting port (default 0: any free port; a cluster needs fixed ports)"),
        new("public-host", "HOST", "the name other nodes reach this one at (containers bind 0.0.0.0)"),
        new("seeds", "ADDRESS,...", "seed nodes to join, e.g. akka.tcp://orchestrator@node-1:4053; none: a cluster of one"),
        new("roles", "ROLE,...", "jobs (hosts job entities) and/or providers (onboards providers); default both"),
        new("postgres", "CONNECTION") { Sets = SettingsCatalog.PostgresConnectionString },
        new("discovery", "kubernetes|config", "find the other nodes without seed addresses"),
        new("discovery-service", "NAME", "the service discovery looks up (default orchestrator)"),
        new("contact-points", "HOST:PORT,...", "with --discovery config: the nodes' remoting addresses"),
        new("required-contact-points", "N", "nodes discovery must find before the first forms the cluster (default 2)"),
        new("tls-certificate", "FILE") { Sets = SettingsCatalog.TlsCertificate },
        new("tls-ca", "FILE") { Sets = SettingsCatalog.TlsCa },
        new("api-token-file", "FILE", "a file holding the HTTP API's bearer token"),
        new("log-format", "text|json", "json: one JSON object per log line"),
        new("api-token", "TOKEN", "the HTTP API's bearer token (16 characters or more)", EnvironmentOnly: true),
        new("tls-password", "PASSWORD", EnvironmentOnly: true) { Sets = SettingsCatalog.TlsPassword },
    ];

    private static readonly string[] HelpWords = ["--help", "-h", "-?", "help"];

    public static string Version =>
        typeof(NodeArguments).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "unknown";

    /// <summary>What to do with the arguments: run the node (null), or exit now with this code after printing.</summary>
    public static int? Check(string[] args, TextWriter output, TextWriter errors)
    {
        if (args.Any(a => HelpWords.Contains(a)))
        {
            output.Write(Help());
            return 0;
        }

        if (args.Contains("--version"))
        {
            output.WriteLine($"orchestrator {Version}");
            return 0;
        }

        if (Problem(args) is { } problem)
        {
            errors.WriteLine("orchestrator: " + problem);
            errors.WriteLine("orchestrator: see `orchestrator --help`");
            return 2;
        }

        return null;
    }

    private static string? Problem(string[] args)
    {
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal))
                return $"'{arg}' is not an option or a command (commands: {string.Join(", ", CommandWords)}; options start with --)";
            var name = arg[2..].Split('=', 2)[0];
            var option = Options.FirstOrDefault(o => o.Name == name);
            if (option is null)
                return Closest(name) is { } near ? $"--{name} is not an option; did you mean --{near}?" : $"--{name} is not an option";
            if (option.EnvironmentOnly)
                return $"--{name}: give it in the environment variable {option.Variable}, which keeps it out of the process list";
            if (arg.Contains('=')) continue;
            if (i + 1 >= args.Length || args[i + 1].StartsWith("--", StringComparison.Ordinal))
                return $"--{name} needs a value ({option.Value})";
            i++;
        }

        return null;
    }

    private static IEnumerable<string> CommandWords => Cli.CommandLine.Words;

    private static string? Closest(string name)
    {
        var names = Options.Where(o => !o.EnvironmentOnly).Select(o => o.Name).ToArray();
        return Spelling.Closest(name, names) ?? names.FirstOrDefault(n => name.Length >= 3 && n.Contains(name, StringComparison.OrdinalIgnoreCase));
    }

    private static string Help()
    {
        var text = new System.Text.StringBuilder();
        text.AppendLine($"orchestrator {Version}: the job orchestrator of a DMS node");
        text.AppendLine();
        text.AppendLine("Run a node:      orchestrator [options]");
        text.AppendLine("Run a command:   orchestrator COMMAND ... (orchestrator COMMAND --help)");
        text.AppendLine($"Commands:        {string.Join(", ", CommandWords)}");
        text.AppendLine();
        text.AppendLine("Options (each also as an environment variable):");
        foreach (var o in Options)
        {
            var usage = o.EnvironmentOnly ? "" : $"--{o.Name} {o.Value}";
            text.AppendLine($"  {usage,-44} {o.Variable,-40} {o.Help}");
        }

        text.AppendLine();
        text.AppendLine("Exit codes: 0 stopped, 2 refused to start (the message names the option or setting).");
        return text.ToString();
    }
}
