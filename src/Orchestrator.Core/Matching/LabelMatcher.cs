using System.Globalization;
using Orchestrator.Protocol.Model;

namespace Orchestrator.Matching;

/// <summary>
/// Label constraints, Kubernetes-style: <c>!=</c> and <c>not in</c> hold when the label is absent; the ordering
/// operators compare numbers and never hold for a label that is absent or not a number.
/// </summary>
public static class LabelMatcher
{
    public static bool Holds(IReadOnlyDictionary<string, string> labels, LabelConstraint c)
    {
        var present = labels.TryGetValue(c.Key, out var actual);
        return c.Op switch
        {
            LabelOperator.Exists => present,
            LabelOperator.Equals => present && Same(actual!, c.Value),
            LabelOperator.NotEquals => !present || !Same(actual!, c.Value),
            LabelOperator.In => present && c.Values.Any(v => Same(actual!, v)),
            LabelOperator.NotIn => !present || !c.Values.Any(v => Same(actual!, v)),
            _ => present && Ordered(Compare(actual!, c.Value), c.Op),
        };
    }

    // A comparison that could not be made (null) holds for no operator.
    private static bool Ordered(int? order, LabelOperator op) => op switch
    {
        LabelOperator.LessThan => order < 0,
        LabelOperator.LessThanOrEqual => order <= 0,
        LabelOperator.GreaterThan => order > 0,
        LabelOperator.GreaterThanOrEqual => order >= 0,
        _ => false,
    };

    public static string Describe(LabelConstraint c) => c.Op switch
    {
        LabelOperator.Exists => $"{c.Key} exists",
        LabelOperator.In or LabelOperator.NotIn => $"{c.Key} {OpText(c.Op)} [{string.Join(", ", c.Values)}]",
        _ => $"{c.Key} {OpText(c.Op)} {c.Value}",
    };

    public static string OpText(LabelOperator op) => op switch
    {
        LabelOperator.Equals => "=",
        LabelOperator.NotEquals => "!=",
        LabelOperator.In => "in",
        LabelOperator.NotIn => "not in",
        LabelOperator.Exists => "exists",
        LabelOperator.LessThan => "<",
        LabelOperator.LessThanOrEqual => "<=",
        LabelOperator.GreaterThan => ">",
        _ => ">=",
    };

    public static bool IsNumber(string? value) =>
        decimal.TryParse(value, NumberStyles.Number, CultureInfo.InvariantCulture, out _);

    private static bool Same(string actual, string? expected) => string.Equals(actual, expected, StringComparison.OrdinalIgnoreCase);

    private static int? Compare(string actual, string? bound) =>
        decimal.TryParse(actual, NumberStyles.Number, CultureInfo.InvariantCulture, out var a)
        && decimal.TryParse(bound, NumberStyles.Number, CultureInfo.InvariantCulture, out var b)
            ? a.CompareTo(b)
            : null;
}
