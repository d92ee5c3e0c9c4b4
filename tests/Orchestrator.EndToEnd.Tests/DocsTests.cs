using System.Text.RegularExpressions;
using Orchestrator.EndToEnd.Tests.Infrastructure;

namespace Orchestrator.EndToEnd.Tests;

/// <summary>The documentation a newcomer navigates: every relative link in the README, CONTRIBUTING and docs/ resolves.</summary>
public sealed partial class DocsTests
{
    private static IEnumerable<string> Pages() =>
        new[] { "README.md", "CONTRIBUTING.md" }
            .Concat(Directory.GetFiles(Path.Combine(Repository.Root, "docs"), "*.md", SearchOption.AllDirectories)
                .Select(f => Path.GetRelativePath(Repository.Root, f)));

    [Fact]
    public void Every_relative_link_in_the_docs_resolves_to_a_file_of_the_repository_and_a_heading_in_it()
    {
        var broken = new List<string>();
        var checkedLinks = 0;
        foreach (var page in Pages())
        {
            var text = Repository.Read(page);
            foreach (Match link in Link().Matches(text))
            {
                var target = link.Groups["target"].Value;
                if (target.StartsWith("http://", StringComparison.Ordinal) || target.StartsWith("https://", StringComparison.Ordinal) ||
                    target.StartsWith("mailto:", StringComparison.Ordinal)) continue;
                checkedLinks++;
                var hash = target.IndexOf('#');
                var path = hash < 0 ? target : target[..hash];
                var anchor = hash < 0 ? null : target[(hash + 1)..];
                var file = path.Length == 0 ? Path.Combine(Repository.Root, page) : Path.GetFullPath(Path.Combine(Repository.Root, Path.GetDirectoryName(page)!, Uri.UnescapeDataString(path)));
                if (!file.StartsWith(Repository.Root, StringComparison.Ordinal)) broken.Add($"{page}: {target} points outside the repository");
                else if (!File.Exists(file) && !Directory.Exists(file)) broken.Add($"{page}: {target} does not exist");
                else if (anchor is not null && file.EndsWith(".md", StringComparison.Ordinal) && !Anchors(File.ReadAllText(file)).Contains(anchor))
                    broken.Add($"{page}: {target} names no heading of {Path.GetFileName(file)}");
            }
        }

        Assert.True(checkedLinks >= 20, $"only {checkedLinks} relative links found: the scan is broken");
        Assert.True(broken.Count == 0, string.Join("\n", broken));
    }

    [Theory]
    [InlineData("Trust: node keys, the network authority, TLS", "trust-node-keys-the-network-authority-tls")]
    [InlineData("What the cluster survives", "what-the-cluster-survives")]
    [InlineData("Changing an event (the journal is a public contract)", "changing-an-event-the-journal-is-a-public-contract")]
    public void Anchors_are_spelled_as_GitHub_spells_them(string heading, string anchor) => Assert.Contains(anchor, Anchors($"## {heading}\n"));

    /// <summary>The anchors GitHub gives a page's headings: lower case, punctuation dropped, spaces as hyphens, repeats numbered.</summary>
    private static HashSet<string> Anchors(string markdown)
    {
        var anchors = new HashSet<string>(StringComparer.Ordinal);
        var inCode = false;
        foreach (var line in markdown.Split('\n'))
        {
            if (line.TrimStart().StartsWith("```", StringComparison.Ordinal)) inCode = !inCode;
            if (inCode || Heading().Match(line) is not { Success: true } heading) continue;
            var text = Regex.Replace(heading.Groups["text"].Value.Trim(), @"[`*_]|\[([^\]]*)\]\([^)]*\)", m => m.Groups[1].Success ? m.Groups[1].Value : "");
            var slug = new string(text.ToLowerInvariant().Where(c => char.IsLetterOrDigit(c) || c is ' ' or '-' or '_').ToArray()).Replace(' ', '-');
            var unique = slug;
            for (var n = 1; !anchors.Add(unique); n++) unique = $"{slug}-{n}";
        }

        return anchors;
    }

    [GeneratedRegex(@"!?\[[^\]]*\]\((?<target>[^)\s]+)(?:\s+""[^""]*"")?\)")]
    private static partial Regex Link();

    [GeneratedRegex(@"^#{1,6}\s+(?<text>.+?)\s*#*\s*$")]
    private static partial Regex Heading();
}
