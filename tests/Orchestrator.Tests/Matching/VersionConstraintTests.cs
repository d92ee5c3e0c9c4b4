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
    public void Malformed_constraints_are_rejected_with_a_reason(string constraint)
    {
        Assert.False(VersionConstraint.TryParse(constraint, out _, out var error));
        Assert.NotEmpty(error);
    }
}
