using System.Net;
using System.Text.Json.Nodes;
using Orchestrator.Api;
using Orchestrator.EndToEnd.Tests.Infrastructure;

namespace Orchestrator.EndToEnd.Tests;

/// <summary>
/// Whether a post was taken, as the node and the CLI tell it: a member still joining refuses before writing (not
/// taken, saying it is joining); the CLI gives a job its id before posting and re-posts the same job while it cannot
/// know the outcome.
/// </summary>
public class PostOutcomeTests
{
    private const string Job = """{"requirements":{"resources":{"cpuCores":1,"ramMb":256,"diskGb":1}}}""";

    [Fact]
    public async Task A_member_that_is_joining_refuses_posts_as_not_taken_and_says_it_is_joining()
    {
        await using var database = await PostgresDatabase.CreateAsync();
        using var setup = NodeSetup.Create();
        // Its only seed never answers: the node runs, but stays outside any cluster, joining.
        setup.ExtraArguments.AddRange(["--remote-port", NodeProcess.FreePort().ToString(), "--seeds", $"akka.tcp://orchestrator@127.0.0.1:{NodeProcess.FreePort()}",
            "--postgres", database.ConnectionString]);
        await using var node = await NodeProcess.LaunchAsync(setup);

        using var response = await node.Http.PostJobAsync("""{"jobId":"joining-1","requirements":{"resources":{"cpuCores":1,"ramMb":256,"diskGb":1}}}""");
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(ProblemTypes.PostNotTaken, problem["type"]!.GetValue<string>());
        Assert.Equal("joining-1", problem["jobId"]!.GetValue<string>());
        Assert.Contains("joining the cluster", problem["detail"]!.GetValue<string>());
        Assert.DoesNotContain("leaving", problem["detail"]!.GetValue<string>());
        Assert.NotNull(response.Headers.RetryAfter);
    }

    [Fact]
    public async Task Jobs_post_gives_a_description_without_an_id_one_before_posting()
    {
        using var setup = NodeSetup.Create();
        await using var node = await NodeProcess.StartAsync(setup);
        var file = Path.Combine(setup.DataDirectory, "job.json");
        await File.WriteAllTextAsync(file, Job);

        var (exit, output, errors) = await Cli.OperateAsync(node, "jobs", "post", file, "--json");

        Assert.True(exit == 0, errors);
        var answer = JsonNode.Parse(output)!;
        var id = answer["jobId"]!.GetValue<string>();
        Assert.StartsWith("job-", id);
        Assert.True(answer["created"]!.GetValue<bool>());
        Assert.Equal(id, (await node.Http.GetJobAsync(id))["jobId"]!.GetValue<string>());
    }

    [Fact]
    public async Task Jobs_post_re_posts_the_same_job_while_the_node_cannot_answer_and_then_names_the_job_to_look_for()
    {
        var folder = Directory.CreateTempSubdirectory("orchestrator-e2e-").FullName;
        try
        {
            var file = Path.Combine(folder, "job.json");
            await File.WriteAllTextAsync(file, """{"jobId":"retry-1","requirements":{"resources":{"cpuCores":1,"ramMb":256,"diskGb":1}}}""");
            var nowhere = $"http://127.0.0.1:{NodeProcess.FreePort()}";

            var (exit, _, errors) = await Cli.RunAsync(folder, "jobs", "post", file, "--retry-for", "5s", "--node", nowhere);

            Assert.Equal(3, exit);
            // Posted again (same id) at least once, then given up, naming the job that may exist.
            Assert.Contains("posting job retry-1 again", errors);
            Assert.Contains("job retry-1 may have been taken", errors);

            var (once, _, onceErrors) = await Cli.RunAsync(folder, "jobs", "post", file, "--retry-for", "0", "--node", nowhere);
            Assert.Equal(3, once);
            Assert.DoesNotContain("again in", onceErrors);

            var (bad, _, badErrors) = await Cli.RunAsync(folder, "jobs", "post", file, "--retry-for", "soon", "--node", nowhere);
            Assert.Equal(2, bad);
            Assert.Contains("--retry-for", badErrors);
        }
        finally
        {
            Directory.Delete(folder, true);
        }
    }
}
