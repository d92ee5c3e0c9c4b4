using Akka.Actor;
using Orchestrator.Configuration;
using Orchestrator.Providers;
using Orchestrator.Protocol.Messages;
using Orchestrator.Protocol.Model;
using Orchestrator.Settlements;
using Orchestrator.Trust;
using Xunit.Abstractions;
using static Orchestrator.Tests.Fixtures;

namespace Orchestrator.Tests.Actors;

/// <summary>
/// Settlement between a real job actor and a real provider with its allocation and executors, on a network with an
/// authority (real keys): a run ends, the provider's receipt is signed, the job proposes the amount, the provider
/// countersigns; both sides hold the same record, both signatures verify; each contract is settled once.
/// </summary>
public sealed class SettlementTests : ActorTestBase, IDisposable
{
    private static readonly DateTimeOffset At = DateTimeOffset.UtcNow;
    private readonly string _runs = System.IO.Directory.CreateTempSubdirectory("orchestrator-settle-runs-").FullName;
    private readonly KeyPair _authority = KeyPair.Create();
    private readonly KeyPair _requesterKey = KeyPair.Create();
    private readonly KeyPair _providerKey = KeyPair.Create();
    private readonly TrustStore _store;
    private readonly ParticipantTrust _requester;
    private readonly ParticipantTrust _providerTrust;

    public SettlementTests(ITestOutputHelper output) : base(output)
    {
        var revocations = Path.Combine(_runs, "revoked.json");
        File.WriteAllText(revocations, RevocationList.Empty(_authority, At).ToJson());
        _store = new TrustStore([_authority.PublicKey], [revocations]);
        _requester = ParticipantTrust.Signed(_requesterKey,
            Credential.Issue(_authority, _requesterKey.PublicKey, [ParticipantRole.ServiceProvider], ["sp-test"], At.AddDays(-1), At.AddDays(30)), _store);
        _providerTrust = ParticipantTrust.Signed(_providerKey,
            Credential.Issue(_authority, _providerKey.PublicKey, [ParticipantRole.ComputeProvider], ["cp-pay", "cp-result"], At.AddDays(-1), At.AddDays(30)), _store);
    }

