using Gherkin;

namespace Orchestrator.Tests.Features;

/// <summary>The runner itself: a step nobody bound, or behaviour that is not what the step says, fails naming where.</summary>
public sealed class FeatureRunnerTests
{
    private const string Feature = """
        Feature: The runner
          Scenario: A step nobody bound
            Given a node with these compute providers:
              | id   | cpu | ram  | disk | price |
              | cp-a | 8   | 8192 | 100  | 1.0   |
            When the moon is full

          Scenario: A step whose expectation is false
            Given a node with these compute providers:
              | id   | cpu | ram  | disk | price |
              | cp-a | 8   | 8192 | 100  | 1.0   |
            When a user posts a job "job-1" needing 2 CPU cores, 1024 MB of RAM and 10 GB of disk
            Then the job is contracted with "cp-somebody-else"
        """;

    private static Gherkin.Ast.GherkinDocument Document() => new Parser().Parse(new StringReader(Feature));

    [Fact]
    public async Task An_unbound_step_fails_the_scenario_naming_feature_scenario_and_step()
    {
        var failure = await Assert.ThrowsAsync<ScenarioFailed>(() => ScenarioRunner.RunAsync(Document(), "runner.feature", "A step nobody bound"));
        Assert.Contains("Feature: The runner (runner.feature:", failure.Message);
        Assert.Contains("Scenario: A step nobody bound", failure.Message);
        Assert.Contains("Step: When the moon is full", failure.Message);
        Assert.Contains("no step binding matches this step", failure.Message);
    }

    [Fact]
    public async Task A_false_expectation_fails_the_scenario_at_that_step()
    {
        var failure = await Assert.ThrowsAsync<ScenarioFailed>(() => ScenarioRunner.RunAsync(Document(), "runner.feature", "A step whose expectation is false"));
        Assert.Contains("Step: Then the job is contracted with \"cp-somebody-else\"", failure.Message);
        Assert.Contains("cp-a", failure.Message);
    }

    [Fact]
    public void The_specification_has_every_orchestration_step_of_the_seed()
    {
        var files = Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Features"), "*.feature").Select(f => Path.GetFileNameWithoutExtension(f)!).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal<string>(["Contract_Closure", "Contract_Settlement", "Failure_Recovery", "Invocation_And_Allocation", "Job_Execution", "Job_Posting", "Job_Request",
            "Pull_Search_And_Match", "Push_Search_And_Match", "Select_Preferred_Node"], files);
        Assert.True(FeatureScenarios.All().Count() >= 30);
    }
}
