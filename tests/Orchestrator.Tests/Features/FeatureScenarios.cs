using Gherkin;
using Gherkin.Ast;

namespace Orchestrator.Tests.Features;

/// <summary>
/// Runs every scenario of every <c>Features/*.feature</c> file as its own test, named by feature and scenario.
/// Each step is matched to exactly one binding in <see cref="StepBindings"/>; a step with none, or with several,
/// fails the scenario, and so does a binding that throws — always saying the feature, scenario and step.
/// </summary>
public sealed class FeatureScenarios
{
    private static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "Features");

    public static TheoryData<string, string> All()
    {
        var data = new TheoryData<string, string>();
        foreach (var (file, document) in Documents())
        foreach (var scenario in document.Feature.Children.OfType<Scenario>())
            data.Add(file, scenario.Name);
        return data;
    }

    [Theory]
    [MemberData(nameof(All))]
    public Task Scenario(string feature, string scenario) => ScenarioRunner.RunAsync(Documents().Single(d => d.File == feature).Document, feature, scenario);

    private static IEnumerable<(string File, GherkinDocument Document)> Documents() =>
        Directory.GetFiles(Folder, "*.feature").Order(StringComparer.Ordinal)
            .Select(path => (Path.GetFileName(path), new Parser().Parse(path)));
}

/// <summary>Runs the steps of one scenario against a fresh <see cref="ScenarioWorld"/>.</summary>
public static class ScenarioRunner
{
    /// <summary>Runs one scenario (after the feature's background), failing with the feature, scenario and step.</summary>
    public static async Task RunAsync(GherkinDocument document, string feature, string scenario)
    {
        var background = document.Feature.Children.OfType<Background>().SingleOrDefault();
        var steps = (background?.Steps ?? []).Concat(document.Feature.Children.OfType<Scenario>().Single(s => s.Name == scenario).Steps).ToArray();
        await using var world = new ScenarioWorld();
        foreach (var step in steps)
        {
            var where = $"Feature: {document.Feature.Name} ({feature}:{step.Location.Line})\n  Scenario: {scenario}\n    Step: {step.Keyword.Trim()} {step.Text}";
            try
            {
                await StepBindings.RunAsync(world, step);
            }
            catch (Exception e)
            {
                throw new ScenarioFailed($"{where}\n  failed: {e.Message}", e);
            }
        }
    }
}

public sealed class ScenarioFailed(string message, Exception inner) : Exception(message, inner);
