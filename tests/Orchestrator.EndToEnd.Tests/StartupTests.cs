using Orchestrator.EndToEnd.Tests.Infrastructure;

namespace Orchestrator.EndToEnd.Tests;

public class StartupTests
{
    [Theory]
    [InlineData("""[{"id":"cp 1","resources":{"cpuCores":4,"ramMb":1024,"diskGb":10},"executors":["docker"]}]""", "[0].id")]
    [InlineData("""[{"id":"cp-1","resources":{"cpuCores":0,"ramMb":1024,"diskGb":10},"executors":["docker"]}]""", "[0].resources.cpuCores")]
    [InlineData("""[{"id":"cp-1","resources":{"cpuCores":4,"ramMb":1024,"diskGb":10},"executors":["podman"]}]""", "executors")]
    [InlineData("""[]""", "at least one provider")]
    public async Task A_bad_providers_file_stops_the_node_with_the_field_named(string providers, string named)
    {
        using var setup = NodeSetup.Create(providers);
        await NodeProcess.AssertRefusesToStartAsync(setup, "--providers", named);
    }

    [Fact]
    public async Task A_bad_setting_stops_the_node_with_the_key_named()
    {
        using var setup = NodeSetup.Create(hocon: "orchestrator.defaultOrchestrationType = broadcast");
        await NodeProcess.AssertRefusesToStartAsync(setup, "orchestrator.defaultOrchestrationType");
    }

    [Fact]
    public async Task Joining_a_cluster_on_SQLite_is_refused_with_the_reason()
    {
        using var setup = NodeSetup.Create();
        setup.ExtraArguments.AddRange(["--remote-port", "4999", "--seeds", "akka.tcp://orchestrator@127.0.0.1:4998"]);
        await NodeProcess.AssertRefusesToStartAsync(setup, "SQLite cannot be shared by several writers", "--postgres");
    }
}
