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
        var refused = 0;
        var next = 0;
        using var stop = new CancellationTokenSource();
        var load = Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var id = $"o-{Interlocked.Increment(ref next):D5}";
                using var response = await node.Http.PostJobAsync(job.Replace("@ID@", id));
                if (response.StatusCode == HttpStatusCode.Accepted) accepted.Add(id);
                else if (response.StatusCode == HttpStatusCode.ServiceUnavailable) Interlocked.Increment(ref refused);
                else Assert.Fail($"post {id}: {(int)response.StatusCode}");
            }
        })).ToArray();

        while (accepted.Count < 50) await Task.Delay(20);
        await postgres.StopServerAsync();
        var outageStarted = DateTime.UtcNow;

        // The node keeps answering: it is alive, and a job it holds in memory can be read.
        using (var live = await node.Http.GetAsync("/healthz/live")) Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal("Contracted", (await node.Http.GetJobAsync(before)).State());

        var remaining = TimeSpan.FromSeconds(10) - (DateTime.UtcNow - outageStarted);
        if (remaining > TimeSpan.Zero) await Task.Delay(remaining);
        await postgres.StartServerAsync();
        var recoveredAt = DateTime.UtcNow;

        // Load goes on until the node takes posts again.
        var acceptedBefore = accepted.Count;
        while (accepted.Count < acceptedBefore + 20 && DateTime.UtcNow - recoveredAt < TimeSpan.FromMinutes(3)) await Task.Delay(100);
        await stop.CancelAsync();
        await Task.WhenAll(load);

        var summary = $"{accepted.Count} accepted, {refused} refused with 503; " +
                      $"posts accepted again {(DateTime.UtcNow - recoveredAt).TotalSeconds:0.0} s after the journal came back";
        output.WriteLine(summary);
        Console.WriteLine("[journal outage test] " + summary);
        Assert.True(refused > 0, "no post was refused while the journal was down");

        foreach (var id in accepted)
            Assert.Equal("Contracted", (await node.Http.AwaitTerminalAsync(id, TimeSpan.FromMinutes(3))).State());
    }
}
