using Akka.Actor;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Hosting;
using Orchestrator.Protocol.Messages;
using Orchestrator.Protocol.Model;
using Orchestrator.Settlements;
using static Orchestrator.Tests.Fixtures;

namespace Orchestrator.Tests.Hosting;

/// <summary>
/// A DMS's own settlement provider, set on the options of the one hosting call: called for each settled contract, again
/// after it fails, and its reference recorded once; the default moves nothing and records so in the same write.
/// </summary>
public sealed class SettlementProviderTests
{
    /// <summary>Fails its first <paramref name="failures"/> calls, then answers a reference naming the contract; counts its calls.</summary>
    private sealed class FlakyRail(int failures) : ISettlementProvider
    {
        private int _calls;
        public int Calls => _calls;
        public List<SettlementRecord> Seen { get; } = [];

        public string Name => "test-rail";

        public Task<string> TransferAsync(SettlementRecord settlement, CancellationToken cancel)
        {
            lock (Seen) Seen.Add(settlement);
            return Interlocked.Increment(ref _calls) <= failures
                ? Task.FromException<string>(new InvalidOperationException("the rail is down"))
                : Task.FromResult($"tx-{settlement.ContractId}");
        }
    }

    private static async Task<JobStatus> SettledAsync(EmbeddedHost host, string jobId, Func<JobStatus, bool> done)
    {
        var jobs = await ActorRegistry.For(host.System).GetAsync<JobRegion>();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            if (await jobs.Ask<IJobMessage>(new GetJob(jobId), TimeSpan.FromSeconds(10)) is JobStatus status && done(status)) return status;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"job {jobId} not settled and transferred in 30 s");
            await Task.Delay(50);
        }
    }

    private static OrchestratorOptions Options(ISettlementProvider? rail) => new()
    {
        SettlementProvider = rail,
        Providers = [Provider("cp-pay", price: 3.6m, executors: [ExecutorType.Simulated])],
        Hocon = "orchestrator.execution.heartbeat = 200ms",
    };

    private static async Task PostAsync(EmbeddedHost host, string jobId)
    {
        var jobs = await ActorRegistry.For(host.System).GetAsync<JobRegion>();
        var posted = await jobs.Ask<IJobMessage>(new PostJob(jobId, JobOf(Needs(cpu: 1)) with
        {
            JobId = jobId, Execution = new JobExecution { Executor = ExecutorType.Simulated, Args = ["print=paid"] },
        }, "test"), TimeSpan.FromSeconds(30));
        Assert.IsType<JobAccepted>(posted);
    }

    [Fact]
    public async Task A_dms_rail_is_called_for_each_settled_contract_again_after_it_fails_and_its_reference_is_recorded_once()
    {
        var rail = new FlakyRail(failures: 2);
        await using var host = await EmbeddedHost.StartAsync(Options(rail));
        Assert.Same(rail, host.Node.SettlementProvider);
        await PostAsync(host, "job-rail");

        var status = await SettledAsync(host, "job-rail", s => s.Settlements is [{ Transfer: not null }]);
        var record = Assert.Single(status.Settlements);
        Assert.Equal(("test-rail", "tx-job-rail@cp-pay"), (record.Transfer!.Provider, record.Transfer.Reference));
        // Twice refused (after 1 s, then 2 s), the third call went through; each with the settled contract as signed by both.
        Assert.Equal(3, rail.Calls);
        Assert.All(rail.Seen, seen => Assert.Equal((SettlementState.Settled, record.Settlement), (seen.State, seen.Settlement)));
        await Task.Delay(1500);
        Assert.Equal(3, rail.Calls);
    }

    [Fact]
    public async Task The_default_records_the_settlement_and_moves_nothing()
    {
        await using var host = await EmbeddedHost.StartAsync(Options(null));
        Assert.IsType<JournalSettlementProvider>(host.Node.SettlementProvider);
        await PostAsync(host, "job-journal");
        var record = Assert.Single((await SettledAsync(host, "job-journal", s => s.Settlements is [{ Transfer: not null }])).Settlements);
        Assert.Equal("journal", record.Transfer!.Provider);
        Assert.Equal($"recorded {SettlementTerms.Money(record.Settlement!.Amount)} USD; nothing moved", record.Transfer.Reference);
    }
}
