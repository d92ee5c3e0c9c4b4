namespace Orchestrator.EndToEnd.Tests.Infrastructure;

/// <summary>One node with the example providers, shared by the tests of a class.</summary>
public sealed class ExampleNodeFixture : IAsyncLifetime
{
    private readonly NodeSetup _setup = NodeSetup.WithExampleProviders();

    public NodeProcess Node { get; private set; } = null!;

    public async Task InitializeAsync() => Node = await NodeProcess.StartAsync(_setup);

    public async Task DisposeAsync()
    {
        await Node.DisposeAsync();
        _setup.Dispose();
    }

    public static string Example(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "examples", name));
}
