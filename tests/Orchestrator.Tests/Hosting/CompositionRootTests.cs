using System.Reflection;
using Orchestrator.Hosting;

namespace Orchestrator.Tests.Hosting;

/// <summary>
/// One composition root: the executable, the benchmark and the specification's node all add the orchestrator by
/// <c>WithOrchestrator</c> and wire nothing of their own, so the spec and the benchmark exercise the node that ships.
/// </summary>
public sealed class CompositionRootTests
{
    private static readonly string[] Wiring =
    [
        "WithShardRegion", "WithSqlPersistence", "WithSqlitePersistence", "WithPostgresPersistence", "WithCustomSerializer",
        "WithOrchestratorSerialization", "WithDistributedPubSub", "WithClusterClientReceptionist", "RegisterExtension",
        "new ProviderHost", "new Planner", "JobIndexActor.Props", "Props.Create<ProviderDirectory>",
    ];

    [Theory]
    [InlineData("src/Orchestrator.Node/Startup/AkkaSetup.cs")]
    [InlineData("bench/Orchestrator.Bench/BenchNode.cs")]
    [InlineData("tests/Orchestrator.Tests/Features/SpecNode.cs")]
    [InlineData("examples/Dms.Host/DmsHost.cs")]
    public void Each_host_adds_the_orchestrator_by_the_one_call_and_wires_nothing_itself(string file)
    {
        var source = Repository.Read(file);
        Assert.Contains(".WithOrchestrator(", source);
        foreach (var piece in Wiring) Assert.False(source.Contains(piece, StringComparison.Ordinal), $"{file} wires {piece} itself");
    }

    [Fact]
    public void The_library_offers_the_one_call_and_no_separate_pieces()
    {
        var hostingExtensions = typeof(OrchestratorHostingExtensions).Assembly.GetTypes()
            .Where(t => t.IsPublic && t.Namespace == "Orchestrator.Hosting")
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Static | BindingFlags.DeclaredOnly))
            .Where(m => m.GetParameters().FirstOrDefault()?.ParameterType == typeof(Akka.Hosting.AkkaConfigurationBuilder))
            .Select(m => m.Name).Order().ToArray();
        Assert.Equal(["WithClusterOfOne", "WithOrchestrator"], hostingExtensions);
    }

}
