using System.Text.Json.Nodes;
using Orchestrator.EndToEnd.Tests.Infrastructure;

namespace Orchestrator.EndToEnd.Tests;

/// <summary>Stop or kill the node and start it again on the same data: nothing is lost, nothing doubles.</summary>
public class DurabilityTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private const string Providers = """
        [
          {"id":"cp-a","resources":{"cpuCores":16,"ramMb":65536,"diskGb":1000},"executors":["docker"],"pricePerHour":0.5,"lockOnBid":true},
          {"id":"cp-b","resources":{"cpuCores":16,"ramMb":65536,"diskGb":1000},"executors":["docker"],"pricePerHour":0.7},
          {"id":"cp-c","resources":{"cpuCores":8,"ramMb":16384,"diskGb":200},"executors":["docker"],"pricePerHour":0.9}
        ]
        """;

    private const string SmallJob = """{"requirements":{"resources":{"cpuCores":1,"ramMb":512,"diskGb":5}}}""";

    [Fact]
    public async Task After_a_graceful_restart_every_job_and_every_provider_ledger_comes_back_exactly()
    {
        using var setup = NodeSetup.Create(Providers);
        var node = await NodeProcess.StartAsync(setup);
        var ids = new List<string>();
        for (var i = 0; i < 12; i++) ids.Add(await node.Http.PostJobOkAsync(SmallJob));
        ids.Add(await node.Http.PostJobOkAsync("""{"deadlineSeconds":2,"requirements":{"resources":{"cpuCores":64,"ramMb":512,"diskGb":5}}}"""));
        var before = new List<string>();
        foreach (var id in ids) before.Add((await node.Http.AwaitTerminalAsync(id)).Stable());
        var providersBefore = (await node.Http.GetProvidersAsync()).Ledgers();

        await node.StopAsync();
        Assert.True(node.HasExited);
        await node.DisposeAsync();

        await using var restarted = await node.RestartAsync();
        var after = new List<string>();
        foreach (var id in ids) after.Add((await restarted.Http.GetJobAsync(id)).Stable());
        Assert.Equal(before, after);
        Assert.Equal(providersBefore, (await restarted.Http.GetProvidersAsync()).Ledgers());
    }

    [Theory]
    [InlineData(32)]
    [InlineData(512)]
    public async Task After_a_SIGKILL_in_flight_jobs_resume_every_job_ends_and_no_provider_is_over_committed(int concurrency)
    {
        // Jobs left without capacity wait for it until their deadline. The deadline must leave the jobs that can
        // contract time to do so on a loaded 2-core machine (8 s did not: 31 of 40 once), and short leases let
        // capacity held by jobs interrupted mid-request come back well before it.
        using var setup = NodeSetup.Create(Providers, """
            orchestrator {
              jobDeadline = 30s, defaultSearchTimeout = 2s, jobRequestTimeout = 2s, contractTimeout = 2s
              lockLease = 5s, searchRetryMaxBackoff = 2s
            }
            """);
        var node = await NodeProcess.StartAsync(setup);

        // Many clients post jobs (1 core each, 40 cores in all) without pause; the process is killed in the middle
        // of that stream, so jobs are caught at every step of their lifecycle. A post is acknowledged once the
        // job is persisted: every acknowledged job must come back; an unacknowledged one may or may not exist.
        var acknowledged = new System.Collections.Concurrent.ConcurrentBag<string>();
        var attempted = new System.Collections.Concurrent.ConcurrentBag<string>();
        var next = 0;
        using var stop = new CancellationTokenSource();
        var clients = Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var id = $"kill-{Interlocked.Increment(ref next):D5}";
                attempted.Add(id);
                try
                {
                    using var response = await node.Http.PostJobAsync(SmallJob.Replace("{\"requirements\"", $"{{\"jobId\":\"{id}\",\"requirements\""));
                    if (response.StatusCode == System.Net.HttpStatusCode.Accepted) acknowledged.Add(id);
                }
                catch (HttpRequestException)
                {
                    return; // the node is gone
                }
            }
        })).ToArray();
        while (acknowledged.Count < 300) await Task.Delay(5);
        await node.KillAsync();
        await stop.CancelAsync();
        await Task.WhenAll(clients);
        await node.DisposeAsync();

        await using var restarted = await node.RestartAsync();
        var jobs = new List<JsonObject>();
        try
        {
            foreach (var id in acknowledged) jobs.Add(await restarted.Http.AwaitTerminalAsync(id, TimeSpan.FromMinutes(2)));
        }
        catch
        {
            // What the restarted node said, and its exit code if it went away, is what explains a failure here.
            output.WriteLine($"restarted node (exited: {restarted.HasExited}):\n{restarted.Output}");
            throw;
        }

        foreach (var id in attempted.Except(acknowledged))
        {
            using var lookup = await restarted.Http.GetAsync($"/orchestrator/jobs/{id}");
            if (lookup.StatusCode == System.Net.HttpStatusCode.OK) jobs.Add(await restarted.Http.AwaitTerminalAsync(id, TimeSpan.FromMinutes(2)));
            else Assert.Equal(System.Net.HttpStatusCode.NotFound, lookup.StatusCode);
        }

        // The resume sweep restarted what was in flight (the journal said so), and the jobs finished.
        Assert.Contains("resuming in state", restarted.Output);

        var providers = await restarted.Http.GetProvidersAsync();
        var contractsOnProviders = providers.SelectMany(p => p!["contracts"]!.AsArray())
            .Select(c => (Job: c!["jobId"]!.GetValue<string>(), Provider: c["providerId"]!.GetValue<string>())).ToArray();
        var contractsOnJobs = jobs.Where(j => j.State() == "Contracted")
            .Select(j => (Job: j["jobId"]!.GetValue<string>(), Provider: j["contract"]!["providerId"]!.GetValue<string>())).ToArray();

        // Both sides hold the same contracts, each job at most one.
        Assert.Equal(contractsOnJobs.Order(), contractsOnProviders.Order());
        Assert.Equal(contractsOnProviders.Length, contractsOnProviders.Select(c => c.Job).Distinct().Count());
        Assert.Equal(40, contractsOnJobs.Length);
        Assert.All(jobs.Where(j => j.State() == "Failed"), j =>
            Assert.Contains(j["failure"]!["reason"]!.GetValue<string>(), new[] { "no-eligible-provider", "all-candidates-declined", "deadline-passed" }));

        foreach (var provider in providers)
        {
            var capacity = provider!["capability"]!["resources"]!["cpuCores"]!.GetValue<int>();
            var held = provider["contracted"]!["cpuCores"]!.GetValue<int>() + provider["locked"]!["cpuCores"]!.GetValue<int>();
            Assert.InRange(held, 0, capacity);
        }
    }
}
