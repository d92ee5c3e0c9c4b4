using Orchestrator.Matching;
using Orchestrator.Protocol.Model;

namespace Orchestrator.Tests.Matching;

public class LabelMatcherTests
{
    private static readonly Dictionary<string, string> Labels = new() { ["tier"] = "gold", ["uptime"] = "99.9", ["sgx"] = "" };

    public static TheoryData<LabelConstraint, bool> Cases => new()
    {
        { new LabelConstraint { Key = "tier", Value = "gold" }, true },
        { new LabelConstraint { Key = "tier", Value = "GOLD" }, true },
        { new LabelConstraint { Key = "tier", Value = "silver" }, false },
        { new LabelConstraint { Key = "tier", Op = LabelOperator.NotEquals, Value = "silver" }, true },
        { new LabelConstraint { Key = "absent", Op = LabelOperator.NotEquals, Value = "x" }, true },
        { new LabelConstraint { Key = "tier", Op = LabelOperator.In, Values = ["silver", "gold"] }, true },
        { new LabelConstraint { Key = "tier", Op = LabelOperator.In, Values = ["silver"] }, false },
        { new LabelConstraint { Key = "tier", Op = LabelOperator.NotIn, Values = ["silver"] }, true },
        { new LabelConstraint { Key = "absent", Op = LabelOperator.NotIn, Values = ["silver"] }, true },
        { new LabelConstraint { Key = "sgx", Op = LabelOperator.Exists }, true },
        { new LabelConstraint { Key = "absent", Op = LabelOperator.Exists }, false },
        { new LabelConstraint { Key = "uptime", Op = LabelOperator.GreaterThanOrEqual, Value = "99.5" }, true },
        { new LabelConstraint { Key = "uptime", Op = LabelOperator.GreaterThan, Value = "99.9" }, false },
        { new LabelConstraint { Key = "uptime", Op = LabelOperator.LessThan, Value = "100" }, true },
        { new LabelConstraint { Key = "uptime", Op = LabelOperator.LessThanOrEqual, Value = "99.9" }, true },
        { new LabelConstraint { Key = "tier", Op = LabelOperator.GreaterThan, Value = "1" }, false },
        { new LabelConstraint { Key = "absent", Op = LabelOperator.LessThan, Value = "1" }, false },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Operators(LabelConstraint constraint, bool expected) => Assert.Equal(expected, LabelMatcher.Holds(Labels, constraint));
}
