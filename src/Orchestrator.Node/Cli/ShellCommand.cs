using System.CommandLine;
using System.Text;

namespace Orchestrator.Node.Cli;

/// <summary>
/// <c>orchestrator shell [--node URL] [--token T]</c>: an interactive session, as <c>pbm</c> gives one — one command per
/// line against the same node, Tab completing commands and options, <c>exit</c> (or end of input) to leave. With its
/// input redirected it reads commands without a prompt, so a script can pipe several in.
/// </summary>
public static class ShellCommand
{
    public const string Prompt = "orchestrator> ";

    public static Command Create(Func<RootCommand> root)
    {
        var shell = NodeClient.WithNodeOptions(new Command("shell", "an interactive session: one command per line against the node, Tab completes, `exit` leaves"));
        shell.SetAction((parsed, _) =>
        {
            // The session's node and token become the defaults of every command typed in it.
            Environment.SetEnvironmentVariable("ORCHESTRATOR_NODE", parsed.GetValue(NodeClient.NodeOption));
            if (parsed.GetValue(NodeClient.TokenOption) is { } token) Environment.SetEnvironmentVariable("ORCHESTRATOR_API_TOKEN", token);
            var interactive = !Console.IsInputRedirected;
            if (interactive) Console.WriteLine($"orchestrator shell on {parsed.GetValue(NodeClient.NodeOption)}: Tab completes, `help` lists the commands, `exit` leaves");
            var commands = root();
            while ((interactive ? ReadLine(commands) : Console.ReadLine()) is { } line)
            {
                var words = Split(line);
                if (words.Count == 0) continue;
                if (words[0] is "exit" or "quit") break;
                if (words[0] == "shell")
                {
                    Console.Error.WriteLine("orchestrator: already in the shell");
                    continue;
                }

                CommandLine.Invoke(commands, words[0] == "help" ? ["--help"] : [.. words]);
            }

            return Task.FromResult(0);
        });
        return shell;
    }

    /// <summary>What Tab offers after <paramref name="line"/>: the commands, subcommands or options that fit the last word.</summary>
    public static IReadOnlyList<string> Completions(RootCommand root, string line)
    {
        var words = Split(line);
        var current = line.Length == 0 || char.IsWhiteSpace(line[^1]) ? "" : words[^1];
        return root.Parse(line).GetCompletions(line.Length).Select(c => c.Label)
            .Where(l => l.StartsWith(current, StringComparison.Ordinal)).Distinct().Order(StringComparer.Ordinal).ToArray();
    }

    /// <summary>The words of a line, as a shell splits them: spaces separate, quotes keep a word together.</summary>
    public static IReadOnlyList<string> Split(string line)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        char? quote = null;
        var inWord = false;
        foreach (var c in line)
        {
            if (quote is { } q)
            {
                if (c == q) quote = null;
                else word.Append(c);
            }
            else if (c is '"' or '\'')
            {
                quote = c;
                inWord = true;
            }
            else if (char.IsWhiteSpace(c))
            {
                if (inWord) words.Add(word.ToString());
                word.Clear();
                inWord = false;
            }
            else
            {
                word.Append(c);
                inWord = true;
            }
        }

        if (inWord) words.Add(word.ToString());
        return words;
    }

    /// <summary>A line from the terminal, with Tab completion and Backspace; null at end of input (Ctrl-D on an empty line).</summary>
    private static string? ReadLine(RootCommand root)
    {
        Console.Write(Prompt);
        var line = new StringBuilder();
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            switch (key.Key)
            {
                case ConsoleKey.Enter:
                    Console.WriteLine();
                    return line.ToString();
                case ConsoleKey.Backspace when line.Length > 0:
                    line.Length--;
                    Console.Write("\b \b");
                    break;
                case ConsoleKey.Tab:
                    var text = line.ToString();
                    var options = Completions(root, text);
                    var typed = text.Length == 0 || char.IsWhiteSpace(text[^1]) ? "" : Split(text)[^1];
                    if (options.Count == 1)
                    {
                        var rest = options[0][typed.Length..] + " ";
                        line.Append(rest);
                        Console.Write(rest);
                    }
                    else if (options.Count > 1)
                    {
                        var common = CommonPrefix(options);
                        if (common.Length > typed.Length)
                        {
                            line.Append(common[typed.Length..]);
                            Console.Write(common[typed.Length..]);
                        }
                        else
                        {
                            Console.WriteLine();
                            Console.WriteLine(string.Join("  ", options));
                            Console.Write(Prompt + line);
                        }
                    }

                    break;
                case ConsoleKey.D when key.Modifiers.HasFlag(ConsoleModifiers.Control) && line.Length == 0:
                    Console.WriteLine();
                    return null;
                default:
                    if (!char.IsControl(key.KeyChar))
                    {
                        line.Append(key.KeyChar);
                        Console.Write(key.KeyChar);
                    }

                    break;
            }
        }
    }

    private static string CommonPrefix(IReadOnlyList<string> words)
    {
        var prefix = words[0];
        foreach (var w in words.Skip(1))
            while (!w.StartsWith(prefix, StringComparison.Ordinal)) prefix = prefix[..^1];
        return prefix;
    }
}
