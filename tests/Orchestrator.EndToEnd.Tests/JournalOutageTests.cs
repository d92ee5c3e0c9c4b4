using System.Collections.Concurrent;
using System.Net;
using Orchestrator.EndToEnd.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Orchestrator.EndToEnd.Tests;

/// <summary>The journal goes away under load and comes back: nothing accepted is lost, nothing is accepted that was not stored.</summary>
public class JournalOutageTests(ITestOutputHelper output)
{
    [Fact]
    public async Task While_PostgreSQL_is_down_posts_are_refused_with_503_reads_answer_and_afterwards_every_accepted_job_completes()
    {
        await using var postgres = await PrivatePostgres.StartAsync();
        using var setup = NodeSetup.Create("""
            [{"id":"cp-big","resources":{"cpuCores":4096,"ramMb":67108864,"diskGb":100000},"executors":["docker"],"pricePerHour":1.0},
             {"id":"cp-big-2","resources":{"cpuCores":4096,"ramMb":67108864,"diskGb":100000},"executors":["docker"],"pricePerHour":2.0,"lockOnBid":true}]
            """, "orchestrator { jobDeadline = 10m, terminalJobIdle = 5m }");
        setup.ExtraArguments.AddRange(["--postgres", postgres.ConnectionString]);
        await using var node = await NodeProcess.StartAsync(setup);

        const string job = """{"jobId":"@ID@","requirements":{"resources":{"cpuCores":1,"ramMb":256,"diskGb":1}}}""";
        var before = await node.Http.PostJobOkAsync(job.Replace("@ID@", "before-outage"));
        Assert.Equal("Contracted", (await node.Http.AwaitTerminalAsync(before)).State());

        // A post that cannot be stored is refused (503); one that is accepted is stored and must complete. A post
        // caught in the outage may also be accepted late, once the journal is back: late, never lost.
        var accepted = new ConcurrentBag<string>();
        var acceptedAt = new ConcurrentBag<DateTime>();
        var refusals = new ConcurrentBag<(TimeSpan Took, string? RetryAfter)>();
        var refused = 0;
        var next = 0;
        using var stop = new CancellationTokenSource();
        var load = Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var id = $"o-{Interlocked.Increment(ref next):D5}";
                var asked = System.Diagnostics.Stopwatch.StartNew();
                using var response = await node.Http.PostJobAsync(job.Replace("@ID@", id));
                if (response.StatusCode == HttpStatusCode.Accepted)
                {
                    accepted.Add(id);
                    acceptedAt.Add(DateTime.UtcNow);
                }
                else if (response.StatusCode == HttpStatusCode.ServiceUnavailable)
                {
                    Interlocked.Increment(ref refused);
                    refusals.Add((asked.Elapsed, response.Headers.RetryAfter?.Delta?.TotalSeconds.ToString()));
                    // As a well-behaved client does (not as long as it says: the test wants the moment it is back).
                    await Task.Delay(200);
                }
                else Assert.Fail($"post {id}: {(int)response.StatusCode}");
            }
        })).ToArray();

        while (accepted.Count < 50) await Task.Delay(20);
        await postgres.StopServerAsync();
        var outageStarted = DateTime.UtcNow;

        // The node keeps answering: it is alive, and a job it holds in memory can be read; it is not ready, and says why.
        using (var live = await node.Http.GetAsync("/healthz/live")) Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal("Contracted", (await node.Http.GetJobAsync(before)).State());
        using (var ready = await node.Http.GetAsync("/healthz/ready"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            Assert.Contains("the journal's database did not answer", await ready.Content.ReadAsStringAsync());
            Assert.Equal(TimeSpan.FromSeconds(2), ready.Headers.RetryAfter?.Delta);
        }

        var remaining = TimeSpan.FromSeconds(10) - (DateTime.UtcNow - outageStarted);
        if (remaining > TimeSpan.Zero) await Task.Delay(remaining);
        await postgres.StartServerAsync();
        var recoveredAt = DateTime.UtcNow;

        // Load goes on until the node takes posts again.
        var acceptedBefore = accepted.Count;
        while (accepted.Count < acceptedBefore + 20 && DateTime.UtcNow - recoveredAt < TimeSpan.FromMinutes(3)) await Task.Delay(100);
        await stop.CancelAsync();
        await Task.WhenAll(load);

        var firstAfter = acceptedAt.Where(t => t > recoveredAt).DefaultIfEmpty(DateTime.MaxValue).Min();
        var slowestRefusal = refusals.Select(r => r.Took).DefaultIfEmpty().Max();
        var summary = $"{accepted.Count} accepted, {refused} refused with 503 (slowest refusal {slowestRefusal.TotalSeconds:0.0} s); " +
                      $"first post accepted {(firstAfter - recoveredAt).TotalSeconds:0.0} s after the journal came back";
        output.WriteLine(summary);
        Console.WriteLine("[journal outage test] " + summary);
        Assert.True(refused > 0, "no post was refused while the journal was down");
        Assert.True(firstAfter < DateTime.MaxValue, "no post was accepted after the journal came back");
        // Every refusal says when to try again, and none kept its client waiting longer than the API's own bound.
        Assert.All(refusals, r => Assert.Equal("2", r.RetryAfter));
        Assert.All(refusals, r => Assert.True(r.Took < TimeSpan.FromSeconds(20), $"a refusal took {r.Took.TotalSeconds:0.0} s"));

        // The readiness said why while it lasted; it is ready again now.
        using (var ready = await node.Http.GetAsync("/healthz/ready")) Assert.Equal(HttpStatusCode.OK, ready.StatusCode);

        foreach (var id in accepted)
            Assert.Equal("Contracted", (await node.Http.AwaitTerminalAsync(id, TimeSpan.FromMinutes(3))).State());
    }
}
