using Orchestrator.EndToEnd.Tests.Infrastructure;

namespace Orchestrator.Client.Tests;

/// <summary>One real node (the executable) on a fixed remoting port, a cluster of one that clients join or contact.</summary>
public sealed class ClientNodeFixture : IAsyncLifetime
{
    private readonly NodeSetup _setup = NodeSetup.Create("""
        [{"id":"cp-1","resources":{"cpuCores":64,"ramMb":131072,"diskGb":1000},"executors":["docker","simulated"],"pricePerHour":1.0}]
        """);

    public NodeProcess Node { get; private set; } = null!;
    public int RemotePort { get; } = NodeProcess.FreePort();
    public string Address => $"akka.tcp://orchestrator@127.0.0.1:{RemotePort}";

    public async Task InitializeAsync()
    {
        _setup.ExtraArguments.AddRange(["--remote-port", RemotePort.ToString(), "--seeds", Address]);
        Node = await NodeProcess.StartAsync(_setup);
    }

    public async Task DisposeAsync()
    {
        await Node.DisposeAsync();
        _setup.Dispose();
    }
}
