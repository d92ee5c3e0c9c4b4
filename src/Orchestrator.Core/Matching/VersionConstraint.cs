using System.Globalization;

namespace Orchestrator.Matching;

/// <summary>
/// Library version constraints: clauses separated by spaces or commas, all of which must hold.
/// <c>&gt;=12.0</c>, <c>&gt;</c>, <c>&lt;=</c>, <c>&lt;</c>, <c>=1.2</c> or a bare <c>1.2</c> (exact), <c>!=1.2</c>,
/// <c>~&gt; 1.2</c> (pessimistic: at least 1.2, below 2.0; <c>~&gt; 1.2.3</c>: below 1.3), <c>^1.2</c> (below the next
/// major; for 0.x below the next minor), <c>1.2 - 2.0</c> (inclusive range), and empty or <c>*</c> for any.
/// Versions compare numerically part by part; a missing part is 0 and anything after a '-' or '+' is ignored.
/// </summary>
public sealed class VersionConstraint
{
    private readonly IReadOnlyList<Func<Version4, bool>> _clauses;

    private VersionConstraint(string text, IReadOnlyList<Func<Version4, bool>> clauses)
    {
        Text = text;
        _clauses = clauses;
    }

    public string Text { get; }

    public bool IsSatisfiedBy(string version) =>
        Version4.TryParse(version, out var v) && _clauses.All(c => c(v));

    public static bool TryParse(string? text, out VersionConstraint constraint, out string error)
    {
        constraint = new VersionConstraint("", []);
        error = "";
        var source = (text ?? "").Trim();
        if (source == "*") return true;

        var tokens = source.Replace(",", " ").Split(' ', StringSplitOptions.RemoveEmptyEntries).ToList();
        var clauses = new List<Func<Version4, bool>>();
        for (var i = 0; i < tokens.Count; i++)
        {
            // "1.2 - 2.0": an inclusive range spread over three tokens.
            if (i + 2 < tokens.Count && tokens[i + 1] == "-")
            {
                var lowValid = Version4.TryParse(tokens[i], out var low);
                var highValid = Version4.TryParse(tokens[i + 2], out var high);
                if (!lowValid || !highValid)
                    return Fail($"'{tokens[i]} - {tokens[i + 2]}' is not a version range", out error);
                clauses.Add(v => v.CompareTo(low) >= 0 && v.CompareTo(high) <= 0);
                i += 2;
                continue;
            }

            var token = tokens[i];
            // "~> 1.2": the operator may stand apart from its version.
            if (token is "~>" or ">=" or "<=" or ">" or "<" or "=" or "==" or "!=" or "^" && i + 1 < tokens.Count)
                token += tokens[++i];
            var clause = Clause(token);
            if (clause is null) return Fail($"'{token}' is not a version constraint", out error);
            clauses.Add(clause);
        }

        constraint = new VersionConstraint(source, clauses);
        return true;
    }

    /// <summary>The clause a token states, or null when it is not one.</summary>
    private static Func<Version4, bool>? Clause(string token)
    {
        // The empty operator (a bare version) matches every token, so there always is a first match.
        // Stryker disable once Linq : First and FirstOrDefault differ only when nothing matches, which cannot happen
        var (op, make) = Operators.First(o => token.StartsWith(o.Op, StringComparison.Ordinal));
        var valid = Version4.TryParse(token[op.Length..], out var bound, out var parts);
        return valid ? make(bound, parts) : null;
    }

    // Longest operators first, so ">=" is not read as ">".
    private static readonly (string Op, Func<Version4, int, Func<Version4, bool>> Make)[] Operators =
    [
        ("~>", (b, parts) => { var up = b.PessimisticUpper(parts); return v => v.CompareTo(b) >= 0 && v.CompareTo(up) < 0; }),
        (">=", (b, _) => v => v.CompareTo(b) >= 0),
        ("<=", (b, _) => v => v.CompareTo(b) <= 0),
        ("==", (b, _) => v => v.CompareTo(b) == 0),
        ("!=", (b, _) => v => v.CompareTo(b) != 0),
        (">", (b, _) => v => v.CompareTo(b) > 0),
        ("<", (b, _) => v => v.CompareTo(b) < 0),
        ("=", (b, _) => v => v.CompareTo(b) == 0),
        ("^", (b, _) => { var up = b.CaretUpper(); return v => v.CompareTo(b) >= 0 && v.CompareTo(up) < 0; }),
        ("", (b, _) => v => v.CompareTo(b) == 0),
    ];

    private static bool Fail(string message, out string error)
    {
        error = message;
        return false;
    }

    public override string ToString() => Text;
}

/// <summary>A version of up to four numeric parts.</summary>
internal readonly record struct Version4(long Major, long Minor, long Patch, long Build) : IComparable<Version4>
{
    public static bool TryParse(string text, out Version4 version) => TryParse(text, out version, out _);

    public static bool TryParse(string text, out Version4 version, out int parts)
    {
        version = default;
        parts = 0;
        var core = text.Trim().TrimStart('v', 'V');
        var cut = core.IndexOfAny(['-', '+']);
        // Stryker disable once Equality : a version starting with '-' or '+' is refused either way (empty, or a sign the parser rejects)
        if (cut >= 0) core = core[..cut];
        var pieces = core.Split('.');
        if (core.Length == 0 || pieces.Length > 4) return false;
        var numbers = new long[4];
        for (var i = 0; i < pieces.Length; i++)
            if (!long.TryParse(pieces[i], NumberStyles.None, CultureInfo.InvariantCulture, out numbers[i]))
                return false;
        parts = pieces.Length;
        version = new Version4(numbers[0], numbers[1], numbers[2], numbers[3]);
        return true;
    }

    /// <summary>~&gt; 1.2 → 2.0; ~&gt; 1.2.3 → 1.3; ~&gt; 1 → 2.</summary>
    public Version4 PessimisticUpper(int parts) => parts switch
    {
        <= 2 => new Version4(Major + 1, 0, 0, 0),
        3 => new Version4(Major, Minor + 1, 0, 0),
        _ => new Version4(Major, Minor, Patch + 1, 0),
    };

    /// <summary>^1.2 → 2.0; ^0.3 → 0.4; ^0.0.5 → 0.0.6.</summary>
    public Version4 CaretUpper() =>
        Major > 0 ? new Version4(Major + 1, 0, 0, 0)
        : Minor > 0 ? new Version4(0, Minor + 1, 0, 0)
        : new Version4(0, 0, Patch + 1, 0);

    public int CompareTo(Version4 other)
    {
        var c = Major.CompareTo(other.Major);
        if (c == 0) c = Minor.CompareTo(other.Minor);
        if (c == 0) c = Patch.CompareTo(other.Patch);
        return c != 0 ? c : Build.CompareTo(other.Build);
    }
}
