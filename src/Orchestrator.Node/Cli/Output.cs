using System.Text.Json;
using Spectre.Console;

namespace Orchestrator.Node.Cli;

/// <summary>How operator commands print: Spectre.Console tables for people, the node's JSON for scripts.</summary>
public static partial class Output
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// Never wrap what goes to a pipe or a file: a line cut in two breaks grep and every script after it. (Spectre
    /// takes 80 columns when it cannot ask a terminal.)
    /// </summary>
    private const int RedirectedWidth = 1_000_000;

    /// <summary>The console; unbounded when written to a pipe or file.</summary>
    public static IAnsiConsole Console { get; } = Create(System.Console.Out);

    private static IAnsiConsole Create(TextWriter writer, bool? ansi = null)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = ansi switch { true => AnsiSupport.Yes, false => AnsiSupport.No, null => AnsiSupport.Detect },
        });
        if (System.Console.IsOutputRedirected) console.Profile.Width = RedirectedWidth;
        else if (ansi is not null) console.Profile.Width = Console.Profile.Width;
        return console;
    }

    /// <summary>
    /// A table (or tree) as its rows alone: no blank border lines above and below it, no spaces after the last column,
    /// so what a script reads is the header, the rule and the rows.
    /// </summary>
    public static void Print(Spectre.Console.Rendering.IRenderable renderable)
    {
        using var text = new StringWriter();
        Create(text, ansi: Console.Profile.Capabilities.Ansi).Write(renderable);
        var lines = text.ToString().Replace("\r\n", "\n").Split('\n').Select(l => l.TrimEnd()).ToList();
        bool Blank(string line) => AnsiCodes().Replace(line, "").Trim().Length == 0;
        while (lines.Count > 0 && Blank(lines[0])) lines.RemoveAt(0);
        while (lines.Count > 0 && Blank(lines[^1])) lines.RemoveAt(lines.Count - 1);
        foreach (var line in lines) System.Console.Out.WriteLine(line);
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"\x1b\[[0-9;]*m")]
    private static partial System.Text.RegularExpressions.Regex AnsiCodes();

    public static void Json(JsonElement json) => System.Console.WriteLine(JsonSerializer.Serialize(json, Indented));

    public static Table Table(params string[] columns)
    {
        var table = new Table().Border(TableBorder.Simple);
        foreach (var column in columns) table.AddColumn(new TableColumn(Markup.Escape(column)).NoWrap());
        return table;
    }

    public static void Line(string text) => Console.MarkupLine(Markup.Escape(text));

    /// <summary>A line on standard error (progress and warnings), so standard output stays the answer.</summary>
    public static void Error(string text) => System.Console.Error.WriteLine(text);

    /// <summary>A duration as the commands take it (30s, 2m, 1h, 1d, 0), or null when it is not one.</summary>
    public static TimeSpan? ParseDuration(string text)
    {
        if (text == "0") return TimeSpan.Zero;
        if (text.Length < 2 || !double.TryParse(text[..^1], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var n)
            || n < 0 || n > 1e6) return null;
        return text[^1] switch { 's' => TimeSpan.FromSeconds(n), 'm' => TimeSpan.FromMinutes(n), 'h' => TimeSpan.FromHours(n), 'd' => TimeSpan.FromDays(n), _ => null };
    }

    public static string Age(DateTimeOffset at)
    {
        var age = DateTimeOffset.UtcNow - at;
        return age.TotalSeconds < 60 ? $"{age.TotalSeconds:0}s ago" : age.TotalMinutes < 60 ? $"{age.TotalMinutes:0}m ago" : $"{age.TotalHours:0.#}h ago";
    }
}
