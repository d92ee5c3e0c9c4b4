using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Orchestrator.EndToEnd.Tests.Infrastructure;

namespace Orchestrator.EndToEnd.Tests;

/// <summary>The operator's job commands, metrics and readiness, with the real CLI against a real node.</summary>
public sealed class OperatorJobTests
{
    private const string SmallProvider = """[{"id":"cp-small","resources":{"cpuCores":4,"ramMb":8192,"diskGb":100},"executors":["docker"]}]""";
    private const string Quick = """{"requirements":{"resources":{"cpuCores":1,"ramMb":256,"diskGb":1}}}""";

    [Fact]
    public async Task Jobs_watch_prints_each_state_as_it_happens_and_jobs_list_tells_the_truth_after_a_restart()
    {
        using var setup = NodeSetup.Create(SmallProvider, "orchestrator { jobDeadline = 3m, searchRetryMaxBackoff = 2s }");
        await using var node = await NodeProcess.StartAsync(setup);

        // Too big for the one provider: the job searches, and waits to search again.
        var waiting = await node.Http.PostJobOkAsync("""{"requirements":{"resources":{"cpuCores":8,"ramMb":1024,"diskGb":1}}}""");
        using var watch = Cli.Start(node, "jobs", "watch", waiting);
        await Poll.UntilAsync(() => Task.Run(() => Assert.Contains("Searching", watch.Output)), TimeSpan.FromSeconds(30));
        Assert.DoesNotContain("Contracted", watch.Output);

        // A provider that fits arrives: the job's next search finds it, and the watch sees the rest as it happens.
        using (var onboard = await node.Http.PostAsync("/orchestrator/providers", new StringContent(
                   """{"id":"cp-large","resources":{"cpuCores":16,"ramMb":16384,"diskGb":100},"executors":["docker"]}""", System.Text.Encoding.UTF8, "application/json")))
            Assert.Equal(HttpStatusCode.Created, onboard.StatusCode);
        var watched = await watch.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.True(watched.ExitCode == 0, watched.Output + watched.Errors);
        // "10:01:02.345  +   1422 ms  Matched     shortlisted …": the state of each line, in order.
        var states = System.Text.RegularExpressions.Regex.Matches(watched.Output, @"^\S+\s+\+\s*\d+ ms\s+(\w+)", System.Text.RegularExpressions.RegexOptions.Multiline)
            .Select(m => m.Groups[1].Value).Distinct().ToArray();
        Assert.Equal(["Posted", "Searching", "Matched", "Requested", "Contracted"], states);

        var contracted = new List<string> { waiting };
        for (var i = 0; i < 2; i++) contracted.Add(await node.Http.PostJobOkAsync(Quick));
        var cancelled = await node.Http.PostJobOkAsync("""{"requirements":{"resources":{"cpuCores":64,"ramMb":256,"diskGb":1}}}""");
        var cancel = await Cli.OperateAsync(node, "jobs", "cancel", cancelled);
        Assert.True(cancel.ExitCode == 0, cancel.Errors);
        Assert.Contains("Failed", cancel.Output);
        Assert.Equal("cancelled", (await node.Http.GetJobAsync(cancelled))["failure"]!["reason"]!.GetValue<string>());
        foreach (var id in contracted) Assert.Equal("Contracted", (await node.Http.AwaitTerminalAsync(id)).State());

        await node.StopAsync();
        await using var restarted = await NodeProcess.StartAsync(setup);
        await Poll.UntilAsync(async () =>
        {
            var list = await Json(restarted, "jobs", "list", "--state", "Contracted");
            Assert.Equal(contracted.Order(), list["jobs"]!.AsArray().Select(j => j!["jobId"]!.GetValue<string>()).Order());
            Assert.Equal(3, list["total"]!.GetValue<int>());
        }, TimeSpan.FromSeconds(30));
        var failed = await Json(restarted, "jobs", "list", "--state", "Failed");
        Assert.Equal(cancelled, Assert.Single(failed["jobs"]!.AsArray())!["jobId"]!.GetValue<string>());
        Assert.Equal("cancelled", failed["jobs"]![0]!["failureReason"]!.GetValue<string>());

        var human = await Cli.OperateAsync(restarted, "jobs", "list");
        Assert.Contains("4 of 4 job(s)", human.Output);
        // Found by any part of its id, whatever the case.
        var found = await Json(restarted, "jobs", "list", "--search", cancelled[^8..].ToUpperInvariant());
        Assert.Equal(cancelled, Assert.Single(found["jobs"]!.AsArray())!["jobId"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_listing_keeps_the_latest_finished_jobs_and_the_older_ones_are_still_read_by_id()
    {
        using var setup = NodeSetup.Create(SmallProvider, "orchestrator.listedFinishedJobs = 2");
        await using var node = await NodeProcess.StartAsync(setup);
        var jobs = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            jobs.Add(await node.Http.PostJobOkAsync(Quick));
            Assert.Equal("Contracted", (await node.Http.AwaitTerminalAsync(jobs[^1])).State());
        }

        async Task AssertBoundedAsync(NodeProcess n)
        {
            await Poll.UntilAsync(async () =>
            {
                var list = await Json(n, "jobs", "list");
                Assert.Equal(jobs[2..].Order(), list["jobs"]!.AsArray().Select(j => j!["jobId"]!.GetValue<string>()).Order());
                Assert.Equal((2, 2L), (list["total"]!.GetValue<int>(), list["notListed"]!.GetValue<long>()));
            }, TimeSpan.FromSeconds(30));
            // Dropped from the listing, not from the journal.
            foreach (var id in jobs[..2]) Assert.Equal("Contracted", (await n.Http.GetJobAsync(id)).State());
            var human = await Cli.OperateAsync(n, "jobs", "list");
            Assert.Contains("2 of 2 job(s); 2 older finished job(s) no longer listed", human.Output);
        }

        await AssertBoundedAsync(node);
        // After a restart the listing is rebuilt from the journal, within the same bound.
        await node.StopAsync();
        await using var restarted = await NodeProcess.StartAsync(setup);
        await AssertBoundedAsync(restarted);
    }

    [Fact]
    public async Task Metrics_count_what_jobs_do_and_the_cli_exit_codes_say_what_happened()
    {
        using var setup = NodeSetup.Create(SmallProvider);
        await using var node = await NodeProcess.StartAsync(setup);
        var before = await Metrics(node);

        var file = Path.Combine(setup.DataDirectory, "job.json");
        await File.WriteAllTextAsync(file, Quick.Replace("{\"requirements\"", "{\"jobId\":\"posted-by-cli\",\"requirements\""));
        var posted = await Cli.OperateAsync(node, "jobs", "post", file, "--wait");
        Assert.True(posted.ExitCode == 0, posted.Output + posted.Errors);
        Assert.Contains("Contracted", posted.Output);
        const string id = "posted-by-cli";
        Assert.Equal("Contracted", (await node.Http.AwaitTerminalAsync(id)).State());
        var job = await Cli.OperateAsync(node, "jobs", "show", id);
        Assert.True(job.ExitCode == 0, job.Errors);
        Assert.Contains("Contracted", job.Output);

        await Poll.UntilAsync(async () =>
        {
            var after = await Metrics(node);
            Assert.Equal(Value(before, "orchestrator_jobs_posted_total") + 1, Value(after, "orchestrator_jobs_posted_total"));
            Assert.Equal(Value(before, "orchestrator_jobs_contracted_total") + 1, Value(after, "orchestrator_jobs_contracted_total"));
            Assert.True(Value(after, "orchestrator_job_phase_duration_seconds_count{otel_scope_name=\"Orchestrator\",phase=\"total\"}") >= 1);
            Assert.True(Value(after, "orchestrator_journal_write_duration_seconds_count") >= 1);
            Assert.True(Value(after, "orchestrator_provider_utilization{otel_scope_name=\"Orchestrator\",provider=\"cp-small\",resource=\"cpu\"}") > 0);
        }, TimeSpan.FromSeconds(15));

        var impossible = await node.Http.PostJobOkAsync(OrchestratorClient.WithDeadline("""{"requirements":{"resources":{"cpuCores":64,"ramMb":256,"diskGb":1}}}""", 2));
        Assert.Equal("Failed", (await node.Http.AwaitTerminalAsync(impossible)).State());
        await Poll.UntilAsync(async () =>
            Assert.True(Value(await Metrics(node), "orchestrator_jobs_failed_total{otel_scope_name=\"Orchestrator\",reason=\"no-eligible-provider\"}") >= 1),
            TimeSpan.FromSeconds(15));

        Assert.Equal(1, (await Cli.OperateAsync(node, "jobs", "show", "no-such-job")).ExitCode);
        Assert.Equal(1, (await Cli.OperateAsync(node, "jobs", "cancel", id)).ExitCode);
        var unreachable = await Cli.RunAsync(Path.GetTempPath(), "cluster", "show", "--node", $"http://127.0.0.1:{NodeProcess.FreePort()}");
        Assert.Equal(3, unreachable.ExitCode);
        Assert.Contains("cannot reach the node", unreachable.Errors);
        Assert.Equal(2, (await Cli.RunAsync(Path.GetTempPath(), "jobs", "list", "--since", "yesterday-ish", "--node", node.BaseAddress.ToString())).ExitCode);
    }

    [Fact]
    public async Task Ready_is_unhealthy_until_the_node_joins_its_cluster_and_while_its_journal_is_down()
    {
        await using var postgres = await PrivatePostgres.StartAsync();
        using var lonely = NodeSetup.Create(SmallProvider);
        // Its only seed is a port nobody listens on: it never joins.
        lonely.ExtraArguments.AddRange(["--remote-port", NodeProcess.FreePort().ToString(), "--seeds", $"akka.tcp://orchestrator@127.0.0.1:{NodeProcess.FreePort()}",
            "--postgres", postgres.ConnectionString]);
        await using (var node = await NodeProcess.LaunchAsync(lonely))
        {
            using var ready = await node.Http.GetAsync("/healthz/ready");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            Assert.Contains("\"member\"", await ready.Content.ReadAsStringAsync());
        }

        using var setup = NodeSetup.Create(SmallProvider);
        setup.ExtraArguments.AddRange(["--postgres", postgres.ConnectionString]);
        await using var joined = await NodeProcess.StartAsync(setup);
        await postgres.StopServerAsync();
        using (var down = await joined.Http.GetAsync("/healthz/ready"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, down.StatusCode);
            Assert.Contains("journal", await down.Content.ReadAsStringAsync());
        }

        using (var live = await joined.Http.GetAsync("/healthz/live")) Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        await postgres.StartServerAsync();
        await Poll.UntilAsync(async () =>
        {
            using var back = await joined.Http.GetAsync("/healthz/ready");
            Assert.Equal(HttpStatusCode.OK, back.StatusCode);
        }, TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task Every_counter_is_exported_at_zero_before_the_first_event()
    {
        using var setup = NodeSetup.Create(SmallProvider);
        await using var node = await NodeProcess.StartAsync(setup);
        var metrics = await Metrics(node);
        foreach (var series in new[]
                 {
                     "orchestrator_jobs_posted_total", "orchestrator_jobs_contracted_total",
                     "orchestrator_jobs_failed_total{otel_scope_name=\"Orchestrator\",reason=\"no-eligible-provider\"}",
                     "orchestrator_jobs_failed_total{otel_scope_name=\"Orchestrator\",reason=\"verification-failed\"}",
                     "orchestrator_timeouts_total{otel_scope_name=\"Orchestrator\",phase=\"bid\"}",
                 })
        {
            var name = series.Contains('{') ? series : series + "{otel_scope_name=\"Orchestrator\"}";
            Assert.True(metrics.Split('\n').Any(l => l.StartsWith(name + " 0", StringComparison.Ordinal)), $"{name} is not exported at 0:\n{metrics}");
        }
    }

    private static async Task<string> Metrics(NodeProcess node) => await node.Http.GetStringAsync("/metrics");

    /// <summary>The value of one series in Prometheus text: by its name alone (no labels but the scope) or its full spelling.</summary>
    private static double Value(string metrics, string series)
    {
        var name = series.Contains('{') ? series : series + "{otel_scope_name=\"Orchestrator\"}";
        var line = metrics.Split('\n').FirstOrDefault(l => l.StartsWith(name + " ", StringComparison.Ordinal));
        return line is null ? 0 : double.Parse(line[(name.Length + 1)..].Split(' ')[0], CultureInfo.InvariantCulture);
    }

    private static async Task<JsonObject> Json(NodeProcess node, params string[] command)
    {
        var run = await Cli.OperateAsync(node, [.. command, "--json"]);
        Assert.True(run.ExitCode == 0, $"{string.Join(' ', command)}: exit {run.ExitCode}: {run.Errors}");
        return JsonNode.Parse(run.Output)!.AsObject();
    }
}
