using System.Net;
using System.Text.Json.Nodes;
using Orchestrator.EndToEnd.Tests.Infrastructure;

namespace Orchestrator.EndToEnd.Tests;

public sealed class SearchAndMatchNodeFixture : IAsyncLifetime
{
    public const string Providers = """
        [
          {"id":"cp-de-small","resources":{"cpuCores":8,"ramMb":16384,"diskGb":100},"executors":["docker"],
           "localities":[{"kind":"country","name":"DE"}],"pricePerHour":1.0,"labels":{"tier":"silver"}},
          {"id":"cp-de-big","resources":{"cpuCores":32,"ramMb":131072,"diskGb":1000},"executors":["docker"],
           "localities":[{"kind":"country","name":"DE"}],"pricePerHour":2.0,"labels":{"tier":"gold"},"lockOnBid":true,
           "libraries":[{"name":"cuda","version":"12.2"}]},
          {"id":"cp-fr","resources":{"cpuCores":16,"ramMb":32768,"diskGb":500},"executors":["docker"],
           "localities":[{"kind":"country","name":"FR"}],"pricePerHour":0.5}
        ]
        """;

    private readonly NodeSetup _setup = NodeSetup.Create(Providers, "orchestrator { searchRetryMinBackoff = 200ms, searchRetryMaxBackoff = 1s }");

    public NodeProcess Node { get; private set; } = null!;

    public async Task InitializeAsync() => Node = await NodeProcess.StartAsync(_setup);

    public async Task DisposeAsync()
    {
        await Node.DisposeAsync();
        _setup.Dispose();
    }
}

/// <summary>Preferences, explanation, push, plan and waiting, over HTTP against a real node.</summary>
public class SearchAndMatchTests(SearchAndMatchNodeFixture fixture) : IClassFixture<SearchAndMatchNodeFixture>
{
    private HttpClient Http => fixture.Node.Http;

    private const string Preferring = """
        {"requirements":{"resources":{"cpuCores":4,"ramMb":4096,"diskGb":10},"localities":[{"kind":"country","name":"DE"}]},
         "preferences":[{"weight":80,"label":{"key":"tier","op":"=","value":"gold"}},{"weight":20,"lowerPrice":true}]}
        """;

    [Fact]
    public async Task A_job_with_preferences_contracts_with_the_provider_its_explanation_ranks_first()
    {
        var job = await Http.AwaitTerminalAsync(await Http.PostJobOkAsync(Preferring));
        Assert.Equal("Contracted", job.State());

        var explanation = job["explanation"]!;
        var considered = (await Http.GetProvidersAsync()).Count;
        Assert.Equal(considered, explanation["considered"]!.GetValue<int>());
        // Every provider outside Germany (cp-fr, and any onboarded by another test of this class) is filtered out.
        Assert.Equal(considered - 2, explanation["filteredOut"]!["locality-mismatch"]!.GetValue<int>());
        Assert.Equal(2, explanation["asked"]!.GetValue<int>());
        Assert.Equal(2, explanation["eligible"]!.GetValue<int>());

        var ranking = explanation["ranking"]!.AsArray();
        Assert.Equal(["cp-de-big", "cp-de-small"], ranking.Select(r => r!["providerId"]!.GetValue<string>()));
        Assert.Equal(ranking[0]!["providerId"]!.GetValue<string>(), job["contract"]!["providerId"]!.GetValue<string>());

        // The breakdown names each preference (the job's two, then the node's built-in spare-capacity one).
        var terms = ranking[0]!["breakdown"]!.AsArray();
        Assert.Equal(["label tier = gold", "lower price", "spare capacity"], terms.Select(t => t!["preference"]!.GetValue<string>()));
        Assert.Equal(80, terms[0]!["contribution"]!.GetValue<double>());
        Assert.Equal(0.5, terms[1]!["score"]!.GetValue<double>());
        Assert.Equal(0.0, ranking[1]!["breakdown"]![0]!["score"]!.GetValue<double>());
        Assert.True(ranking[0]!["score"]!.GetValue<double>() > ranking[1]!["score"]!.GetValue<double>());
    }

    [Fact]
    public async Task Push_contracts_with_the_first_target_when_eligible_with_the_second_when_not_and_fails_when_neither_is()
    {
        const string push = """
            {"orchestrationType":"push","targetProviders":[@TARGETS@],"requirements":{"resources":{"cpuCores":@CPU@,"ramMb":1024,"diskGb":10}}}
            """;
        string Push(string targets, int cpu) => push.Replace("@TARGETS@", targets).Replace("@CPU@", cpu.ToString());

        var first = await Http.AwaitTerminalAsync(await Http.PostJobOkAsync(Push("\"cp-fr\",\"cp-de-small\"", 2)));
        Assert.Equal("cp-fr", first["contract"]!["providerId"]!.GetValue<string>());
        Assert.Equal("push", first["explanation"]!["orchestrationType"]!.GetValue<string>());

        // cp-de-small has 8 cores: not eligible for 12, so the user's second choice gets the job, even though
        // cp-fr is cheaper: push follows the user's order, not the node's selection.
        var second = await Http.AwaitTerminalAsync(await Http.PostJobOkAsync(Push("\"cp-de-small\",\"cp-de-big\"", 12)));
        Assert.Equal("cp-de-big", second["contract"]!["providerId"]!.GetValue<string>());
        var declined = Assert.Single(second["declines"]!.AsArray())!;
        Assert.Equal(("cp-de-small", "bid", "insufficient-cpu"),
            (declined["providerId"]!.GetValue<string>(), declined["phase"]!.GetValue<string>(), declined["reason"]!.GetValue<string>()));

        // The targets are asked for their current state (a bid request), and a push job does not wait.
        var neither = await Http.AwaitTerminalAsync(await Http.PostJobOkAsync(Push("\"cp-de-small\",\"cp-fr\"", 24)));
        Assert.Equal("Failed", neither.State());
        Assert.Equal("no-eligible-provider", neither["failure"]!["reason"]!.GetValue<string>());
        Assert.Equal(2, neither["explanation"]!["asked"]!.GetValue<int>());
        Assert.Equal(2, neither["declines"]!.AsArray().Count(d => d!["phase"]!.GetValue<string>() == "bid"));
    }

