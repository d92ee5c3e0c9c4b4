using System.Net;
using System.Text.Json.Nodes;
using Orchestrator.EndToEnd.Tests.Infrastructure;

namespace Orchestrator.EndToEnd.Tests;

/// <summary>
/// A provider's EligibleComputeProvidersData through the real executable's API and CLI: after a search, each provider
/// asked holds the job's entry with its per-constraint comparison and its soft scores; bad and unknown ids are told apart.
/// </summary>
public sealed class EligibilityTests
{
    private const string Providers = """
        [{"id":"cp-de","resources":{"cpuCores":8,"ramMb":16384,"diskGb":100},"executors":["docker"],"localities":[{"kind":"country","name":"DE"}],"pricePerHour":2},
         {"id":"cp-fr","resources":{"cpuCores":8,"ramMb":16384,"diskGb":100},"executors":["docker"],"localities":[{"kind":"country","name":"FR"}],"pricePerHour":1}]
        """;

    private const string Job = """
        {"jobId":"job-elig","requirements":{"resources":{"cpuCores":4,"ramMb":2048,"diskGb":10},"executors":["docker"]},
         "preferences":[{"weight":90,"localities":[{"kind":"country","name":"DE"}]},{"weight":10,"lowerPrice":true}]}
        """;

    [Fact]
    public async Task After_a_search_each_provider_asked_shows_its_comparison_through_the_API_and_the_CLI()
    {
        using var setup = NodeSetup.Create(Providers);
        await using var node = await NodeProcess.StartAsync(setup);
        await node.Http.PostJobOkAsync(Job);
        var job = await node.Http.AwaitTerminalAsync("job-elig");
        Assert.Equal("Contracted", job.State());
        Assert.Equal("cp-de", job["contract"]!["providerId"]!.GetValue<string>());
        // The job ranked by its own numbers; the honest providers' claims agree with them.
        foreach (var ranked in job["explanation"]!["ranking"]!.AsArray()) Assert.Empty(ranked!["disagreements"]!.AsArray());

        var all = JsonNode.Parse(await node.Http.GetStringAsync("/orchestrator/providers/cp-fr/eligibility"))!;
        Assert.Equal("cp-fr", all["providerId"]!.GetValue<string>());
        Assert.Equal(256, all["keptAtMost"]!.GetValue<int>());
        var entry = Assert.Single(all["entries"]!.AsArray())!;
        Assert.Equal(("job-elig", "bid", true), (entry["jobId"]!.GetValue<string>(), entry["answer"]!.GetValue<string>(), entry["eligible"]!.GetValue<bool>()));
        var cpu = entry["hardConstraints"]!.AsArray().Single(c => c!["constraint"]!.GetValue<string>() == "cpu-cores")!;
        Assert.Equal((true, "4", "8 free of 8"), (cpu["passed"]!.GetValue<bool>(), cpu["required"]!.GetValue<string>(), cpu["offered"]!.GetValue<string>()));
        var soft = entry["softConstraints"]!.AsArray();
        Assert.Equal("locality country=DE", soft[0]!["preference"]!.GetValue<string>());
        Assert.Equal(0.0, soft[0]!["score"]!.GetValue<double>());
        Assert.Null(soft[1]!["score"]); // lower price: relative to the other bids, only the job can score it

        // The winner's entry: the bid, then the job request that locked its resources.
        var won = JsonNode.Parse(await node.Http.GetStringAsync("/orchestrator/providers/cp-de/eligibility?jobId=job-elig"))!["entries"]![0]!;
        Assert.Equal(("locked", 2), (won["answer"]!.GetValue<string>(), won["asked"]!.GetValue<int>()));

        using (var none = await node.Http.GetAsync("/orchestrator/providers/cp-de/eligibility?jobId=job-never"))
        {
            Assert.Equal(HttpStatusCode.NotFound, none.StatusCode);
            Assert.Contains("holds no comparison with job 'job-never'", await none.Content.ReadAsStringAsync());
        }

        using (var bad = await node.Http.GetAsync("/orchestrator/providers/cp-de/eligibility?jobId=" + new string('x', 300)))
        {
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
            Assert.Contains("jobId", await bad.Content.ReadAsStringAsync());
        }

        using (var unknown = await node.Http.GetAsync("/orchestrator/providers/cp-nobody/eligibility"))
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);

        var listed = await Cli.OperateAsync(node, "providers", "eligibility", "cp-fr");
        Assert.True(listed.ExitCode == 0, listed.Errors);
        Assert.Contains("job-elig", listed.Output);
        Assert.Contains("all 5 passed", listed.Output); // executor, duration (the node's default), CPU cores, RAM, disk

        var one = await Cli.OperateAsync(node, "providers", "eligibility", "cp-fr", "--job", "job-elig");
        Assert.True(one.ExitCode == 0, one.Errors);
        Assert.Contains("HARD CONSTRAINT", one.Output);
        Assert.Contains("8 free of 8", one.Output);
        Assert.Contains("only the job can score it", one.Output);

        var json = await Cli.OperateAsync(node, "providers", "eligibility", "cp-de", "--json");
        Assert.Equal(0, json.ExitCode);
        Assert.Equal("job-elig", JsonNode.Parse(json.Output)!["entries"]![0]!["jobId"]!.GetValue<string>());

        var missing = await Cli.OperateAsync(node, "providers", "eligibility", "cp-de", "--job", "job-never");
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("job-never", missing.Errors);
    }
}
