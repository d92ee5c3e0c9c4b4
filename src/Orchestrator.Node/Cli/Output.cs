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

    public static string Age(DateTimeOffset at)
    {
        var age = DateTimeOffset.UtcNow - at;
        return age.TotalSeconds < 60 ? $"{age.TotalSeconds:0}s ago" : age.TotalMinutes < 60 ? $"{age.TotalMinutes:0}m ago" : $"{age.TotalHours:0.#}h ago";
    }
}
