using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Orchestrator.EndToEnd.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Orchestrator.EndToEnd.Tests;

/// <summary>A provider's life through the API: onboarded, read where Location points, updated, offboarded with a live contract.</summary>
public sealed class ProviderLifecycleTests(ITestOutputHelper output)
{
    private const string FileProvider = """[{"id":"cp-file","resources":{"cpuCores":2,"ramMb":2048,"diskGb":10},"executors":["docker"]}]""";

    private static string Live(int cpu) =>
        $$"""{"id":"cp-live","resources":{"cpuCores":{{cpu}},"ramMb":8192,"diskGb":100},"executors":["docker"],"pricePerHour":1.0}""";

    private const string PushJob = """
        {"jobId":"@ID@","orchestrationType":"push","targetProviders":["cp-live"],
         "requirements":{"resources":{"cpuCores":4,"ramMb":1024,"diskGb":1},"durationMinutes":1}}
        """;

    [Fact]
    public async Task Onboard_read_update_and_offboard_a_provider_whose_contract_is_honoured_until_it_ends()
    {
        using var setup = NodeSetup.Create(FileProvider);
        var node = await NodeProcess.StartAsync(setup);
        try
        {
            // Onboarded: Location points at the provider.
            using var onboarded = await node.Http.PostAsync("/orchestrator/providers", Json(Live(4)));
            Assert.Equal(HttpStatusCode.Created, onboarded.StatusCode);
            using (var atLocation = await node.Http.GetAsync(onboarded.Headers.Location))
            {
                Assert.Equal(HttpStatusCode.OK, atLocation.StatusCode);
                Assert.Equal("cp-live", (await Body(atLocation))["capability"]!["id"]!.GetValue<string>());
            }

            var contracted = await node.Http.AwaitTerminalAsync(await node.Http.PostJobOkAsync(PushJob.Replace("@ID@", "live-1")));
            Assert.Equal("Contracted", contracted.State());

            // A new capability that no longer holds the contract is refused; one that does is taken.
            using (var shrink = await node.Http.PostAsync("/orchestrator/providers", Json(Live(2))))
            {
                Assert.Equal(HttpStatusCode.Conflict, shrink.StatusCode);
                Assert.Contains("4 cpu cores are held", await shrink.Content.ReadAsStringAsync());
            }

            using (var grow = await node.Http.PostAsync("/orchestrator/providers", Json(Live(8))))
            {
                Assert.Equal(HttpStatusCode.OK, grow.StatusCode);
                Assert.True((await Body(grow))["updated"]!.GetValue<bool>());
            }

            var grown = await Provider(node, "cp-live");
            Assert.Equal(8, grown["capability"]!["resources"]!["cpuCores"]!.GetValue<int>());
            Assert.Equal(4, grown["free"]!["cpuCores"]!.GetValue<int>());

            // Offboarded with a live contract: it stays, honours the contract, takes no new job.
            using (var offboard = await node.Http.DeleteAsync("/orchestrator/providers/cp-live"))
            {
                Assert.Equal(HttpStatusCode.Accepted, offboard.StatusCode);
                Assert.Equal(1, (await Body(offboard))["contractsHeld"]!.GetValue<int>());
            }

            var leaving = await Provider(node, "cp-live");
            Assert.True(leaving["offboarding"]!.GetValue<bool>());
            Assert.Single(leaving["contracts"]!.AsArray());
            var refused = await node.Http.AwaitTerminalAsync(await node.Http.PostJobOkAsync(PushJob.Replace("@ID@", "live-2")));
            Assert.Equal("Failed", refused.State());
            Assert.Contains(refused["providers"]!.AsArray(), v => v!["reason"]?.GetValue<string>() == "provider-offboarding");

            // The file's provider, holding nothing, leaves at once and stays gone after a restart.
            using (var offboardFile = await node.Http.DeleteAsync("/orchestrator/providers/cp-file")) Assert.Equal(HttpStatusCode.Accepted, offboardFile.StatusCode);
            await Poll.UntilAsync(async () => Assert.Equal(HttpStatusCode.NotFound, (await node.Http.GetAsync("/orchestrator/providers/cp-file")).StatusCode),
                TimeSpan.FromSeconds(30));

            // The contract ends after its minute: then the provider is gone.
            await Poll.UntilAsync(async () => Assert.Equal(HttpStatusCode.NotFound, (await node.Http.GetAsync("/orchestrator/providers/cp-live")).StatusCode),
                TimeSpan.FromMinutes(3));

            await node.StopAsync();
            await node.DisposeAsync();
            node = await node.RestartAsync();
            var after = (await node.Http.GetProvidersAsync()).Select(p => p!["capability"]!["id"]!.GetValue<string>()).ToArray();
            Assert.DoesNotContain("cp-live", after);
            Assert.DoesNotContain("cp-file", after);
            Assert.Equal(HttpStatusCode.NotFound, (await node.Http.GetAsync("/orchestrator/providers/cp-live")).StatusCode);
        }
        catch
        {
            output.WriteLine(node.Output);
            throw;
        }
        finally
        {
            await node.DisposeAsync();
        }
    }

    private static StringContent Json(string body) => new(body, System.Text.Encoding.UTF8, "application/json");

    private static async Task<JsonObject> Body(HttpResponseMessage response) => JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();

    private static async Task<JsonObject> Provider(NodeProcess node, string id)
    {
        using var response = await node.Http.GetAsync($"/orchestrator/providers/{id}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await Body(response);
    }
}
