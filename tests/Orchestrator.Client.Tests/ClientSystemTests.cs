using System.Threading.Channels;
using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Hosting;
using Akka.Hosting;
using Akka.Remote.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orchestrator.Protocol.Messages;
using Orchestrator.Protocol.Model;
using Xunit.Abstractions;

namespace Orchestrator.Client.Tests;

/// <summary>
/// Another actor system posts a job and follows it to Contracted with one call of set-up
/// (<c>WithOrchestratorClient</c>): as a member of the orchestrator's cluster with a role of its own, and from
/// outside it through the cluster-client receptionists, without joining.
/// </summary>
public sealed class ClientSystemTests(ClientNodeFixture fixture, ITestOutputHelper output) : IClassFixture<ClientNodeFixture>
{
    [Fact]
    public async Task A_system_that_does_not_join_the_cluster_posts_a_job_and_follows_it_to_contracted()
    {
        using var host = await StartClientAsync("outside-dms", akka => akka
            .WithRemoting(new RemoteOptions { HostName = "127.0.0.1", Port = 0 })
            .WithOrchestratorClient(new OrchestratorClientOptions { Receptionists = [fixture.Address] }));
        var system = host.Services.GetRequiredService<ActorSystem>();
        Assert.DoesNotContain("Cluster", system.Settings.ProviderClass);

        await PostAndFollowAsync(host, "outside-job-1");

        // It never became a member.
        var members = await fixture.Node.Http.GetStringAsync("/ops/cluster");
        Assert.DoesNotContain("outside-dms", members);
    }

    [Fact]
    public async Task A_system_that_joins_with_a_client_role_posts_a_job_and_follows_it_to_contracted()
    {
        using var host = await StartClientAsync("orchestrator", akka => akka
            .WithRemoting(new RemoteOptions { HostName = "127.0.0.1", Port = 0 })
            .WithClustering(new ClusterOptions { Roles = ["client"], SeedNodes = [fixture.Address] })
            .WithOrchestratorClient(new OrchestratorClientOptions()));
        var system = host.Services.GetRequiredService<ActorSystem>();
        var up = new TaskCompletionSource();
        Cluster.Get(system).RegisterOnMemberUp(() => up.TrySetResult());
        await up.Task.WaitAsync(TimeSpan.FromSeconds(60));

        await PostAndFollowAsync(host, "member-job-1");
        Assert.Contains("client", await fixture.Node.Http.GetStringAsync("/ops/cluster"));
    }

    [Fact]
    public async Task A_system_that_does_not_join_runs_a_program_and_reads_what_it_printed_and_kept()
    {
        using var host = await StartClientAsync("outside-runner", akka => akka
            .WithRemoting(new RemoteOptions { HostName = "127.0.0.1", Port = 0 })
            .WithOrchestratorClient(new OrchestratorClientOptions { Receptionists = [fixture.Address] }));
        var system = host.Services.GetRequiredService<ActorSystem>();
        var jobs = await host.Services.GetRequiredService<ActorRegistry>().GetAsync<OrchestratorJobs>();
        var description = new JobDescription
        {
            JobId = "outside-run-1",
            Requirements = new JobRequirements { Resources = new ResourceRequirements { CpuCores = 1, RamMb = 256, DiskGb = 1 } },
            Execution = new JobExecution { Executor = ExecutorType.Simulated, Args = ["print=hello from the run", "write=out.txt:kept"], Outputs = ["out.txt"] },
        };
        await jobs.Ask<JobAccepted>(new PostJob("outside-run-1", description, system.Name), TimeSpan.FromSeconds(60));

        var changes = Channel.CreateUnbounded<JobStateChanged>();
        jobs.Tell(new SubscribeToJob("outside-run-1", system.ActorOf(Props.Create(() => new Forwarder(changes.Writer)))));
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        JobStateChanged last = null!;
        await foreach (var change in changes.Reader.ReadAllAsync(deadline.Token))
        {
            last = change;
            if (change.Final) break;
        }

        Assert.Equal(JobState.Completed, last.State);
        var run = last.Run!;
        Assert.Equal(0, run.Outcome!.ExitCode);
        Assert.Equal("hello from the run\n", await OrchestratorRuns.ReadLogAsync(system, run));
        Assert.Equal("kept", System.Text.Encoding.UTF8.GetString(await OrchestratorRuns.ReadOutputAsync(system, run, "out.txt")));
    }

    private async Task PostAndFollowAsync(IHost host, string jobId)
    {
        var system = host.Services.GetRequiredService<ActorSystem>();
        var jobs = await host.Services.GetRequiredService<ActorRegistry>().GetAsync<OrchestratorJobs>();
        var description = new JobDescription
        {
            JobId = jobId,
            Requirements = new JobRequirements
            {
                Resources = new ResourceRequirements { CpuCores = 2, RamMb = 1024, DiskGb = 10 },
                Executors = [ExecutorType.Docker],
            },
        };
        try
        {
            // The first contact may take a moment (the cluster client finds a receptionist; the proxy its coordinator).
            var accepted = await jobs.Ask<JobAccepted>(new PostJob(jobId, description, system.Name), TimeSpan.FromSeconds(60));
            Assert.Equal(jobId, accepted.JobId);

            var changes = Channel.CreateUnbounded<JobStateChanged>();
            var subscriber = system.ActorOf(Props.Create(() => new Forwarder(changes.Writer)));
            jobs.Tell(new SubscribeToJob(jobId, subscriber));
            var states = new List<JobState>();
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await foreach (var change in changes.Reader.ReadAllAsync(deadline.Token))
            {
                states.Add(change.State);
                if (change.State is not (JobState.Contracted or JobState.Failed)) continue;
                Assert.Equal(JobState.Contracted, change.State);
                Assert.Equal("cp-1", change.Contract!.ProviderId);
                break;
            }

            var status = await jobs.Ask<JobStatus>(new GetJob(jobId), TimeSpan.FromSeconds(30));
            Assert.Equal(["Posted", "Searching", "Matched", "Requested", "Contracted"], status.History.Select(h => h.State.ToString()));
            Assert.Equal(system.Name, status.Requester);
        }
        catch
        {
            output.WriteLine("node output:\n" + fixture.Node.Output);
            throw;
        }
    }

    private static async Task<IHost> StartClientAsync(string name, Action<AkkaConfigurationBuilder> configure)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddAkka(name, configure);
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }

    private sealed class Forwarder : ReceiveActor
    {
        public Forwarder(ChannelWriter<JobStateChanged> changes) => Receive<JobStateChanged>(change => changes.TryWrite(change));
    }
}
