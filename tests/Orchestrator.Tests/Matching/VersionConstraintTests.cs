using Orchestrator.Matching;

namespace Orchestrator.Tests.Matching;

public class VersionConstraintTests
{
    [Theory]
    [InlineData(">=12.0", "12.0", true)]
    [InlineData(">=12.0", "12.2.1", true)]
    [InlineData(">=12.0", "11.8", false)]
    [InlineData(">12.0", "12.0", false)]
    [InlineData("<2", "1.9.9", true)]
    [InlineData("<=2.0", "2.0.0", true)]
    [InlineData("=1.2", "1.2.0", true)]
    [InlineData("1.2.3", "1.2.3", true)]
    [InlineData("1.2.3", "1.2.4", false)]
    [InlineData("!=1.2", "1.3", true)]
    [InlineData("~> 1.2", "1.9", true)]
    [InlineData("~> 1.2", "2.0", false)]
    [InlineData("~>1.2.3", "1.2.9", true)]
    [InlineData("~>1.2.3", "1.3.0", false)]
    [InlineData("~>1.2.3", "1.2.2", false)]
    [InlineData("^2.1", "2.9", true)]
    [InlineData("^2.1", "3.0", false)]
    [InlineData("^0.3", "0.3.7", true)]
    [InlineData("^0.3", "0.4", false)]
    [InlineData(">=1.2 <2.0", "1.5", true)]
    [InlineData(">=1.2, <2.0", "2.0", false)]
    [InlineData("1.2 - 2.0", "2.0", true)]
    [InlineData("1.2 - 2.0", "2.0.1", false)]
    [InlineData("", "0.0.1", true)]
    [InlineData("*", "99", true)]
    [InlineData(">=12.0", "12.1-beta", true)]
    [InlineData(">=12.0", "v12.3", true)]
    [InlineData(">=12.0", "twelve", false)]
    [InlineData(">=12.0", "", false)]
    [InlineData(">=1", "1..2", false)]
    [InlineData(">=1", "1.2.3.4.5", false)]
    [InlineData(">=1", "-2", false)]
    [InlineData(">= 1.2.3.4", "1.2.3.5", true)]
    [InlineData(">= 1.2.3.4", "1.2.3.3", false)]
    [InlineData("<=2.0", "2.0.1", false)]
    [InlineData("< 2", "2", false)]
    [InlineData("> 1", "1.0.0.1", true)]
    [InlineData("=1.2", "1.2.1", false)]
    [InlineData("== 1.2", "1.2", true)]
    [InlineData("==1.2", "1.3", false)]
    [InlineData("!= 1.2", "1.2.0", false)]
    [InlineData("~> 1", "1.9", true)]
    [InlineData("~> 1.2", "1.2", true)]
    [InlineData("<= 2.0", "2.0", true)]
    [InlineData("<= 2.0", "2.0.1", false)]
    [InlineData("= 1.2", "1.2", true)]
    [InlineData("= 1.2", "1.2.1", false)]
    [InlineData("~> 1", "2", false)]
    [InlineData("~> 1.2", "1.1", false)]
    [InlineData("~> 1.2.3.4", "1.2.3.9", true)]
    [InlineData("~> 1.2.3.4", "1.2.4", false)]
    [InlineData("^1.2", "1.1", false)]
    [InlineData("^ 1.2", "1.2", true)]
    [InlineData("^0.0.5", "0.0.5", true)]
    [InlineData("^0.0.5", "0.0.6", false)]
    [InlineData("^0.0.5", "0.0.4", false)]
    [InlineData("1.2 - 2.0", "1.1.9", false)]
    [InlineData("1.2 - 2.0", "1.2", true)]
    [InlineData("1.2 - 2.0 !=1.5", "1.5", false)]
    [InlineData("1.2 - 2.0 !=1.5", "1.6", true)]
    [InlineData("V1.2", "1.2", true)]
    public void Satisfaction(string constraint, string version, bool expected)
    {
        Assert.True(VersionConstraint.TryParse(constraint, out var c, out var error), error);
        Assert.Equal(expected, c.IsSatisfiedBy(version));
    }

    [Theory]
    [InlineData(">=twelve")]
    [InlineData("~>")]
    [InlineData("1.2.3.4.5")]
    [InlineData("=>1.0")]
    [InlineData("1.2 - x")]
    [InlineData("x - 1.2")]
    [InlineData("1.2 -")]
    [InlineData("- 1.2")]
    public void Malformed_constraints_are_rejected_with_a_reason(string constraint)
    {
        Assert.False(VersionConstraint.TryParse(constraint, out _, out var error));
        Assert.NotEmpty(error);
    }

    [Theory]
    [InlineData(">=twelve", "'>=twelve' is not a version constraint")]
    [InlineData("~>", "'~>' is not a version constraint")]
    [InlineData(">= 1 <", "'<' is not a version constraint")]
    [InlineData("1.x - 2", "'1.x - 2' is not a version range")]
    [InlineData("1 - 2.y", "'1 - 2.y' is not a version range")]
    public void The_reason_quotes_the_clause_at_fault(string constraint, string error)
    {
        Assert.False(VersionConstraint.TryParse(constraint, out _, out var reason));
        Assert.Equal(error, reason);
    }

    [Theory]
    [InlineData("  >=1.2,<2  ", ">=1.2,<2")]
    [InlineData("*", "")]
    [InlineData(null, "")]
    public void A_constraint_reads_as_written_trimmed(string? constraint, string text)
    {
        Assert.True(VersionConstraint.TryParse(constraint, out var parsed, out var error), error);
        Assert.Equal(text, parsed.Text);
        Assert.Equal(text, parsed.ToString());
        Assert.Equal("", error);
    }
}
