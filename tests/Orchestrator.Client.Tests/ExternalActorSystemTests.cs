using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Sharding;
using Akka.Configuration;
using Orchestrator.EndToEnd.Tests.Infrastructure;
using Orchestrator.Protocol.Messages;
using Orchestrator.Protocol.Model;
using Xunit.Abstractions;

namespace Orchestrator.Client.Tests;

/// <summary>The job proxy's extractor: the same hashing and shard count as the nodes (see JobSharding).</summary>
public sealed class JobProxyExtractor() : HashCodeMessageExtractor(JobSharding.MaxShards)
{
    public override string? EntityId(object message) => (message as IJobMessage)?.JobId;
}

/// <summary>
/// An actor system that is not an orchestrator node joins the cluster with a client role, starts a shard-region
/// proxy for jobs, posts a job and follows it to Contracted — with nothing but the protocol assembly.
/// </summary>
public class ExternalActorSystemTests(ITestOutputHelper output)
    : Akka.TestKit.Xunit2.TestKit(ClientConfig(), JobSharding.ActorSystemName, output)
{
    private static int _nodePort;

    private static Config ClientConfig()
    {
        _nodePort = NodeProcess.FreePort();
        return ConfigurationFactory.ParseString($$"""
            akka {
              actor {
                provider = cluster
                serializers.hyperion = "Akka.Serialization.HyperionSerializer, Akka.Serialization.Hyperion"
                serialization-bindings { "Orchestrator.Protocol.Messages.IOrchestratorMessage, Orchestrator.Protocol" = hyperion }
              }
              remote.dot-netty.tcp { hostname = "127.0.0.1", port = 0 }
              cluster {
                seed-nodes = ["akka.tcp://orchestrator@127.0.0.1:{{_nodePort}}"]
                roles = [client]
              }
              test.single-expect-default = 20s
            }
            """);
    }

    [Fact]
    public async Task A_client_system_posts_a_job_and_follows_it_to_contracted()
    {
        using var setup = NodeSetup.Create("""
            [{"id":"cp-1","resources":{"cpuCores":8,"ramMb":16384,"diskGb":100},"executors":["docker"],"pricePerHour":1.0}]
            """);
        setup.ExtraArguments.AddRange(["--remote-port", _nodePort.ToString(), "--seeds", $"akka.tcp://orchestrator@127.0.0.1:{_nodePort}"]);
        await using var node = await NodeProcess.StartAsync(setup);
        try
        {
            await PostAndFollowAsync();
        }
        catch
        {
            Output?.WriteLine("node output:\n" + node.Output);
            throw;
        }
    }

    private async Task PostAndFollowAsync()
    {

        AwaitCondition(() => Cluster.Get(Sys).State.Members.Count(m => m.Status == MemberStatus.Up) == 2, TimeSpan.FromSeconds(60));
        var jobs = await ClusterSharding.Get(Sys).StartProxyAsync(JobSharding.TypeName, JobSharding.Role, new JobProxyExtractor());

        var description = new JobDescription
        {
            Requirements = new JobRequirements
            {
                Resources = new ResourceRequirements { CpuCores = 2, RamMb = 1024, DiskGb = 10 },
                Executors = [ExecutorType.Docker],
            },
        };
        var accepted = await jobs.Ask<JobAccepted>(new PostJob("client-job-1", description, "client-system"), TimeSpan.FromSeconds(30));
        Assert.True(accepted.Created);

        jobs.Tell(new SubscribeToJob("client-job-1", TestActor));
        var states = new List<JobState>();
        JobStateChanged change;
        do
        {
            change = ExpectMsg<JobStateChanged>();
            states.Add(change.State);
        } while (change.State is not (JobState.Contracted or JobState.Failed));

        Assert.Equal(JobState.Contracted, change.State);
        Assert.Equal("cp-1", change.Contract!.ProviderId);
        Assert.Equal("client-job-1", change.Contract.JobId);

        var status = await jobs.Ask<JobStatus>(new GetJob("client-job-1"), TimeSpan.FromSeconds(30));
        Assert.Equal(["Posted", "Searching", "Matched", "Requested", "Contracted"], status.History.Select(h => h.State.ToString()));
    }
}
