using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace Orchestrator.EndToEnd.Tests.Infrastructure;

/// <summary>The HTTP API as a user's client sees it: raw JSON in and out.</summary>
public static class OrchestratorClient
{
    public static readonly string[] TerminalStates = ["Contracted", "Failed"];

    public static Task<HttpResponseMessage> PostJobAsync(this HttpClient http, string json, string contentType = "application/json") =>
        http.PostAsync("/orchestrator/postJob", new StringContent(json, Encoding.UTF8, contentType));

    public static async Task<string> PostJobOkAsync(this HttpClient http, string json)
    {
        using var response = await http.PostJobAsync(json);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"expected 202, got {(int)response.StatusCode}: {body}");
        return JsonNode.Parse(body)!["jobId"]!.GetValue<string>();
    }

    public static async Task<JsonObject> GetJobAsync(this HttpClient http, string jobId)
    {
        using var response = await http.GetAsync($"/orchestrator/jobs/{Uri.EscapeDataString(jobId)}");
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET job {jobId}: {(int)response.StatusCode} {body}");
        return JsonNode.Parse(body)!.AsObject();
    }

    /// <summary>
    /// Polls the job until it is terminal (the condition), failing after the timeout with its last state. A 503
    /// ("could not answer in time", e.g. while the job's shard recovers after an outage) is what a client retries.
    /// </summary>
    public static async Task<JsonObject> AwaitTerminalAsync(this HttpClient http, string jobId, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        string last = "no answer";
        do
        {
            using var response = await http.GetAsync($"/orchestrator/jobs/{Uri.EscapeDataString(jobId)}");
            last = await response.Content.ReadAsStringAsync();
            if (response.StatusCode == HttpStatusCode.OK)
            {
                var job = JsonNode.Parse(last)!.AsObject();
                // "final": the job's life ended (a reservation at Contracted; a job that runs a program once its run ends).
                if (job["final"]?.GetValue<bool>() ?? TerminalStates.Contains(job["state"]!.GetValue<string>())) return job;
            }
            else Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable, $"GET job {jobId}: {(int)response.StatusCode} {last}");

            await Task.Delay(50);
        } while (DateTime.UtcNow < deadline);

        throw new TimeoutException($"job {jobId} not terminal after {timeout}: {last}");
    }

    /// <summary>
    /// Every job terminal, read eight at a time over the given nodes (thousands of jobs, each maybe recovered from the
    /// journal to answer: one at a time that is minutes). In the order of <paramref name="jobIds"/>.
    /// </summary>
    public static async Task<List<JsonObject>> AwaitAllTerminalAsync(IReadOnlyList<HttpClient> nodes, IEnumerable<string> jobIds, TimeSpan timeout)
    {
        var ids = jobIds.ToArray();
        var jobs = new JsonObject[ids.Length];
        await Parallel.ForEachAsync(Enumerable.Range(0, ids.Length), new ParallelOptions { MaxDegreeOfParallelism = 8 },
            async (i, _) => jobs[i] = await nodes[i % nodes.Count].AwaitTerminalAsync(ids[i], timeout));
        return [.. jobs];
    }

    public static async Task<JsonArray> GetProvidersAsync(this HttpClient http)
    {
        var body = await http.GetStringAsync("/orchestrator/providers");
        return JsonNode.Parse(body)!.AsArray();
    }

    /// <summary>The same job JSON with a deadline, for jobs expected to wait for capacity that never comes.</summary>
    public static string WithDeadline(string json, int seconds)
    {
        var job = JsonNode.Parse(json)!.AsObject();
        job["deadlineSeconds"] = seconds;
        return job.ToJsonString();
    }

    /// <summary>A job as stored, without where it happens to be hosted at the moment.</summary>
    public static string Stable(this JsonObject job)
    {
        var copy = job.DeepClone().AsObject();
        copy.Remove("hostedBy");
        return copy.ToJsonString();
    }

    /// <summary>Provider ledgers, without the moment they were read, in a stable order.</summary>
    public static string[] Ledgers(this JsonArray providers) => providers.Select(p =>
    {
        var copy = p!.DeepClone().AsObject();
        copy.Remove("asOf");
        // Which contracts await their job's confirmation is a moment in a conversation, not the ledger: after a
        // restart a provider asks about every contract again.
        copy.Remove("unconfirmed");
        return copy.ToJsonString();
    }).Order().ToArray();

    public static string State(this JsonObject job) => job["state"]!.GetValue<string>();

    public static IEnumerable<string> HistoryStates(this JsonObject job) =>
        job["history"]!.AsArray().Select(h => h!["state"]!.GetValue<string>());
}