    [Fact]
    public async Task Push_to_an_unknown_provider_is_refused_with_the_target_named()
    {
        using var response = await Http.PostJobAsync(
            """{"orchestrationType":"push","targetProviders":["cp-fr","cp-nowhere"],"requirements":{"resources":{"cpuCores":1,"ramMb":256,"diskGb":1}}}""");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("targetProviders[1]", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_plan_returns_the_ranking_the_job_then_uses_and_locks_nothing()
    {
        var id = "planned-" + Guid.NewGuid().ToString("N");
        var body = JsonNode.Parse(Preferring)!.AsObject();
        body["jobId"] = id;

        using var planned = await Http.PostAsync("/orchestrator/plan", new StringContent(body.ToJsonString(), System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, planned.StatusCode);
        var plan = JsonNode.Parse(await planned.Content.ReadAsStringAsync())!;
        var planRanking = plan["explanation"]!["ranking"]!.AsArray().Select(r => (r!["providerId"]!.GetValue<string>(), r["score"]!.GetValue<double>())).ToArray();
        Assert.Equal(2, planRanking.Length);

        // Nothing was locked (cp-de-big locks with its bids, but not for a plan) and no job exists.
        var providers = await Http.GetProvidersAsync();
        Assert.All(providers, p => Assert.DoesNotContain(p!["locks"]!.AsArray(), l => l!["jobId"]!.GetValue<string>() == id));
        using var missing = await Http.GetAsync($"/orchestrator/jobs/{id}");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);

        var job = await Http.AwaitTerminalAsync(await Http.PostJobOkAsync(body.ToJsonString()));
        var jobRanking = job["explanation"]!["ranking"]!.AsArray().Select(r => (r!["providerId"]!.GetValue<string>(), r["score"]!.GetValue<double>())).ToArray();
        Assert.Equal(planRanking.Select(r => r.Item1), jobRanking.Select(r => r.Item1));
        Assert.Equal(planRanking[0].Item1, job["contract"]!["providerId"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_job_waits_for_a_suitable_provider_and_contracts_when_one_is_onboarded_before_its_deadline()
    {
        const string quantum = """
            {"deadlineSeconds":60,"requirements":{"resources":{"cpuCores":2,"ramMb":1024,"diskGb":10},
             "labels":[{"key":"accelerator","op":"=","value":"quantum"}]}}
            """;
        var jobId = await Http.PostJobOkAsync(quantum);

        // It waits: Searching, with the explanation of its last search and when it searches next.
        JsonObject waiting;
        while (true)
        {
            waiting = await Http.GetJobAsync(jobId);
            if (waiting["waiting"] is not null || waiting.State() == "Failed") break;
            await Task.Delay(50);
        }
        Assert.Equal("Searching", waiting.State());
        Assert.Equal("no-eligible-provider", waiting["waiting"]!["reason"]!.GetValue<string>());
        Assert.Equal(3, waiting["explanation"]!["filteredOut"]!["label-mismatch"]!.GetValue<int>());

        using var onboarded = await Http.PostAsync("/orchestrator/providers", new StringContent("""
            {"id":"cp-quantum","resources":{"cpuCores":4,"ramMb":8192,"diskGb":100},"executors":["docker"],
             "pricePerHour":9.5,"labels":{"accelerator":"quantum"}}
            """, System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Created, onboarded.StatusCode);

        var job = await Http.AwaitTerminalAsync(jobId);
        Assert.Equal("Contracted", job.State());
        Assert.Equal("cp-quantum", job["contract"]!["providerId"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_job_that_never_finds_a_provider_fails_at_its_deadline_with_the_explanation()
    {
        var job = await Http.AwaitTerminalAsync(await Http.PostJobOkAsync("""
            {"deadlineSeconds":3,"requirements":{"resources":{"cpuCores":2,"ramMb":1024,"diskGb":10},"executors":["firecracker"]}}
            """));
        Assert.Equal("Failed", job.State());
        Assert.Equal("no-eligible-provider", job["failure"]!["reason"]!.GetValue<string>());
        Assert.Contains("search(es)", job["failure"]!["message"]!.GetValue<string>());
        Assert.True(job["explanation"]!["attempt"]!.GetValue<int>() > 1);
        Assert.True(job["explanation"]!["filteredOut"]!["executor-unsupported"]!.GetValue<int>() >= 3);
    }
}
