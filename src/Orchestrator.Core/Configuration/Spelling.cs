namespace Orchestrator.Configuration;

/// <summary>"Did you mean …?" for a mistyped option or key.</summary>
public static class Spelling
{
    /// <summary>The candidate closest to <paramref name="typed"/>, if one is close enough to be what was meant.</summary>
    public static string? Closest(string typed, IEnumerable<string> candidates)
    {
        var best = candidates.Select(c => (Candidate: c, Distance: Distance(typed.ToLowerInvariant(), c.ToLowerInvariant())))
            .OrderBy(c => c.Distance).ThenBy(c => c.Candidate, StringComparer.Ordinal).FirstOrDefault();
        if (best.Candidate is null) return null;
        return best.Distance <= Math.Max(2, typed.Length / 3) || best.Candidate.StartsWith(typed, StringComparison.OrdinalIgnoreCase) ? best.Candidate : null;
    }

    /// <summary>Levenshtein distance: the fewest single-character insertions, deletions and substitutions.</summary>
    public static int Distance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var current = new int[b.Length + 1];
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            previous = current;
        }

        return previous[b.Length];
    }
}
