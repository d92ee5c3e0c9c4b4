using Orchestrator.EndToEnd.Tests.Infrastructure;

namespace Orchestrator.EndToEnd.Tests;

/// <summary>Many jobs at once over HTTP for capacity that fits only one of them on the cheap provider.</summary>
public class CompetitionTests
{
    [Fact]
    public async Task Concurrent_jobs_never_over_commit_a_provider_and_each_ends_with_a_contract_or_a_reason()
    {
        const string providers = """
            [
              {"id":"cp-solo","resources":{"cpuCores":4,"ramMb":8192,"diskGb":100},"executors":["docker"],"pricePerHour":0.5},
              {"id":"cp-backup","resources":{"cpuCores":9,"ramMb":65536,"diskGb":1000},"executors":["docker"],"pricePerHour":2.0}
            ]
            """;
        using var setup = NodeSetup.Create(providers);
        await using var node = await NodeProcess.StartAsync(setup);

        // The deadline only bounds how long the losers wait: long enough that the winners' contracts never depend on how
        // busy the machine is (3 s failed under a full parallel test run on a starved 2-core machine).
        const string job = """{"deadlineSeconds":10,"requirements":{"resources":{"cpuCores":3,"ramMb":1024,"diskGb":10}}}""";
        var ids = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => node.Http.PostJobOkAsync(job)));
        var jobs = await Task.WhenAll(ids.Select(id => node.Http.AwaitTerminalAsync(id)));

        var contracted = jobs.Where(j => j.State() == "Contracted").ToArray();
        Assert.Single(contracted, j => j["contract"]!["providerId"]!.GetValue<string>() == "cp-solo");
        Assert.Equal(3, contracted.Count(j => j["contract"]!["providerId"]!.GetValue<string>() == "cp-backup"));
        // A job that lost the race waits for capacity until its deadline, then fails saying why: nothing was
        // free (no-eligible-provider), its job requests were declined (all-candidates-declined), or it was
        // mid-search when the deadline came (deadline-passed).
        Assert.All(jobs.Where(j => j.State() == "Failed"), j =>
            Assert.Contains(j["failure"]!["reason"]!.GetValue<string>(), new[] { "no-eligible-provider", "all-candidates-declined", "deadline-passed" }));
        Assert.Equal(2, jobs.Count(j => j.State() == "Failed"));

        foreach (var provider in await node.Http.GetProvidersAsync())
        {
            var capacity = provider!["capability"]!["resources"]!["cpuCores"]!.GetValue<int>();
            var held = provider["contracted"]!["cpuCores"]!.GetValue<int>() + provider["locked"]!["cpuCores"]!.GetValue<int>();
            Assert.InRange(held, 0, capacity);
        }
    }
}
