using System.Net;
using System.Text.Json.Nodes;
using Orchestrator.EndToEnd.Tests.Infrastructure;

namespace Orchestrator.EndToEnd.Tests;

/// <summary>A node configured to orchestrate push jobs by default, over HTTP: a job naming no type is a push job.</summary>
public class PushDefaultTests
{
    [Fact]
    public async Task A_job_naming_targets_but_no_type_is_pushed_and_one_naming_neither_is_told_what_to_add()
    {
        using var setup = NodeSetup.Create(SearchAndMatchNodeFixture.Providers, "orchestrator.defaultOrchestrationType = push");
        await using var node = await NodeProcess.StartAsync(setup);

        var pushed = await node.Http.AwaitTerminalAsync(await node.Http.PostJobOkAsync(
            """{"targetProviders":["cp-fr"],"requirements":{"resources":{"cpuCores":1,"ramMb":256,"diskGb":1}}}"""));
        Assert.Equal("Contracted", pushed.State());
        Assert.Equal("push", pushed["explanation"]!["orchestrationType"]!.GetValue<string>());
        Assert.Equal("cp-fr", pushed["contract"]!["providerId"]!.GetValue<string>());

        using var refused = await node.Http.PostJobAsync("""{"requirements":{"resources":{"cpuCores":1,"ramMb":256,"diskGb":1}}}""");
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var problem = JsonNode.Parse(await refused.Content.ReadAsStringAsync())!;
        Assert.Equal("this node defaults to push orchestration: name the target providers, or set orchestrationType to pull",
            problem["errors"]!["targetProviders"]![0]!.GetValue<string>());

        var pulled = await node.Http.AwaitTerminalAsync(await node.Http.PostJobOkAsync(
            """{"orchestrationType":"pull","requirements":{"resources":{"cpuCores":1,"ramMb":256,"diskGb":1}}}"""));
        Assert.Equal("Contracted", pulled.State());
        Assert.Equal("pull", pulled["explanation"]!["orchestrationType"]!.GetValue<string>());
    }
}
