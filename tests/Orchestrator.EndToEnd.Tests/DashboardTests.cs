using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Orchestrator.EndToEnd.Tests.Infrastructure;

namespace Orchestrator.EndToEnd.Tests;

/// <summary>The Grafana dashboard cannot silently rot: every metric it queries is one a running node exports.</summary>
public sealed partial class DashboardTests
{
    private const string Provider = """[{"id":"cp-dash","resources":{"cpuCores":4,"ramMb":8192,"diskGb":100},"executors":["docker"]}]""";

    [Fact]
    public async Task Every_metric_the_dashboard_queries_is_in_the_metrics_of_a_running_node()
    {
        var dashboard = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(Repository.Root, "deploy/grafana/dashboards/orchestrator.json")))!;
        var expressions = dashboard["panels"]!.AsArray().SelectMany(p => p!["targets"]!.AsArray()).Select(t => t!["expr"]!.GetValue<string>()).ToArray();
        var queried = expressions.SelectMany(e => MetricName().Matches(e).Select(m => m.Value)).Distinct().Order().ToArray();
        Assert.True(queried.Length >= 10, $"only {queried.Length} metrics found in the dashboard: {string.Join(", ", queried)}");
        Assert.Contains("orchestrator_cluster_members", queried);

        using var setup = NodeSetup.Create(Provider);
        await using var node = await NodeProcess.StartAsync(setup);
        // One job through every phase, so the histograms have their series; the counters start at zero.
        var job = await node.Http.PostJobOkAsync("""{"requirements":{"resources":{"cpuCores":1,"ramMb":256,"diskGb":1}}}""");
        Assert.Equal("Contracted", (await node.Http.AwaitTerminalAsync(job)).State());

        await Poll.UntilAsync(async () =>
        {
            var exported = (await node.Http.GetStringAsync("/metrics")).Split('\n')
                .Where(l => l.Length > 0 && !l.StartsWith('#')).Select(l => SeriesName().Match(l).Value).ToHashSet();
            var missing = queried.Where(q => !exported.Contains(q)).ToArray();
            Assert.True(missing.Length == 0, $"the dashboard queries metrics the node does not export: {string.Join(", ", missing)}");
        }, TimeSpan.FromSeconds(20));

        // And the cluster gauge says what the cluster is: one member, up and reachable.
        var metrics = await node.Http.GetStringAsync("/metrics");
        var members = metrics.Split('\n').Where(l => l.StartsWith("orchestrator_cluster_members{", StringComparison.Ordinal)).ToArray();
        var up = Assert.Single(members);
        Assert.Contains("status=\"up\"", up);
        Assert.Contains("reachable=\"yes\"", up);
        Assert.Equal("1", up[(up.IndexOf('}') + 1)..].Trim().Split(' ')[0]);
    }

    /// <summary>A metric a PromQL expression names (the functions and labels around it are not).</summary>
    [GeneratedRegex(@"\b(orchestrator|http_server)_[a-z_]+\b")]
    private static partial Regex MetricName();

    [GeneratedRegex(@"^[a-zA-Z_:][a-zA-Z0-9_:]*")]
    private static partial Regex SeriesName();
}
