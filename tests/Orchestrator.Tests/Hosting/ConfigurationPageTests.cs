using System.Text.RegularExpressions;
using Akka.Configuration;
using Orchestrator.Testing;

namespace Orchestrator.Tests.Hosting;

/// <summary>
/// The configuration page names every key of every file in <c>hocon/</c>, once, with the file it comes from and its
/// default as the file sets it: a key added, renamed or re-defaulted without the page fails here.
/// </summary>
public sealed partial class ConfigurationPageTests
{
    public static TheoryData<string> HoconFiles() =>
        new(Directory.GetFiles(Path.Combine(Repository.Root, "hocon"), "*.conf").Select(Path.GetFileName).Order()!);

    [Theory]
    [MemberData(nameof(HoconFiles))]
    public void Every_key_of_the_file_is_on_the_configuration_page_with_its_file_and_default(string file)
    {
        var keys = Leaves(ConfigurationFactory.ParseString(Repository.Read($"hocon/{file}"))).ToArray();
        Assert.NotEmpty(keys);
        var rows = Row().Matches(Repository.Read("docs/configuration.md"))
            .GroupBy(m => m.Groups["key"].Value).ToDictionary(g => g.Key, g => g.ToArray());
        var wrong = new List<string>();
        foreach (var (key, value) in keys)
        {
            var expected = $"| `{key}` | `{value}` | `hocon/{file}` |";
            if (!rows.TryGetValue(key, out var found)) wrong.Add($"missing: {expected}");
            else if (found.Length > 1) wrong.Add($"listed {found.Length} times: {key}");
            else if (found[0].Groups["value"].Value != value || found[0].Groups["file"].Value != $"hocon/{file}")
                wrong.Add($"says {found[0].Value.Trim()}, the file: {expected}");
        }

        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
    }

    /// <summary>Every key with a value (not an object), by its full path, and the value as written.</summary>
    private static IEnumerable<(string Key, string Value)> Leaves(Config config) => Leaves("", config.Root);

    private static IEnumerable<(string Key, string Value)> Leaves(string prefix, Akka.Configuration.Hocon.HoconValue value)
    {
        if (value.IsObject())
        {
            foreach (var (name, child) in value.GetObject().Items)
                foreach (var leaf in Leaves(prefix.Length == 0 ? Quote(name) : $"{prefix}.{Quote(name)}", child)) yield return leaf;
            yield break;
        }

        // An empty list reads as neither a string nor a list with elements.
        var text = !value.IsArray() && value.GetString() is { } scalar ? scalar : "[" + string.Join(", ", (value.GetArray() ?? []).Select(v => v.GetString())) + "]";
        yield return (prefix, text.Length == 0 ? "\"\"" : text);
    }

    // A key with a dot in it (a serializer binding's type name) is quoted, as HOCON writes it.
    private static string Quote(string name) => name.Contains('.') ? $"\"{name}\"" : name;

    [GeneratedRegex(@"^\| `(?<key>[^`]+)` \| `(?<value>[^`]*)` \| `(?<file>hocon/[^`]+)` \|", RegexOptions.Multiline)]
    private static partial Regex Row();
}
