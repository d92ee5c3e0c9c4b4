using System.Text.Json;
using Spectre.Console;

namespace Orchestrator.Node.Cli;

/// <summary>How operator commands print: Spectre.Console tables for people, the node's JSON for scripts.</summary>
public static class Output
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The console; wide when written to a pipe or file, so tables are never wrapped for a script or a log.</summary>
    public static IAnsiConsole Console { get; } = Create();

    private static IAnsiConsole Create()
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(System.Console.Out) });
        if (System.Console.IsOutputRedirected) console.Profile.Width = 240;
        return console;
    }

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
