using Orchestrator.Jobs;
using Orchestrator.Protocol.Events;
using Orchestrator.Protocol.Messages;
using Orchestrator.Protocol.Model;
using Orchestrator.Providers;
using Orchestrator.ReadModel;
using Orchestrator.Settlements;
using Orchestrator.Trust;
using static Orchestrator.Tests.Fixtures;

namespace Orchestrator.Tests.Settlements;

/// <summary>
/// The settlement's decisions on both sides, with real keys and a real authority: a receipt the job cannot attribute is
/// refused (each with its reason), a genuine one it disagrees with is disputed, one that holds is settled by the terms;
/// the provider countersigns only what its own receipt and terms give; each contract is settled once.
/// </summary>
public sealed class SettlementDecisionsTests : IDisposable
{
    private static readonly DateTimeOffset T0 = DateTimeOffset.UtcNow.AddMinutes(-10);
    private readonly string _folder = Directory.CreateTempSubdirectory("orchestrator-settle-").FullName;
    private readonly KeyPair _authority = KeyPair.Create();
    private readonly KeyPair _providerKey = KeyPair.Create();
    private readonly KeyPair _requesterKey = KeyPair.Create();
    private readonly KeyPair _stranger = KeyPair.Create();
    private readonly TrustStore _store;
    private readonly ParticipantTrust _provider;
    private readonly ParticipantTrust _requester;

