using Akka.Actor;

namespace Orchestrator.EndToEnd.Tests.Infrastructure;

/// <summary>A plain local actor system per test, for the API's own actors and helpers (no node, no cluster).</summary>
public abstract class LocalActorSystem(string prefix) : IAsyncLifetime
{
    protected ActorSystem Sys { get; private set; } = null!;

    public Task InitializeAsync()
    {
        Sys = ActorSystem.Create(prefix + "-" + Guid.NewGuid().ToString("N")[..8]);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await Sys.Terminate();
}
