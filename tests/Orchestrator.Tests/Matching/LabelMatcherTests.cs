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
        { new LabelConstraint { Key = "absent", Value = "gold" }, false },
        { new LabelConstraint { Key = "absent", Op = LabelOperator.In, Values = ["gold"] }, false },
        { new LabelConstraint { Key = "tier", Op = LabelOperator.NotEquals, Value = "Gold" }, false },
        { new LabelConstraint { Key = "tier", Op = LabelOperator.NotIn, Values = ["silver", "GOLD"] }, false },
        { new LabelConstraint { Key = "uptime", Op = LabelOperator.LessThan, Value = "99.9" }, false },
        { new LabelConstraint { Key = "uptime", Op = LabelOperator.LessThan, Value = "99.91" }, true },
        { new LabelConstraint { Key = "uptime", Op = LabelOperator.LessThanOrEqual, Value = "99.89" }, false },
        { new LabelConstraint { Key = "uptime", Op = LabelOperator.GreaterThan, Value = "99.89" }, true },
        { new LabelConstraint { Key = "uptime", Op = LabelOperator.GreaterThanOrEqual, Value = "99.9" }, true },
        { new LabelConstraint { Key = "uptime", Op = LabelOperator.GreaterThanOrEqual, Value = "99.91" }, false },
        { new LabelConstraint { Key = "uptime", Op = LabelOperator.GreaterThan, Value = "many" }, false },
        { new LabelConstraint { Key = "uptime", Op = (LabelOperator)99, Value = "1" }, false },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Operators(LabelConstraint constraint, bool expected) => Assert.Equal(expected, LabelMatcher.Holds(Labels, constraint));

    [Theory]
    [InlineData(LabelOperator.Equals, "tier = gold")]
    [InlineData(LabelOperator.NotEquals, "tier != gold")]
    [InlineData(LabelOperator.In, "tier in [gold, silver]")]
    [InlineData(LabelOperator.NotIn, "tier not in [gold, silver]")]
    [InlineData(LabelOperator.Exists, "tier exists")]
    [InlineData(LabelOperator.LessThan, "tier < gold")]
    [InlineData(LabelOperator.LessThanOrEqual, "tier <= gold")]
    [InlineData(LabelOperator.GreaterThan, "tier > gold")]
    [InlineData(LabelOperator.GreaterThanOrEqual, "tier >= gold")]
    public void Each_operator_reads_as_written(LabelOperator op, string reads) =>
        Assert.Equal(reads, LabelMatcher.Describe(new LabelConstraint { Key = "tier", Op = op, Value = "gold", Values = ["gold", "silver"] }));

    [Theory]
    [InlineData("99.9", true)]
    [InlineData("-1,000", true)]
    [InlineData("1e3", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void Numbers_are_plain_decimals(string? value, bool number) => Assert.Equal(number, LabelMatcher.IsNumber(value));

    [Fact]
    public void Exists_reads_as_a_word() => Assert.Equal("exists", LabelMatcher.OpText(LabelOperator.Exists));
}
