using System.Text;
using Orchestrator.EndToEnd.Tests.Infrastructure;

namespace Orchestrator.EndToEnd.Tests;

public class BoundedSearchTests
{
    [Fact]
    public async Task With_two_thousand_providers_each_job_asks_at_most_max_bid_requests_and_still_contracts()
    {
        var providers = new StringBuilder("[");
        for (var i = 0; i < 2000; i++)
        {
            if (i > 0) providers.Append(',');
            providers.Append($$"""{"id":"cp-{{i:D4}}","resources":{"cpuCores":{{4 + i % 29}},"ramMb":16384,"diskGb":200},"executors":["docker"],"pricePerHour":{{1 + i % 7}}}""");
        }

        providers.Append(']');
        using var setup = NodeSetup.Create(providers.ToString(), "orchestrator.maxBidRequests = 16");
        await using var node = await NodeProcess.StartAsync(setup);

        var asked = new HashSet<string>();
        for (var j = 0; j < 8; j++)
        {
            var job = await node.Http.AwaitTerminalAsync(await node.Http.PostJobOkAsync(
                """{"requirements":{"resources":{"cpuCores":2,"ramMb":1024,"diskGb":10}}}"""));
            Assert.Equal("Contracted", job.State());
            var candidates = job["candidateProviders"]!.AsArray().Select(c => c!.GetValue<string>()).ToArray();
            Assert.InRange(candidates.Length, 1, 16);
            Assert.Equal(candidates.Length, job["explanation"]!["asked"]!.GetValue<int>());
            Assert.Equal(2000, job["explanation"]!["considered"]!.GetValue<int>());
            Assert.Contains(job["contract"]!["providerId"]!.GetValue<string>(), candidates);
            asked.UnionWith(candidates);
        }

        // Different jobs spread over different providers rather than all asking the same sixteen.
        Assert.True(asked.Count > 16, $"8 jobs asked only {asked.Count} distinct providers");
    }
}