    public SettlementDecisionsTests()
    {
        var revocations = Path.Combine(_folder, "revoked.json");
        File.WriteAllText(revocations, RevocationList.Empty(_authority, T0).ToJson());
        _store = new TrustStore([_authority.PublicKey], [revocations]);
        _provider = ParticipantTrust.Signed(_providerKey, Credential.Issue(_authority, _providerKey.PublicKey, [ParticipantRole.ComputeProvider], ["cp-a"],
            T0.AddDays(-1), T0.AddDays(30)), _store);
        _requester = ParticipantTrust.Signed(_requesterKey, Credential.Issue(_authority, _requesterKey.PublicKey, [ParticipantRole.ServiceProvider], ["sp-1"],
            T0.AddDays(-1), T0.AddDays(30)), _store);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static DateTimeOffset At(int second) => T0.AddSeconds(second);

    private static readonly OutputFile Output = new("result.txt", 11, new string('a', 64));
    private static readonly RunOutcome Exit0 = new(0, null, "exited with 0") { Outputs = [Output] };

    private static Contract Terms(string provider = "cp-a", decimal perHour = 3.6m, decimal? perResult = null) =>
        new($"job-1@{provider}", "job-1", "sp-1", provider, Needs().Resources, [], perHour, At(10), At(10), At(10 + 3600)) { PricePerResult = perResult, Currency = "NTX" };

    private static Job Ended(RunOutcome outcome, Contract? terms = null)
    {
        terms ??= Terms();
        return Job.New("job-1").Apply([
            new JobPosted("job-1", JobOf() with { Execution = new JobExecution { Executor = ExecutorType.Simulated } }, OrchestrationType.Pull,
                SelectionCriterion.Score, [], Needs(), "alice", At(120), At(0)),
            new ContractClosed("job-1", terms, At(10)),
            new RunStarted("job-1", terms.ContractId, terms.ProviderId, 1, "node-x", At(11)),
            new RunEnded("job-1", terms.ContractId, terms.ProviderId, 1, outcome, false, At(20)),
        ]);
    }

    private static UsageReceipt Receipt(string outcome = "completed", string contract = "job-1@cp-a", string provider = "cp-a") =>
        new(contract, "job-1", provider, 1, At(11), At(20), 9_000, 4_000, 65_536, 36, outcome, outcome == "completed" ? 0 : null, SettlementTerms.ResultHash([Output]));

    private Proof Signed(UsageReceipt receipt, KeyPair? key = null) =>
        key is null ? _provider.Sign(Signing.ReceiptBytes(receipt))! : Signing.Sign(key, CredentialOf(_provider), Signing.ReceiptBytes(receipt));

    private static Credential CredentialOf(ParticipantTrust trust) => trust.Sign([1])!.Credential;

    private ReceiptDecision Decide(Job job, UsageReceipt receipt, Proof? proof) =>
        SettlementDecisions.OnReceipt(job, receipt, () => _requester.CheckSigned(proof, ParticipantRole.ComputeProvider, receipt.ProviderId, Signing.ReceiptBytes(receipt),
            At(21)), At(21));

    [Fact]
    public void A_genuine_receipt_that_agrees_with_the_jobs_record_is_settled_by_the_contracts_terms()
    {
        var job = Ended(Exit0);
        Assert.Equal(SettlementState.AwaitingReceipt, Assert.Single(job.Settlements).Record.State);
        var receipt = Receipt();
        var propose = Assert.IsType<ReceiptDecision.Propose>(Decide(job, receipt, Signed(receipt)));
        Assert.Equal(SettlementTerms.Compute(Terms(), receipt, "completed", At(21)), propose.Settlement);
        Assert.Equal((9L, 0.009m), (propose.Settlement.BilledSeconds, propose.Settlement.Amount));
    }

    public static TheoryData<string> Forgeries() =>
        ["wrong key", "another party's credential", "another authority", "changed usage", "another contract", "another provider", "unsigned"];

    [Theory]
    [MemberData(nameof(Forgeries))]
    public void A_forged_or_tampered_receipt_is_refused_with_its_reason_and_changes_nothing(string forgery)
    {
        var job = Ended(Exit0);
        var genuine = Receipt();
        var (receipt, proof, reason) = forgery switch
        {
            // Signed by a key the provider's credential does not name.
            "wrong key" => (genuine, Signed(genuine, _stranger), "bad-signature"),
            // Signed with a genuine credential of the authority's, for another provider.
            "another party's credential" => (genuine, Signing.Sign(_stranger, Credential.Issue(_authority, _stranger.PublicKey, [ParticipantRole.ComputeProvider], ["cp-b"],
                T0.AddDays(-1), T0.AddDays(30)), Signing.ReceiptBytes(genuine)), "id-not-covered"),
            // A credential from an authority this network does not trust.
            "another authority" => (genuine, Signing.Sign(_stranger, Credential.Issue(_stranger, _stranger.PublicKey, [ParticipantRole.ComputeProvider], ["cp-a"],
                T0.AddDays(-1), T0.AddDays(30)), Signing.ReceiptBytes(genuine)), "unknown-authority"),
            // The provider's signature over the genuine receipt, presented with more time on it.
            "changed usage" => (genuine with { WallMs = 9_000_000, EndedAt = At(9011) }, Signed(genuine), "bad-signature"),
            "another contract" => (genuine with { ContractId = "job-9@cp-a" }, Signed(genuine with { ContractId = "job-9@cp-a" }),
                "job 'job-1' holds no ended contract 'job-9@cp-a'"),
            "another provider" => (genuine with { ProviderId = "cp-b" }, Signed(genuine with { ProviderId = "cp-b" }),
                "the receipt names provider 'cp-b', not the contract's 'cp-a'"),
            _ => (genuine, (Proof?)null, "unsigned"),
        };
        var refused = Assert.IsType<ReceiptDecision.Refuse>(Decide(job, receipt, proof));
        Assert.StartsWith(reason, refused.Reason);
    }

    public static TheoryData<string, string> Disagreements() => new()
    {
        { "ends before it starts", "the run ends (" },
        { "wall time off", "the wall time 1 ms is not the 9000 ms between the run's start and end" },
        { "starts before the contract", "the run starts at " },
        { "in the future", "the run ends at " },
        { "another outcome", "the receipt says the run ended exit-code; the job received completed" },
        { "another result", "the receipt's result hash " },
        { "another run", "the receipt names run 2; the contract was the job's run 1" },
    };

    [Theory]
    [MemberData(nameof(Disagreements))]
    public void A_genuine_receipt_that_contradicts_what_the_job_saw_is_disputed(string change, string reason)
    {
        var job = Ended(Exit0);
        var r = Receipt();
        var receipt = change switch
        {
            "ends before it starts" => r with { EndedAt = At(5), StartedAt = At(6), WallMs = -1_000 },
            "wall time off" => r with { WallMs = 1 },
            "starts before the contract" => r with { StartedAt = At(-100), WallMs = 120_000 },
            "in the future" => r with { EndedAt = At(3600), WallMs = (long)(At(3600) - At(11)).TotalMilliseconds },
            "another outcome" => r with { Outcome = "exit-code" },
            "another result" => r with { ResultHash = new string('f', 64) },
            _ => r with { Run = 2 },
        };
        var dispute = Assert.IsType<ReceiptDecision.Dispute>(Decide(job, receipt, Signed(receipt)));
        Assert.StartsWith(reason, dispute.Event.Reason);
        Assert.Equal(("requester", "job-1@cp-a", receipt), (dispute.Event.DisputedBy, dispute.Event.ContractId, dispute.Event.Receipt));
        var disputed = job.Apply(dispute.Event);
        Assert.Equal(SettlementState.Disputed, disputed.Settlements[0].Record.State);
        Assert.False(disputed.SettlementPending);
    }

    [Fact]
    public void The_jobs_own_conclusions_apply_whatever_the_provider_says_cancelled_pays_the_time_and_lost_pays_nothing()
    {
        var receipt = Receipt("completed");
        var cancelled = Ended(new RunOutcome(null, RunFailure.Cancelled, "cancelled: not needed"));
        var paid = Assert.IsType<ReceiptDecision.Propose>(Decide(cancelled, receipt, Signed(receipt))).Settlement;
        Assert.Equal(("cancelled", 9L, 0.009m), (paid.Outcome, paid.BilledSeconds, paid.Amount));

        var lost = Ended(new RunOutcome(null, RunFailure.ProviderLost, "no word for 10 s"));
        var nothing = Assert.IsType<ReceiptDecision.Propose>(Decide(lost, receipt, Signed(receipt))).Settlement;
        Assert.Equal(("provider-lost", 0m), (nothing.Outcome, nothing.Amount));
    }

    [Fact]
    public void A_receipt_before_the_run_ended_waits_and_one_for_a_settled_contract_gets_the_same_answer()
    {
        var running = Ended(Exit0) with { };
        var beforeEnd = Job.New("job-1").Apply([
            new JobPosted("job-1", JobOf() with { Execution = new JobExecution { Executor = ExecutorType.Simulated } }, OrchestrationType.Pull,
                SelectionCriterion.Score, [], Needs(), "alice", At(120), At(0)),
            new ContractClosed("job-1", Terms(), At(10)),
        ]);
        Assert.IsType<ReceiptDecision.Wait>(Decide(beforeEnd, Receipt(), Signed(Receipt())));

        var receipt = Receipt();
        var settlement = Assert.IsType<ReceiptDecision.Propose>(Decide(running, receipt, Signed(receipt))).Settlement;
        var proposed = running.Apply(new SettlementProposed("job-1", settlement, Signed(receipt), _requester.Sign(Signing.SettlementBytes(settlement)), At(21)));
        Assert.True(proposed.SettlementPending);
        var again = Assert.IsType<ReceiptDecision.Answered>(Decide(proposed, receipt with { WallMs = 1 }, Signed(receipt)));
        Assert.Equal(SettlementState.Proposed, again.Record.Record.State);
    }

    [Fact]
    public void The_providers_countersignature_settles_the_contract_once_and_a_forged_one_is_ignored()
    {
        var receipt = Receipt();
        var job = Ended(Exit0);
        var settlement = Assert.IsType<ReceiptDecision.Propose>(Decide(job, receipt, Signed(receipt))).Settlement;
        var proposed = job.Apply(new SettlementProposed("job-1", settlement, Signed(receipt), _requester.Sign(Signing.SettlementBytes(settlement)), At(21)));

        TrustVerdict Check(Proof? proof, Settlement s) => _requester.CheckSigned(proof, ParticipantRole.ComputeProvider, s.ProviderId, Signing.SettlementBytes(s), At(22));
        var forged = Signing.Sign(_stranger, CredentialOf(_provider), Signing.SettlementBytes(settlement));
        Assert.Empty(SettlementDecisions.OnCountersigned(proposed, new SettlementCountersigned("job-1", "cp-a", settlement.ContractId, forged), s => Check(forged, s), At(22)));
        var genuine = _provider.Sign(Signing.SettlementBytes(settlement));
        var settled = Assert.IsType<ContractSettled>(Assert.Single(SettlementDecisions.OnCountersigned(proposed,
            new SettlementCountersigned("job-1", "cp-a", settlement.ContractId, genuine), s => Check(genuine, s), At(22))));
        Assert.Equal((settlement, genuine), (settled.Settlement, settled.ProviderProof));

        var done = proposed.Apply(settled);
        Assert.Equal(SettlementState.Settled, done.Settlements[0].Record.State);
        // Once settled, another countersignature (or a rejection) changes nothing.
        Assert.Empty(SettlementDecisions.OnCountersigned(done, new SettlementCountersigned("job-1", "cp-a", settlement.ContractId, genuine), s => Check(genuine, s), At(23)));
        Assert.Empty(SettlementDecisions.OnRejected(done, new SettlementRejected("job-1", "cp-a", settlement.ContractId, "no"), At(23)));
        // Settled and not yet transferred: still pending; transferred: done.
        Assert.True(done.SettlementPending);
        var transferred = done.Apply(new SettlementTransferred("job-1", settlement.ContractId, new SettlementTransfer("journal", "ref-1", At(24)), At(24)));
        Assert.False(transferred.SettlementPending);
        Assert.Equal("ref-1", transferred.ToStatus().Settlements[0].Transfer!.Reference);
    }

    [Fact]
    public void The_listing_line_and_the_index_ledger_follow_the_settlement_and_total_per_currency()
    {
        var receipt = Receipt();
        var job = Ended(Exit0);
        var settlement = SettlementTerms.Compute(Terms(), receipt, "completed", At(21));
        IJobEvent[] events =
        [
            new JobPosted("job-1", JobOf() with { Execution = new JobExecution { Executor = ExecutorType.Simulated } }, OrchestrationType.Pull,
                SelectionCriterion.Score, [], Needs(), "alice", At(120), At(0)),
            new ContractClosed("job-1", Terms(), At(10)),
            new RunEnded("job-1", "job-1@cp-a", "cp-a", 1, Exit0, false, At(20)),
        ];
        var summary = events.Aggregate((JobSummary?)null, JobSummaries.Apply)!;
        Assert.Equal(SettlementState.AwaitingReceipt, Assert.Single(summary.Settlements).State);
        Assert.False(summary.SettlementPending);
        summary = JobSummaries.Apply(summary, new SettlementProposed("job-1", settlement, null, null, At(21)))!;
        Assert.True(summary.SettlementPending);
        summary = JobSummaries.Apply(summary, new ContractSettled("job-1", settlement, null, null, null, At(22)))!;
        Assert.Equal((SettlementState.Settled, 0.009m, "NTX", true), (summary.Settlements[0].State, summary.Settlements[0].Amount, summary.Settlements[0].Currency,
            summary.SettlementPending));
        summary = JobSummaries.Apply(summary, new SettlementTransferred("job-1", "job-1@cp-a", new SettlementTransfer("journal", "r", At(23)), At(23)))!;
        Assert.False(summary.SettlementPending);

        var index = new JobIndex();
        index.Upsert(summary);
        index.Upsert(summary with { JobId = "job-2", RequesterNodeId = "sp-2", Settlements = [summary.Settlements[0] with { ContractId = "job-2@cp-b", ProviderId = "cp-b", Amount = 1.5m }] });
        index.Upsert(summary with { JobId = "job-3", Settlements = [summary.Settlements[0] with { ContractId = "job-3@cp-a", State = SettlementState.Disputed, Amount = 7m }] });
        var all = index.Query(new ListSettlements(null, null, null, null, null, 0, 100));
        Assert.Equal(3, all.Total);
        // Disputed rows count, but add nothing: the total is the sum of the settled rows.
        Assert.Equal([new CurrencyTotal("NTX", 3, 2, 1.509m)], all.Totals);
        Assert.Equal(all.Rows.Where(r => r.State == SettlementState.Settled).Sum(r => r.Amount), all.Totals[0].Amount);
        Assert.Equal(["job-1@cp-a", "job-3@cp-a"], index.Query(new ListSettlements("cp-a", null, null, null, null, 0, 100)).Rows.Select(r => r.ContractId).Order());
        Assert.Equal(["job-2@cp-b"], index.Query(new ListSettlements(null, "sp-2", null, null, null, 0, 100)).Rows.Select(r => r.ContractId));
        Assert.Equal(["job-3@cp-a"], index.Query(new ListSettlements(null, null, SettlementState.Disputed, null, null, 0, 100)).Rows.Select(r => r.ContractId));
        Assert.Empty(index.Query(new ListSettlements(null, null, null, At(24), null, 0, 100)).Rows);
        Assert.Equal(3, index.Query(new ListSettlements(null, null, null, At(23), At(24), 0, 100)).Total);
        Assert.Equal("job-2", index.JobOfContract("job-2@cp-b"));
        _ = job;
    }

    // --- the provider's side

    private static ProviderSession EndedOnProvider(Contract terms, UsageReceipt receipt) =>
        ProviderSession.Start(Provider("cp-a")).Apply(new ContractCommitted("cp-a", terms, [], At(10)))
            .Apply(new ContractAllocated("cp-a", "job-1", terms.ContractId, At(11)))
            .Apply(new ContractEnded("cp-a", "job-1", At(20), receipt, null));

    [Fact]
    public void The_provider_countersigns_what_its_own_receipt_and_terms_give_and_disputes_anything_else()
    {
        var receipt = Receipt();
        var session = EndedOnProvider(Terms(), receipt);
        Assert.Equal(["job-1@cp-a"], session.Unsettled.Keys);
        Assert.Empty(session.Ledger.Contracts);
        var fair = SettlementTerms.Compute(Terms(), receipt, "completed", At(21));
        var sign = Assert.IsType<CountersignDecision.Sign>(ProviderDecisions.Countersign(session, new ProposeSettlement(fair, null), _ => TrustVerdict.Trusted, At(22)));
        Assert.Equal(fair, sign.Settlement);

        (Settlement Settlement, string Reason)[] unfair =
        [
            (fair with { Amount = 0.008m }, "the contract's terms give 0.009 NTX for 9 s, not 0.008 for 9 s"),
            (fair with { Usage = receipt with { WallMs = 8_000 } }, "the settlement's usage is not the provider's receipt"),
            (fair with { Outcome = "executor-error", Amount = 0, BilledSeconds = 0 }, "the settlement says the run ended executor-error; the provider's receipt says completed"),
            (fair with { Price = 1m }, "the settlement prices the run at 1 NTX per hour; the contract's terms are 3.6 NTX per hour"),
            (fair with { RequesterNodeId = "sp-other" }, "the settlement names requester 'sp-other', not 'sp-1'"),
        ];
        foreach (var (settlement, reason) in unfair)
        {
            var dispute = Assert.IsType<CountersignDecision.Dispute>(ProviderDecisions.Countersign(session, new ProposeSettlement(settlement, null), _ => TrustVerdict.Trusted, At(22)));
            Assert.Equal((reason, "provider"), (dispute.Event.Reason, dispute.Event.DisputedBy));
        }

        // The job's own conclusion that the provider was lost is accepted (and pays nothing).
        var lost = SettlementTerms.Compute(Terms(), receipt, "provider-lost", At(21));
        Assert.IsType<CountersignDecision.Sign>(ProviderDecisions.Countersign(session, new ProposeSettlement(lost, null), _ => TrustVerdict.Trusted, At(22)));
        // A requester whose signature fails is not answered at all.
        Assert.IsType<CountersignDecision.Refuse>(ProviderDecisions.Countersign(session, new ProposeSettlement(fair, null),
            _ => new TrustVerdict(DistrustReason.BadSignature, "altered"), At(22)));
        // Nothing ended here under that contract: nothing to sign.
        Assert.IsType<CountersignDecision.Unknown>(ProviderDecisions.Countersign(session, new ProposeSettlement(fair with { ContractId = "job-9@cp-a" }, null),
            _ => TrustVerdict.Trusted, At(22)));

        // Recorded once: the same proposal again is answered from the record, and the contract is no longer unsettled.
        var settled = session.Apply(new ProviderContractSettled("cp-a", fair, null, null, null, At(22)));
        Assert.Empty(settled.Unsettled);
        var answered = Assert.IsType<CountersignDecision.Answered>(ProviderDecisions.Countersign(settled, new ProposeSettlement(fair with { Amount = 99m }, null),
            _ => TrustVerdict.Trusted, At(23)));
        Assert.Equal((SettlementState.Settled, 0.009m), (answered.Record.State, answered.Record.Settlement!.Amount));
        Assert.Equal([new CurrencyTotal("NTX", 1, 1, 0.009m)], ProviderDecisions.Earnings(settled));
        Assert.Empty(settled.Violations());
    }

    [Fact]
    public void A_requesters_dispute_is_recorded_once_on_the_provider_and_stops_the_receipt()
    {
        var session = EndedOnProvider(Terms(), Receipt());
        var dispute = ProviderDecisions.Disputed(session, new DisputeSettlement("job-1", "cp-a", "job-1@cp-a", "requester", "the run ends in the future"), At(22));
        Assert.NotNull(dispute);
        var disputed = session.Apply(dispute);
        Assert.Empty(disputed.Unsettled);
        Assert.Equal((SettlementState.Disputed, "requester", "the run ends in the future"),
            (disputed.Settlements["job-1@cp-a"].State, disputed.Settlements["job-1@cp-a"].DisputedBy, disputed.Settlements["job-1@cp-a"].DisputeReason));
        Assert.Null(ProviderDecisions.Disputed(disputed, new DisputeSettlement("job-1", "cp-a", "job-1@cp-a", "requester", "again"), At(23)));
        Assert.Null(ProviderDecisions.Disputed(session, new DisputeSettlement("job-2", "cp-a", "job-1@cp-a", "requester", "not its job"), At(23)));
    }

    [Fact]
    public void A_contract_that_ends_without_a_receipt_is_not_left_unsettled()
    {
        var session = ProviderSession.Start(Provider("cp-a")).Apply(new ContractCommitted("cp-a", Terms(), [], At(10)))
            .Apply(new ContractEnded("cp-a", "job-1", At(20)));
        Assert.Empty(session.Unsettled);
        // A receipt naming another contract than the one that ended is not kept either.
        var other = ProviderSession.Start(Provider("cp-a")).Apply(new ContractCommitted("cp-a", Terms(), [], At(10)))
            .Apply(new ContractEnded("cp-a", "job-1", At(20), Receipt(contract: "job-9@cp-a"), null));
        Assert.Empty(other.Unsettled);
    }

    [Fact]
    public void Receipts_and_settlements_sign_canonical_bytes_a_changed_field_breaks_the_signature()
    {
        var receipt = Receipt();
        var proof = _provider.Sign(Signing.ReceiptBytes(receipt))!;
        // The same instant with another offset, and a sub-millisecond difference, sign the same bytes.
        var same = receipt with { StartedAt = receipt.StartedAt.ToOffset(TimeSpan.FromHours(2)) };
        Assert.True(_requester.CheckSigned(proof, ParticipantRole.ComputeProvider, "cp-a", Signing.ReceiptBytes(same), At(21)).IsTrusted);
        Assert.False(_requester.CheckSigned(proof, ParticipantRole.ComputeProvider, "cp-a", Signing.ReceiptBytes(receipt with { CpuMs = 1 }), At(21)).IsTrusted);

        var settlement = SettlementTerms.Compute(Terms(), receipt, "completed", At(21));
        var signed = _requester.Sign(Signing.SettlementBytes(settlement))!;
        // 0.009 and 0.00900 are the same amount.
        Assert.True(_provider.CheckSigned(signed, ParticipantRole.ServiceProvider, "sp-1", Signing.SettlementBytes(settlement with { Amount = 0.00900m }), At(22)).IsTrusted);
        Assert.False(_provider.CheckSigned(signed, ParticipantRole.ServiceProvider, "sp-1", Signing.SettlementBytes(settlement with { Amount = 0.0091m }), At(22)).IsTrusted);
        Assert.False(_provider.CheckSigned(signed, ParticipantRole.ServiceProvider, "sp-1", Signing.SettlementBytes(settlement with { Basis = "x" }), At(22)).IsTrusted);
    }

    [Fact]
    public void A_run_contract_that_ended_before_its_run_started_settles_for_nothing_and_a_reservation_is_not_settled()
    {
        // The provider's receipt of nothing used (run 0, no time), for a contract the job gave up as lost before the run started.
        var nothing = new UsageReceipt("job-1@cp-a", "job-1", "cp-a", 0, At(30), At(30), 0, 0, 0, 0, "not-started", null, SettlementTerms.ResultHash([]));
        var lost = Job.New("job-1").Apply([
            new JobPosted("job-1", JobOf() with { Execution = new JobExecution { Executor = ExecutorType.Simulated } }, OrchestrationType.Pull,
                SelectionCriterion.Score, [], Needs(), "alice", At(120), At(0)),
            new ContractClosed("job-1", Terms() with { Runs = ExecutorType.Simulated }, At(10)),
            new RunEnded("job-1", "job-1@cp-a", "cp-a", 1, new RunOutcome(null, RunFailure.ProviderLost, "did not start the run within 10 s"), false, At(20)),
        ]);
        var settled = Assert.IsType<ReceiptDecision.Propose>(Decide(lost, nothing, Signed(nothing))).Settlement;
        Assert.Equal(("provider-lost", 0m, 0L), (settled.Outcome, settled.Amount, settled.BilledSeconds));

        // On the provider: a run contract revoked before it was allocated is unsettled with that receipt; the proposal is signed.
        var runs = Terms() with { Runs = ExecutorType.Simulated };
        var session = ProviderSession.Start(Provider("cp-a")).Apply(new ContractCommitted("cp-a", runs, [], At(10)))
            .Apply(new ContractRevoked("cp-a", "job-1", "the job does not hold it", At(30), nothing, null));
        Assert.Equal(nothing, session.Unsettled["job-1@cp-a"].Receipt);
        Assert.IsType<CountersignDecision.Sign>(ProviderDecisions.Countersign(session, new ProposeSettlement(settled, null), _ => TrustVerdict.Trusted, At(31)));

        // A job that never held it refuses the receipt: nothing ran, so the provider records that and stops sending it.
        var refused = new ReceiptRefused("job-1", "cp-a", "job-1@cp-a", "job 'job-1' holds no ended contract 'job-1@cp-a'");
        var given = ProviderDecisions.GiveUpNothingUsed(session, refused, At(32));
        Assert.NotNull(given);
        Assert.Empty(session.Apply(given).Unsettled);
        // A receipt of real usage is never given up that way.
        Assert.Null(ProviderDecisions.GiveUpNothingUsed(EndedOnProvider(Terms(), Receipt()), refused, At(32)));
    }

    [Fact]
    public void The_contract_says_what_runs_and_a_changed_executor_is_a_changed_term()
    {
        var terms = Terms() with { Runs = ExecutorType.Wasm };
        Assert.Null(ContractTerms.Mismatch(terms, terms));
        Assert.Equal("the contract's executor is Simulated, not the agreed Wasm", ContractTerms.Mismatch(terms, terms with { Runs = ExecutorType.Simulated }));
        // A contract without the newer terms signs the same bytes it always did.
        var old = Terms() with { PricePerResult = null, Currency = null, Runs = null };
        Assert.DoesNotContain("runs", System.Text.Encoding.UTF8.GetString(Signing.ContractBytes(old)), StringComparison.Ordinal);
        Assert.DoesNotContain("currency", System.Text.Encoding.UTF8.GetString(Signing.ContractBytes(old)), StringComparison.Ordinal);
        Assert.Contains("\"runs\":\"Wasm\"", System.Text.Encoding.UTF8.GetString(Signing.ContractBytes(terms)), StringComparison.Ordinal);
    }

    [Fact]
    public void The_receipts_times_are_checked_at_their_bounds()
    {
        var job = Ended(Exit0);
        var r = Receipt();
        // Wall time: its span, to the millisecond either way (times travel in milliseconds; a sub-millisecond rounding is no lie).
        Assert.Null(SettlementDecisions.Disagreement(job.Settlements[0], r with { WallMs = 9_001 }, At(21)));
        Assert.Null(SettlementDecisions.Disagreement(job.Settlements[0], r with { WallMs = 8_999 }, At(21)));
        Assert.NotNull(SettlementDecisions.Disagreement(job.Settlements[0], r with { WallMs = 9_002 }, At(21)));
        // Started exactly the clock skew before the contract was signed: allowed; a millisecond more: not.
        var early = At(10) - SettlementTerms.ClockSkew;
        Assert.Null(SettlementDecisions.Disagreement(job.Settlements[0], r with { StartedAt = early, WallMs = (long)(At(20) - early).TotalMilliseconds }, At(21)));
        var earlier = early.AddMilliseconds(-1);
        Assert.NotNull(SettlementDecisions.Disagreement(job.Settlements[0], r with { StartedAt = earlier, WallMs = (long)(At(20) - earlier).TotalMilliseconds }, At(21)));
        // Ending exactly the clock skew after now: allowed; a millisecond more: not.
        var late = At(21) + SettlementTerms.ClockSkew;
        Assert.Null(SettlementDecisions.Disagreement(job.Settlements[0], r with { EndedAt = late, WallMs = (long)(late - At(11)).TotalMilliseconds }, At(21)));
        var later = late.AddMilliseconds(1);
        Assert.NotNull(SettlementDecisions.Disagreement(job.Settlements[0], r with { EndedAt = later, WallMs = (long)(later - At(11)).TotalMilliseconds }, At(21)));
    }

    [Fact]
    public void What_waits_for_the_provider_and_for_the_transfer_and_a_providers_rejection_of_a_proposal()
    {
        var receipt = Receipt();
        var job = Ended(Exit0);
        var settlement = SettlementTerms.Compute(Terms(), receipt, "completed", At(21));
        Assert.Empty(SettlementDecisions.AwaitingCountersignature(job));
        var proposed = job.Apply(new SettlementProposed("job-1", settlement, null, null, At(21)));
        Assert.Equal(["job-1@cp-a"], SettlementDecisions.AwaitingCountersignature(proposed).Select(s => s.ContractId));
        Assert.Empty(SettlementDecisions.AwaitingTransfer(proposed));
        var settled = proposed.Apply(new ContractSettled("job-1", settlement, null, null, null, At(22)));
        Assert.Empty(SettlementDecisions.AwaitingCountersignature(settled));
        Assert.Equal(["job-1@cp-a"], SettlementDecisions.AwaitingTransfer(settled).Select(s => s.ContractId));
        Assert.Empty(SettlementDecisions.AwaitingTransfer(settled.Apply(new SettlementTransferred("job-1", "job-1@cp-a", new SettlementTransfer("journal", "r", At(23)), At(23)))));

        // The provider will not sign: recorded as its dispute, with its reason and the receipt; not from another provider.
        Assert.Empty(SettlementDecisions.OnRejected(proposed, new SettlementRejected("job-1", "cp-b", "job-1@cp-a", "not mine"), At(22)));
        Assert.Empty(SettlementDecisions.OnRejected(proposed, new SettlementRejected("job-1", "cp-a", "job-9@cp-a", "no such"), At(22)));
        var rejected = Assert.IsType<SettlementDisputed>(Assert.Single(SettlementDecisions.OnRejected(proposed,
            new SettlementRejected("job-1", "cp-a", "job-1@cp-a", "the amount is wrong"), At(22))));
        Assert.Equal(("provider", "the amount is wrong", receipt), (rejected.DisputedBy, rejected.Reason, rejected.Receipt));
        // A countersignature from another provider, or for another contract, settles nothing.
        Assert.Empty(SettlementDecisions.OnCountersigned(proposed, new SettlementCountersigned("job-1", "cp-b", "job-1@cp-a", null), _ => TrustVerdict.Trusted, At(22)));
        Assert.Empty(SettlementDecisions.OnCountersigned(proposed, new SettlementCountersigned("job-1", "cp-a", "job-9@cp-a", null), _ => TrustVerdict.Trusted, At(22)));
        // A receipt for a contract of a job that is not running it any more, and that it never ended: refused, naming both.
        var refused = Assert.IsType<ReceiptDecision.Refuse>(Decide(job, receipt with { ContractId = "job-1@cp-z" }, null));
        Assert.Equal("job 'job-1' holds no ended contract 'job-1@cp-z'", refused.Reason);
    }
}
