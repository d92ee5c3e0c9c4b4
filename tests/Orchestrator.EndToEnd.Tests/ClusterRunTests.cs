using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Orchestrator.EndToEnd.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Orchestrator.EndToEnd.Tests;

/// <summary>
/// Runs across three nodes on PostgreSQL: a job posted to node 0 runs on a provider of node 2 (the cheapest), its logs
/// followed from node 1; node 2 SIGKILLed while the program runs. With a restart policy the job completes on node 1's
/// provider; without, it fails provider-lost within 15 s. (Should the job run on node 1's provider first, the roles swap.) No provider keeps the resources of an ended run, the killed one included once it
/// is back; no job has two runs going at once.
/// </summary>
[Collection(FaultTiming.Name)]
public class ClusterRunTests(ITestOutputHelper output)
{
    /// <summary>Node 2's provider is the cheapest (the job picks it first), node 1's the fallback; node 0 runs nothing.</summary>
    private static string? ProvidersOf(int node) => node switch
    {
        1 => """[{"id":"cp-n1","resources":{"cpuCores":4,"ramMb":2048,"diskGb":10},"executors":["wasm","simulated"],"pricePerHour":5.0}]""",
        2 => """[{"id":"cp-n2","resources":{"cpuCores":4,"ramMb":2048,"diskGb":10},"executors":["wasm","simulated"],"pricePerHour":1.0}]""",
        _ => null,
    };

    private const string Hocon = "orchestrator { execution { heartbeat = 500ms, lostAfter = 4s }\n contractConfirmAfter = 2s }";

    private static string Job(string id, string restart) =>
        ("""{"jobId":"@ID@","selection":"lowest-price","requirements":{"resources":{"cpuCores":1,"ramMb":256,"diskGb":1}},""" +
        "\"execution\":{\"executor\":\"simulated\",\"args\":[\"print=started\",\"sleep-ms=6000\",\"print=done\"],\"restart\":{\"mode\":\"@MODE@\",\"maxAttempts\":2}}}")
            .Replace("@ID@", id).Replace("@MODE@", restart);