    public new void Dispose()
    {
        base.Dispose();
        try
        {
            System.IO.Directory.Delete(_runs, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private OrchestratorSettings RunSettings() => Settings(search: TimeSpan.FromSeconds(20), request: TimeSpan.FromSeconds(20), contract: TimeSpan.FromSeconds(20)) with
    {
        ExecutionDirectory = _runs,
        ExecutionHeartbeat = TimeSpan.FromMilliseconds(200),
        ExecutionLostAfter = TimeSpan.FromSeconds(5),
        DefaultRestart = new RestartPolicy(RestartMode.Never, 1),
    };

    private IActorRef Provider(string id, decimal perHour = 3.6m, decimal? perResult = null) =>
        RealProvider(Fixtures.Provider(id, price: perResult is null ? perHour : 0m, executors: [ExecutorType.Wasm, ExecutorType.Simulated]) with
        {
            PricePerResult = perResult, Currency = "NTX",
        }, RunSettings(), _providerTrust);

    private IActorRef Post(string jobId, JobExecution execution, string provider)
    {
        Directory.Tell(ListProviders.Instance, TestActor);
        ExpectMsg<KnownProviders>();
        var job = StartJob(jobId, RunSettings(), _requester);
        var description = JobOf() with { OrchestrationType = OrchestrationType.Push, TargetProviders = [provider], Execution = execution };
        job.Tell(new PostJob(jobId, description, "test"), TestActor);
        Assert.True(ExpectMsg<JobAccepted>().Created);
        return job;
    }

    private SettlementRecord AwaitSettlement(IActorRef job, SettlementState state)
    {
        SettlementRecord? record = null;
        AwaitAssert(() =>
        {
            record = Assert.Single(StatusOf(job).Settlements);
            Assert.Equal(state, record.State);
        }, TimeSpan.FromSeconds(20), TimeSpan.FromMilliseconds(50));
        return record!;
    }

    private SettlementRecord ProviderRecord(IActorRef provider, string contractId)
    {
        provider.Tell(new GetProviderSettlements("any"), TestActor);
        return Assert.Single(ExpectMsg<ProviderSettlements>().Settlements, r => r.ContractId == contractId);
    }

    private void AssertBothSigned(SettlementRecord record)
    {
        var s = record.Settlement!;
        var bytes = Signing.SettlementBytes(s);
        Assert.True(Signing.Verify(_store, record.RequesterProof!, ParticipantRole.ServiceProvider, s.RequesterNodeId, bytes, s.At).IsTrusted);
        Assert.True(Signing.Verify(_store, record.ProviderProof!, ParticipantRole.ComputeProvider, s.ProviderId, bytes, s.At).IsTrusted);
        Assert.True(Signing.Verify(_store, record.ReceiptProof!, ParticipantRole.ComputeProvider, s.ProviderId, Signing.ReceiptBytes(s.Usage), s.At).IsTrusted);
    }

    [Fact]
    public void A_completed_webassembly_run_settles_with_both_signatures_and_both_sides_hold_the_same_record()
    {
        var provider = Provider("cp-pay");
        var job = Post("job-pay", RunTests.Wasm("primes", "2000"), "cp-pay");
        AwaitState(job, JobState.Completed);

        var mine = AwaitSettlement(job, SettlementState.Settled);
        var s = mine.Settlement!;
        Assert.Equal(("completed", PriceUnit.Hour, 3.6m, "NTX"), (s.Outcome, s.Unit, s.Price, s.Currency));
        // Metered by the allocation: a run of some milliseconds, billed as one second begun; its memory and CPU time measured.
        Assert.InRange(s.Usage.WallMs, 0, 10_000);
        Assert.Equal(SettlementTerms.BilledSeconds(s.Usage.WallMs), s.BilledSeconds);
        Assert.Equal(s.BilledSeconds * 0.001m, s.Amount);
        Assert.Equal(65_536, s.Usage.PeakMemoryBytes);
        Assert.True(s.Usage.OutputBytes > 0);
        Assert.Equal(SettlementTerms.ResultHash([]), s.Usage.ResultHash);
        AssertBothSigned(mine);
        Assert.Equal("journal", AwaitAssertReturning(() => Assert.IsType<SettlementTransfer>(Assert.Single(StatusOf(job).Settlements).Transfer)).Provider);

        // The provider's side: the same settlement, the same three signatures; its earnings.
        var theirs = ProviderRecord(provider, s.ContractId);
        Assert.Equal(SettlementState.Settled, theirs.State);
        Assert.Equal(s, theirs.Settlement);
        Assert.Equal((Sig(mine.RequesterProof), Sig(mine.ProviderProof), Sig(mine.ReceiptProof)),
            (Sig(theirs.RequesterProof), Sig(theirs.ProviderProof), Sig(theirs.ReceiptProof)));
        var status = StatusOfProvider(provider);
        Assert.Empty(status.Unsettled);
        Assert.Equal([new CurrencyTotal("NTX", 1, 1, s.Amount)], status.Earnings);
    }

    [Fact]
    public void A_receipt_for_a_settled_contract_changes_nothing_and_one_for_a_contract_the_job_never_held_is_refused()
    {
        var provider = Provider("cp-pay");
        var job = Post("job-once", RunTests.Simulated("print=hello"), "cp-pay");
        var settled = AwaitSettlement(job, SettlementState.Settled);
        var receipt = settled.Receipt!;

        // Delivered again, and tampered with: the job answers from its record, which does not change.
        job.Tell(new SettleContract("job-once", "cp-pay", receipt.ContractId, receipt with { WallMs = 999_999 }, settled.ReceiptProof), TestActor);
        job.Tell(new SettleContract("job-once", "cp-pay", receipt.ContractId, receipt, settled.ReceiptProof), TestActor);
        // Another contract's id: refused, with the reason, to whoever sent it.
        var forged = receipt with { ContractId = "job-once@cp-other" };
        job.Tell(new SettleContract("job-once", "cp-pay", forged.ContractId, forged, _providerTrust.Sign(Signing.ReceiptBytes(forged))), TestActor);
        var refused = FishForMessage<ReceiptRefused>(_ => true, TimeSpan.FromSeconds(10));
        Assert.Equal(("job-once@cp-other", "job 'job-once' holds no ended contract 'job-once@cp-other'"), (refused.ContractId, refused.Reason));
        var after = Assert.Single(StatusOf(job).Settlements);
        Assert.Equal(settled.Settlement, after.Settlement);
        Assert.Equal(Sig(settled.ProviderProof), Sig(after.ProviderProof));
        Assert.Equal(SettlementState.Settled, ProviderRecord(provider, receipt.ContractId).State);
    }

    [Fact]
    public void A_cancelled_run_settles_the_time_it_ran()
    {
        var provider = Provider("cp-pay");
        var job = Post("job-cancelled", RunTests.Simulated("sleep-ms=60000"), "cp-pay");
        AwaitState(job, JobState.Running);
        // Long enough to run into its second second: the time billed is what the allocation measured, rounded up.
        AwaitCondition(() => (DateTimeOffset.UtcNow - StatusOf(job).CurrentRun!.StartedAt).TotalMilliseconds > 1_200, TimeSpan.FromSeconds(10));
        job.Tell(new CancelJob("job-cancelled", "not needed"), TestActor);
        ExpectMsg<JobCancelled>();

        var record = AwaitSettlement(job, SettlementState.Settled);
        var s = record.Settlement!;
        Assert.Equal("cancelled", s.Outcome);
        Assert.Equal("cancelled", s.Usage.Outcome);
        Assert.True(s.BilledSeconds >= 2, $"billed {s.BilledSeconds} s for {s.Usage.WallMs} ms");
        Assert.Equal(s.BilledSeconds * 0.001m, s.Amount);
        AssertBothSigned(record);
        Assert.Equal(s, ProviderRecord(provider, s.ContractId).Settlement);
    }

    [Theory]
    [InlineData("exit=0", "completed", 2.5)]
    [InlineData("exit=3", "exit-code", 0)]
    public void A_run_priced_per_result_pays_the_price_when_it_completes_and_nothing_when_it_fails(string program, string outcome, double amount)
    {
        var provider = Provider("cp-result", perResult: 2.5m);
        var job = Post("job-result", RunTests.Simulated(program), "cp-result");
        var record = AwaitSettlement(job, SettlementState.Settled);
        var s = record.Settlement!;
        Assert.Equal((outcome, PriceUnit.Result, 2.5m, (decimal)amount), (s.Outcome, s.Unit, s.Price, s.Amount));
        Assert.Equal(2.5m, StatusOf(job).Contract!.PricePerResult);
        AssertBothSigned(record);
        Assert.Equal(s, ProviderRecord(provider, s.ContractId).Settlement);
    }

    /// <summary>A proof compared by what it is: its signature and the credential's serial (records compare arrays by reference).</summary>
    private static (string, string) Sig(Proof? proof) => (proof!.Signature, proof.Credential.Serial);

    private T AwaitAssertReturning<T>(Func<T> read)
    {
        T result = default!;
        AwaitAssert(() => result = read(), TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(50));
        return result;
    }
}
