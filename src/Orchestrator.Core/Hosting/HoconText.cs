using Akka.Configuration;

namespace Orchestrator.Hosting;

/// <summary>Values written into HOCON text, and HOCON text read from a user, checked before it is believed.</summary>
public static class HoconText
{
    /// <summary>A quoted HOCON string: any text, paths and connection strings included, stays one value.</summary>
    public static string Quote(string value) => "\"" + value.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";

    /// <summary>
    /// Parses HOCON a user wrote; <paramref name="source"/> names it in the error. Akka's parser accepts a brace or
    /// bracket that is never closed (the rest of the file silently becomes part of the object), so the nesting is
    /// checked first, and the error says on which line the unclosed one opened.
    /// </summary>
    public static Config Parse(string text, string source)
    {
        if (Unbalanced(text) is { } problem) throw new ConfigurationException($"{source}: {problem}");
        try
        {
            return ConfigurationFactory.ParseString(text);
        }
        catch (Exception e) when (e is not ConfigurationException)
        {
            throw new ConfigurationException($"{source}: not valid HOCON: {e.Message}");
        }
    }

    private static string? Unbalanced(string text)
    {
        var open = new Stack<(char Bracket, int Line)>();
        var line = 1;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\n') line++;
            else if (c == '#' || (c == '/' && i + 1 < text.Length && text[i + 1] == '/'))
            {
                while (i + 1 < text.Length && text[i + 1] != '\n') i++;
            }
            else if (c == '"')
            {
                var triple = i + 2 < text.Length && text[i + 1] == '"' && text[i + 2] == '"';
                var end = triple ? text.IndexOf("\"\"\"", i + 3, StringComparison.Ordinal) : ClosingQuote(text, i + 1);
                if (end < 0) return $"line {line}: a string is never closed";
                line += text.AsSpan(i, end - i).Count('\n');
                i = triple ? end + 2 : end;
            }
            else if (c is '{' or '[') open.Push((c, line));
            else if (c is '}' or ']')
            {
                var expected = c == '}' ? '{' : '[';
                if (open.Count == 0) return $"line {line}: '{c}' closes nothing";
                var (bracket, at) = open.Pop();
                if (bracket != expected) return $"line {line}: '{c}' closes the '{bracket}' opened on line {at}";
            }
        }

        return open.Count > 0 ? $"line {open.Peek().Line}: '{open.Peek().Bracket}' is never closed" : null;
    }

    private static int ClosingQuote(string text, int from)
    {
        for (var i = from; i < text.Length; i++)
        {
            if (text[i] == '\\') i++;
            else if (text[i] == '"') return i;
            else if (text[i] == '\n') return -1;
        }

        return -1;
    }
}