    [Theory]
    [InlineData("on-failure")]
    [InlineData("never")]
    public async Task A_run_on_a_killed_node_is_rescheduled_or_fails_provider_lost_and_no_provider_keeps_its_resources(string restart)
    {
        await using var cluster = await ClusterOfNodes.StartAsync(3, ProvidersOf, Hocon);
        var posting = cluster.Nodes[0];
        // Node 0 onboards only its own machine (docker: it cannot run the job); nodes 1 and 2 their providers.
        await Poll.UntilAsync(async () => Assert.Subset((await posting.Http.GetProvidersAsync()).Select(p => p!["capability"]!["id"]!.GetValue<string>()).ToHashSet(),
            new HashSet<string> { "cp-n1", "cp-n2" }), TimeSpan.FromSeconds(30));

        var id = $"moves-{restart}";
        await posting.Http.PostJobOkAsync(Job(id, restart));
        JsonObject running = null!;
        await Poll.UntilAsync(async () =>
        {
            running = await posting.Http.GetJobAsync(id);
            Assert.True(running.State() == "Running", running.ToJsonString());
        }, TimeSpan.FromSeconds(30));
        // The cheapest, cp-n2 on node 2, is picked as a rule; if not, the job's own account of its search says why, and the
        // node that runs it is the one killed (what is tested is what becomes of a run whose node dies, not the choice).
        var first = running["currentRun"]!["providerId"]!.GetValue<string>();
        if (first != "cp-n2") output.WriteLine($"the job runs on {first}, not cp-n2: {running.ToJsonString()}");
        var (runner, other) = first == "cp-n2" ? (2, 1) : (1, 2);
        var (following, victim) = (cluster.Nodes[other], cluster.Nodes[runner]);
        var (lost, fallback) = ($"cp-n{runner}", $"cp-n{other}");

        // Followed from the other node: what the program printed on the runner's node so far.
        using (var follow = await following.Http.GetAsync($"/orchestrator/jobs/{id}/logs?follow=true", HttpCompletionOption.ResponseHeadersRead))
        {
            Assert.Equal(HttpStatusCode.OK, follow.StatusCode);
            var buffer = new byte[64];
            var read = await (await follow.Content.ReadAsStreamAsync()).ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
            Assert.Equal("started\n", Encoding.UTF8.GetString(buffer, 0, read));
        }

        await victim.KillAsync();
        var killedAt = DateTimeOffset.UtcNow;
        var job = await posting.Http.AwaitTerminalAsync(id, TimeSpan.FromSeconds(60));
        // When the job concluded, by its own record (the nodes share this machine's clock): what the API shows depends
        // also on when the reader asks (a read sent to the dead node waits for its answer until the API gives up).
        var seen = DateTimeOffset.UtcNow - killedAt;
        var after = job["history"]!.AsArray()[^1]!["at"]!.GetValue<DateTimeOffset>() - killedAt;
        output.WriteLine($"{restart}: {job.State()} {after.TotalSeconds:0.0} s after the kill (read {seen.TotalSeconds:0.0} s after it); runs: " +
                         string.Join(", ", job["runs"]!.AsArray().Select(r => $"{r!["providerId"]} {r["outcome"]!["failure"]}")));

        var runs = job["runs"]!.AsArray();
        Assert.Equal((lost, "provider-lost"), (runs[0]!["providerId"]!.GetValue<string>(), runs[0]!["outcome"]!["failure"]!.GetValue<string>()));
        if (restart == "never")
        {
            Assert.Equal("Failed", job.State());
            Assert.Equal("provider-lost", job["failure"]!["reason"]!.GetValue<string>());
            Assert.Single(runs);
            Assert.True(after < TimeSpan.FromSeconds(15), $"failed {after.TotalSeconds:0.0} s after the kill: {job.ToJsonString()}");
        }
        else
        {
            Assert.Equal("Completed", job.State());
            Assert.Equal(2, runs.Count);
            Assert.Equal(fallback, runs[1]!["providerId"]!.GetValue<string>());
            Assert.Null(runs[1]!["outcome"]!["failure"]);
            Assert.Equal("started\ndone\n", await (await following.Http.GetAsync($"/orchestrator/jobs/{id}/logs")).Content.ReadAsStringAsync());
        }

        // One run at a time: the second began only after the first was declared lost.
        if (runs.Count == 2)
            Assert.True(runs[1]!["startedAt"]!.GetValue<DateTimeOffset>() >= runs[0]!["endedAt"]!.GetValue<DateTimeOffset>());

        // No provider keeps the resources of an ended run: the survivor's at once, the killed node's once it is back (its
        // allocation finds the run interrupted and ends the contract).
        await Poll.UntilAsync(async () => Assert.Empty(Contracts(await following.Http.GetProvidersAsync(), fallback)), TimeSpan.FromSeconds(15));
        // The survivors remove the killed member before it comes back on its old address. Restarted while its old
        // incarnation was still a member (with restart "never" the job fails ~10 s after the kill, about when the removal
        // happens), it sometimes could not join for 90 s and more: a finding of its own, noted for the project, not what
        // this test is about.
        await Poll.UntilAsync(async () =>
        {
            var members = JsonNode.Parse(await following.Http.GetStringAsync("/ops/cluster"))!["members"]!.AsArray();
            Assert.DoesNotContain(members, m => m!["address"]!.GetValue<string>().EndsWith(":" + cluster.RemotePorts[runner], StringComparison.Ordinal));
        }, TimeSpan.FromSeconds(60));
        var back = await victim.RestartAsync();
        try
        {
            await Poll.UntilAsync(async () => Assert.Empty(Contracts(await back.Http.GetProvidersAsync(), lost)), TimeSpan.FromSeconds(60));
            // And across the cluster: every contract held is a job's, no program runs twice or after its job ended.
            await ClusterInvariants.AssertProvidersSettledAsync(back.Http, 3, [job]);
        }
        finally
        {
            await back.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_module_uploaded_to_one_node_runs_on_another_nodes_provider()
    {
        await using var cluster = await ClusterOfNodes.StartAsync(3, ProvidersOf, Hocon);
        var (posting, runner) = (cluster.Nodes[0], cluster.Nodes[2]);
        await Poll.UntilAsync(async () => Assert.Contains("cp-n2", (await posting.Http.GetProvidersAsync()).Select(p => p!["capability"]!["id"]!.GetValue<string>())),
            TimeSpan.FromSeconds(30));
        var bytes = Wasmtime.Module.ConvertText(Orchestrator.Testing.Repository.Read("examples/wasm/primes.wat"));
        using var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/wasm");
        using var uploaded = await posting.Http.PostAsync("/orchestrator/modules", content);
        var sha = JsonNode.Parse(await uploaded.Content.ReadAsStringAsync())!["sha256"]!.GetValue<string>();
        // The provider's node does not hold it until it runs the job.
        Assert.Equal(HttpStatusCode.NotFound, (await runner.Http.GetAsync($"/orchestrator/modules/{sha}")).StatusCode);

        await posting.Http.PostJobOkAsync("""
            {"jobId":"fetched","selection":"lowest-price","requirements":{"resources":{"cpuCores":1,"ramMb":256,"diskGb":1}},
             "execution":{"executor":"wasm","moduleSha256":"@SHA@","args":["10"]}}
            """.Replace("@SHA@", sha));
        var job = await posting.Http.AwaitTerminalAsync("fetched", TimeSpan.FromSeconds(60));
        Assert.Equal("Completed", job.State());
        Assert.Equal("cp-n2", job["runs"]![0]!["providerId"]!.GetValue<string>());
        Assert.Equal("2\n3\n5\n7\n", await (await cluster.Nodes[1].Http.GetAsync("/orchestrator/jobs/fetched/logs")).Content.ReadAsStringAsync());
        // Fetched over the cluster, checked, and kept by the node that ran it.
        Assert.Equal(bytes, await runner.Http.GetByteArrayAsync($"/orchestrator/modules/{sha}"));
    }

    private static JsonArray Contracts(JsonArray providers, string id) =>
        providers.Single(p => p!["capability"]!["id"]!.GetValue<string>() == id)!["contracts"]!.AsArray();
}
