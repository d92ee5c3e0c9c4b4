using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Orchestrator.EndToEnd.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Orchestrator.EndToEnd.Tests;

/// <summary>
/// examples/Dms.Host, the embedding example, run as a user would run it: two instances of a DMS with its own actor
/// system name and roles, the orchestrator embedded by one call, form one cluster on PostgreSQL.
/// </summary>
public sealed class ExampleHostTests(ITestOutputHelper output)
{
    private const string Providers = """
        [{"id":"cp-only-b","resources":{"cpuCores":64,"ramMb":131072,"diskGb":1000},"executors":["docker"],"pricePerHour":1.0}]
        """;

    [Fact]
    public async Task Two_example_hosts_form_one_cluster_a_job_posted_to_the_first_contracts_the_second_s_provider_and_the_host_s_actor_sees_every_state()
    {
        await using var database = await PostgresDatabase.CreateAsync();
        var ports = new[] { NodeProcess.FreePort(), NodeProcess.FreePort() };
        var seed = $"akka.tcp://my-dms@127.0.0.1:{ports[0]}";
        using var first = Host(0, ports[0], seed, database, roles: ["dms", "jobs"]);
        using var second = Host(1, ports[1], seed, database, roles: ["dms", "jobs", "providers"]);
        File.WriteAllText(Path.Combine(second.DataDirectory, "providers.json"), Providers);
        second.ExtraArguments.AddRange(["--Dms:ProvidersFile", Path.Combine(second.DataDirectory, "providers.json")]);

        await using var a = await NodeProcess.StartAsync(first);
        await using var b = await NodeProcess.StartAsync(second);
        try
        {
            // Over HTTP, the orchestrator's API mounted in the DMS's own app.
            var id = await a.Http.PostJobOkAsync("""{"jobId":"over-http","requirements":{"resources":{"cpuCores":4,"ramMb":4096,"diskGb":10}}}""");
            var job = await a.Http.AwaitTerminalAsync(id, TimeSpan.FromMinutes(1));
            Assert.True(job.State() == "Contracted", job.ToJsonString());
            Assert.Equal("cp-only-b", job["contract"]!["providerId"]!.GetValue<string>());

            // By message, from the DMS's own actor on the first host, which is told every state.
            using var submitted = await a.Http.PostAsJsonAsync("/dms/jobs", JsonNode.Parse("""{"jobId":"by-message","requirements":{"resources":{"cpuCores":2,"ramMb":2048,"diskGb":5}}}"""));
            Assert.Equal(System.Net.HttpStatusCode.Accepted, submitted.StatusCode);
            JsonNode seen = null!;
            await Poll.UntilAsync(async () =>
            {
                seen = JsonNode.Parse(await a.Http.GetStringAsync("/dms/jobs/by-message/seen"))!;
                Assert.Contains(seen["states"]!.AsArray().Select(s => s!.GetValue<string>()).LastOrDefault(), OrchestratorClient.TerminalStates);
            }, TimeSpan.FromMinutes(1));
            Assert.Equal(["Posted", "Searching", "Matched", "Requested", "Contracted"], seen["states"]!.AsArray().Select(s => s!.GetValue<string>()));
            Assert.Equal("cp-only-b", seen["providerId"]!.GetValue<string>());

            // One cluster of the DMS's own actor system, with its own roles.
            var members = JsonNode.Parse(await b.Http.GetStringAsync("/ops/cluster"))!["members"]!.AsArray();
            Assert.Equal(2, members.Count(m => m!["status"]!.GetValue<string>() == "Up"));
            Assert.All(members, m => Assert.StartsWith("akka.tcp://my-dms@", m!["address"]!.GetValue<string>()));
        }
        catch
        {
            output.WriteLine("first host:\n" + a.Output + "\nsecond host:\n" + b.Output);
            throw;
        }
    }

    private static NodeSetup Host(int index, int port, string seed, PostgresDatabase database, string[] roles)
    {
        var setup = NodeSetup.ForProgram("examples/Dms.Host");
        setup.ExtraArguments.AddRange([
            "--Dms:ActorSystem", "my-dms", "--Dms:RemotePort", port.ToString(), "--Dms:Seeds:0", seed,
            "--Orchestrator:NodeId", $"dms-{index}",
            "--Orchestrator:Persistence:Provider", "postgres", "--Orchestrator:Persistence:PostgresConnectionString", database.ConnectionString,
        ]);
        for (var i = 0; i < roles.Length; i++) setup.ExtraArguments.AddRange([$"--Dms:Roles:{i}", roles[i]]);
        return setup;
    }
}
