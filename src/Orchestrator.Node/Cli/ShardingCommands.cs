using System.CommandLine;
using Orchestrator.Api;
using Spectre.Console;

namespace Orchestrator.Node.Cli;

/// <summary><c>orchestrator sharding regions | region-stats -r REGION | locate JOBID</c>.</summary>
public static class ShardingCommands
{
    /// <param name="underCluster">As <c>cluster sharding …</c> (Petabridge.Cmd's spelling), where <c>cluster</c> already carries the node options.</param>
    public static Command Create(bool underCluster = false)
    {
        var regions = new Command("regions", "the shard regions the node runs");
        Operator.SetAction(regions, async (client, json, _, ct) =>
        {
            var answer = await client.GetAsync("/ops/sharding/regions", ct);
            if (json) Output.Json(answer);
            else foreach (var region in NodeClient.Read<RegionsView>(answer).Regions) Output.Line(region);
            return 0;
        });

        var region = new Option<string>("--region", "-r") { Description = "the region (jobs are in 'job')", DefaultValueFactory = _ => "job" };
        var stats = new Command("region-stats", "per node: shards, entities, and which node hosts the coordinator") { region };
        Operator.SetAction(stats, async (client, json, parsed, ct) =>
        {
            var answer = await client.GetAsync($"/ops/sharding/regions/{Uri.EscapeDataString(parsed.GetValue(region)!)}", ct);
            if (json)
            {
                Output.Json(answer);
                return 0;
            }

            var view = NodeClient.Read<RegionStatsView>(answer);
            var table = Output.Table("NODE", "SHARDS", "ENTITIES", "COORDINATOR");
            foreach (var node in view.Nodes)
                table.AddRow(Markup.Escape(node.Address), node.Shards.ToString(), node.Entities.ToString(), node.HostsCoordinator ? "yes" : "");
            Output.Print(table);
            Output.Line($"region {view.Region}: {view.TotalShards} shard(s), {view.TotalEntities} entit(ies) on {view.Nodes.Count} node(s)" +
                        (view.Unreachable.Count > 0 ? $"; no answer from {string.Join(", ", view.Unreachable)}" : ""));
            return 0;
        });

        var jobId = new Argument<string>("job-id");
        var locate = new Command("locate", "which node hosts a job's actor, and its shard") { jobId };
        Operator.SetAction(locate, async (client, json, parsed, ct) =>
        {
            var answer = await client.GetAsync($"/ops/sharding/locate/{Uri.EscapeDataString(parsed.GetValue(jobId)!)}", ct);
            if (json) Output.Json(answer);
            else
            {
                var where = NodeClient.Read<JobLocationView>(answer);
                Output.Line($"job {where.JobId} ({where.State}) is on {where.Node}, shard {where.ShardId}");
            }

            return 0;
        });

        var sharding = new Command("sharding", "cluster sharding: where the jobs live");
        if (!underCluster) NodeClient.WithNodeOptions(sharding);
        sharding.Subcommands.Add(regions);
        sharding.Subcommands.Add(stats);
        sharding.Subcommands.Add(locate);
        return sharding;
    }
}
