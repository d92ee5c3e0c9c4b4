using System.Net;
using System.Text.Json.Nodes;
using Orchestrator.EndToEnd.Tests.Infrastructure;

namespace Orchestrator.EndToEnd.Tests;

/// <summary>The seed's four steps over HTTP, on a node started with the example providers.</summary>
public class LifecycleTests(ExampleNodeFixture fixture) : IClassFixture<ExampleNodeFixture>
{
    private HttpClient Http => fixture.Node.Http;

    [Fact]
    public async Task A_posted_job_goes_through_every_state_to_a_contract_with_a_provider_meeting_every_hard_constraint()
    {
        using var response = await Http.PostJobAsync(ExampleNodeFixture.Example("job-docker-de.json"));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var accepted = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        var jobId = accepted["jobId"]!.GetValue<string>();
        Assert.Equal("Posted", accepted["state"]!.GetValue<string>());
        Assert.Equal($"/orchestrator/jobs/{jobId}", response.Headers.Location!.OriginalString);

        var job = await Http.AwaitTerminalAsync(jobId);
        Assert.Equal("Contracted", job.State());
        Assert.Equal(["Posted", "Searching", "Matched", "Requested", "Contracted"], job.HistoryStates());

        var contract = job["contract"]!;
        var providerId = contract["providerId"]!.GetValue<string>();
        Assert.Equal(jobId, contract["jobId"]!.GetValue<string>());
        Assert.Equal("sp-e2e", contract["requesterNodeId"]!.GetValue<string>());
        Assert.Equal(2, contract["resources"]!["cpuCores"]!.GetValue<int>());
        Assert.Equal(2048, contract["resources"]!["ramMb"]!.GetValue<long>());

        var provider = (await Http.GetProvidersAsync()).Single(p => p!["capability"]!["id"]!.GetValue<string>() == providerId)!["capability"]!;
        Assert.Contains("docker", provider["executors"]!.AsArray().Select(e => e!.GetValue<string>()));
        Assert.Contains(provider["localities"]!.AsArray(), l => l!["kind"]!.GetValue<string>() == "country" && l["name"]!.GetValue<string>() == "DE");
        Assert.True(provider["pricePerHour"]!.GetValue<decimal>() <= 2.0m);
        Assert.Equal(provider["pricePerHour"]!.GetValue<decimal>(), contract["pricePerHour"]!.GetValue<decimal>());
        Assert.True(provider["resources"]!["cpuCores"]!.GetValue<int>() >= 2);

        // The index holds every eligible bid in rank order (by score, highest first) and the winner is its head.
        var scores = job["explanation"]!["ranking"]!.AsArray().Select(r => r!["score"]!.GetValue<double>()).ToArray();
        Assert.Equal(scores.OrderDescending(), scores);
        Assert.Equal(providerId, job["eligibleProviders"]![0]!["providerId"]!.GetValue<string>());
        Assert.Equal(providerId, job["explanation"]!["ranking"]![0]!["providerId"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_provider_that_locks_with_its_bid_skips_the_job_request()
    {
        var jobId = await Http.PostJobOkAsync(ExampleNodeFixture.Example("job-us-locked.json"));
        var job = await Http.AwaitTerminalAsync(jobId);
        Assert.Equal("Contracted", job.State());
        Assert.Equal("cp-seattle-cpu", job["contract"]!["providerId"]!.GetValue<string>());
        Assert.Equal(["Posted", "Searching", "Matched", "Contracted"], job.HistoryStates());
    }

    [Fact]
    public async Task A_job_no_provider_can_satisfy_fails_with_no_eligible_provider_and_every_decline_reason()
    {
        // A pull job waits for capacity until its deadline; a short one makes the test quick.
        var jobId = await Http.PostJobOkAsync(OrchestratorClient.WithDeadline(ExampleNodeFixture.Example("job-impossible.json"), 3));
        var job = await Http.AwaitTerminalAsync(jobId);

        Assert.Equal("Failed", job.State());
        Assert.Equal("no-eligible-provider", job["failure"]!["reason"]!.GetValue<string>());
        Assert.StartsWith("no provider was eligible", job["failure"]!["message"]!.GetValue<string>());

        // Every provider is accounted for, each by the constraint that ruled it out: the directory's pre-filter
        // spares asking providers that could never run the job.
        var explanation = job["explanation"]!;
        var providers = await Http.GetProvidersAsync();
        Assert.Equal(providers.Count, explanation["considered"]!.GetValue<int>());
        var filtered = explanation["filteredOut"]!.AsObject();
        Assert.Equal(providers.Count, filtered.Sum(kv => kv.Value!.GetValue<int>()));
        Assert.True(filtered["insufficient-cpu"]!.GetValue<int>() > 0);
        Assert.True(filtered["executor-unsupported"]!.GetValue<int>() > 0);
        Assert.Equal(0, explanation["eligible"]!.GetValue<int>());

        // And by name: every provider, with the constraint it failed and the values compared.
        var verdicts = job["providers"]!.AsArray();
        Assert.Equal(providers.Select(p => p!["capability"]!["id"]!.GetValue<string>()).Order(), verdicts.Select(v => v!["providerId"]!.GetValue<string>()).Order());
        Assert.All(verdicts, v =>
        {
            Assert.Equal("ruled-out", v!["outcome"]!.GetValue<string>());
            Assert.Contains(v["reason"]!.GetValue<string>(), filtered.Select(kv => kv.Key));
            Assert.False(string.IsNullOrWhiteSpace(v["detail"]!.GetValue<string>()));
        });
        Assert.Contains(verdicts, v => v!["reason"]!.GetValue<string>() == "insufficient-cpu" && v["detail"]!.GetValue<string>().Contains("512"));
    }

    [Fact]
    public async Task A_jobs_event_stream_numbers_its_events_resumes_after_the_last_one_seen_and_ends_for_good_once_the_job_has()
    {
        var jobId = await Http.PostJobOkAsync(ExampleNodeFixture.Example("job-docker-de.json"));
        var job = await Http.AwaitTerminalAsync(jobId);
        var states = job.HistoryStates().ToArray();

        // From the start: every state, numbered by its place in the history; the last one is final.
        var all = await EventsAsync(jobId, null);
        Assert.Equal(Enumerable.Range(0, states.Length).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), all.Select(e => e.Id));
        Assert.Equal(states, all.Select(e => e.Data["state"]!.GetValue<string>()));
        Assert.True(all[^1].Data["final"]!.GetValue<bool>());

        // A client that reconnects (an EventSource does, by itself) gets only what it has not seen.
        var rest = await EventsAsync(jobId, "1");
        Assert.Equal(states[2..], rest.Select(e => e.Data["state"]!.GetValue<string>()));

        // Having seen the final state, it is told there is nothing more: 204, which stops an EventSource reconnecting.
        using var done = await Follow(jobId, (states.Length - 1).ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(HttpStatusCode.NoContent, done.StatusCode);

        using var bad = await Follow(jobId, "yesterday");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("Last-Event-ID", await bad.Content.ReadAsStringAsync());
        using var unknown = await Follow("no-such-job-anywhere", null);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    private async Task<HttpResponseMessage> Follow(string jobId, string? lastEventId)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/orchestrator/jobs/{jobId}/events");
        if (lastEventId is not null) request.Headers.Add("Last-Event-ID", lastEventId);
        return await Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
    }

    private async Task<List<(string Id, JsonNode Data)>> EventsAsync(string jobId, string? lastEventId)
    {
        using var response = await Follow(jobId, lastEventId);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var events = new List<(string, JsonNode)>();
        await foreach (var item in System.Net.ServerSentEvents.SseParser.Create(await response.Content.ReadAsStreamAsync()).EnumerateAsync())
        {
            Assert.Equal("state", item.EventType);
            events.Add((item.EventId!, JsonNode.Parse(item.Data)!));
        }

        return events;
    }

    [Fact]
    public async Task Re_posting_with_the_same_job_id_returns_the_same_job_and_a_different_body_conflicts()
    {
        var id = "idem-" + Guid.NewGuid().ToString("N");
        var body = """{"jobId":"@ID@","requirements":{"resources":{"cpuCores":1,"ramMb":256,"diskGb":1}}}""".Replace("@ID@", id);

        using var first = await Http.PostJobAsync(body);
        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.True(JsonNode.Parse(await first.Content.ReadAsStringAsync())!["created"]!.GetValue<bool>());

        using var again = await Http.PostJobAsync(body);
        Assert.Equal(HttpStatusCode.Accepted, again.StatusCode);
        var repeat = JsonNode.Parse(await again.Content.ReadAsStringAsync())!;
        Assert.Equal(id, repeat["jobId"]!.GetValue<string>());
        Assert.False(repeat["created"]!.GetValue<bool>());

        var changed = body.Replace("\"cpuCores\":1", "\"cpuCores\":2");
        using var conflict = await Http.PostJobAsync(changed);
        Assert.Equal(HttpStatusCode.Conflict, conflict.StatusCode);
        Assert.Equal("application/problem+json", conflict.Content.Headers.ContentType!.MediaType);

        var job = await Http.AwaitTerminalAsync(id);
        Assert.Equal(1, job["description"]!["requirements"]!["resources"]!["cpuCores"]!.GetValue<int>());
        Assert.Single(job.HistoryStates(), s => s == "Posted");
    }

    [Fact]
    public async Task An_unknown_job_is_404_and_a_malformed_id_is_400()
    {
        using var missing = await Http.GetAsync("/orchestrator/jobs/no-such-job");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Contains("no-such-job", await missing.Content.ReadAsStringAsync());

        using var bad = await Http.GetAsync("/orchestrator/jobs/" + new string('x', 300));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("jobId", await bad.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Providers_show_capability_and_free_locked_and_contracted_resources()
    {
        var providers = await Http.GetProvidersAsync();
        Assert.Equal(10, providers.Count);
        var a100 = providers.Single(p => p!["capability"]!["id"]!.GetValue<string>() == "cp-berlin-a100")!;
        Assert.Equal(2, a100["capability"]!["resources"]!["gpus"]!.AsArray().Count);
        Assert.NotNull(a100["free"]!["cpuCores"]);
        Assert.NotNull(a100["locked"]);
        Assert.NotNull(a100["contracted"]);
    }
}
