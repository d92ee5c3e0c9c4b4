using Orchestrator.Matching;
using Orchestrator.Protocol.Events;
using Orchestrator.Protocol.Messages;
using Orchestrator.Protocol.Model;
using Orchestrator.Trust;

namespace Orchestrator.Providers;

/// <summary>What a provider answers a bid request or a job request with.</summary>
public abstract record ExchangeAnswer
{
    private ExchangeAnswer() { }

    /// <summary>The provider holds resources for this job already (a lock, or a contract): the same answer again.</summary>
    public sealed record HeldAlready(decimal PricePerHour, DateTimeOffset ExpiresAt, double SpareCapacity) : ExchangeAnswer;

    /// <summary>The provider is being offboarded: it takes no new jobs.</summary>
    public sealed record Offboarding : ExchangeAnswer
    {
        public static readonly Offboarding Instance = new();
        public const string Detail = "the provider is being offboarded: it honours its contracts and takes no new jobs";
    }

    /// <summary>A hard constraint failed against what is free now (the first one, named).</summary>
    public sealed record Ineligible(DeclineReason Reason, string Detail) : ExchangeAnswer;

    /// <summary>A bid without holding anything (a dry run, or a provider that locks only on a job request).</summary>
    public sealed record Offer(decimal PricePerHour, double SpareCapacity) : ExchangeAnswer;

    /// <summary>A bid holding the resources until the lease ends (the event to apply, in memory only).</summary>
    public sealed record Lock(ResourcesLocked Event, double SpareCapacity) : ExchangeAnswer;
}

/// <summary>What a provider does with a job's proposed settlement.</summary>
public abstract record CountersignDecision
{
    private CountersignDecision() { }

    /// <summary>The provider holds no receipt for the contract (not ended here yet, or never its): nothing to sign now.</summary>
    public sealed record Unknown(string Detail) : CountersignDecision;

    /// <summary>The requester's signature does not hold: not recorded (it cannot be attributed to the requester).</summary>
    public sealed record Refuse(string Reason) : CountersignDecision;

    /// <summary>Settled or disputed here already: the same answer again.</summary>
    public sealed record Answered(SettlementRecord Record) : CountersignDecision;

    /// <summary>The provider disagrees with the proposal: the dispute is recorded and the job told why.</summary>
    public sealed record Dispute(ProviderSettlementDisputed Event) : CountersignDecision;

    /// <summary>The amount is what the contract's terms give for the provider's own receipt: sign and record it.</summary>
    public sealed record Sign(Settlement Settlement) : CountersignDecision;
}

/// <summary>What a provider does with a contract proposal.</summary>
public abstract record ProposalDecision
{
    private ProposalDecision() { }

    /// <summary>This contract is being written: answer this proposer too when the write completes.</summary>
    public sealed record JoinCommit : ProposalDecision
    {
        public static readonly JoinCommit Instance = new();
    }

    /// <summary>The contract is committed already: sign it again (a recovered job proposing again).</summary>
    public sealed record SignAgain(Contract Contract) : ProposalDecision;

    /// <summary>Refused, saying why; <see cref="ReleaseReason"/>: the lock held for the job is let go too, for this reason.</summary>
    public sealed record Refuse(DeclineReason Reason, string Detail, string? ReleaseReason) : ProposalDecision;

    /// <summary>The terms are the locked ones: commit the contract (with the GPUs the lock holds) and sign it once durable.</summary>
    public sealed record Commit(Contract Contract, IReadOnlyList<int> GpuIndices) : ProposalDecision;
}

/// <summary>What a provider does when a job asks it to run the program of a contract.</summary>
public abstract record AllocationDecision
{
    private AllocationDecision() { }

    /// <summary>The provider holds no such contract (it ended, was revoked, or never was): the run cannot start.</summary>
    public sealed record NoContract(string Detail) : AllocationDecision;

    /// <summary>The run was started already: its allocation answers (with its latest report).</summary>
    public sealed record Started : AllocationDecision
    {
        public static readonly Started Instance = new();
    }

    /// <summary>Start it: the contract becomes the allocation's (the event to write first).</summary>
    public sealed record Start(ContractAllocated Event) : AllocationDecision;
}

/// <summary>What a provider does with a job's release of its lock or contract.</summary>
public abstract record ReleaseDecision
{
    private ReleaseDecision() { }

    public sealed record Ignore : ReleaseDecision
    {
        public static readonly Ignore Instance = new();
    }

    public sealed record ReleaseLock(string Reason) : ReleaseDecision;

    /// <summary>The contract is being written: revoke it once it is.</summary>
    public sealed record AfterCommit(string Reason) : ReleaseDecision;

    public sealed record Revoke(string Reason) : ReleaseDecision;
}

/// <summary>
/// Pure decisions of the provider: given its session and what just happened, what it answers and which events follow.
/// The actor (<see cref="ProviderActor"/>) signs, writes, answers and keeps the timers; every rule is here.
/// The invariant they keep: a lock or a contract is only ever decided against <see cref="ProviderLedger.Free"/>, so
/// locked + contracted never exceeds capacity.
/// </summary>
public static class ProviderDecisions
{
    /// <summary>
    /// A lock whose lease ran out but whose expiry timer has not fired yet (e.g. a job resumed on another node after a crash
    /// asks again): the release to apply before the request is handled as new; null when there is none.
    /// </summary>
    public static LockReleased? ExpiredLock(ProviderSession session, string jobId, DateTimeOffset now)
    {
        var held = session.Ledger.Locks.GetValueOrDefault(jobId);
        // A lock becoming a contract stays held: its resources pass to the contract when the write completes.
        if (held is null || held.ExpiresAt > now || session.Committing.Contains(jobId)) return null;
        return new LockReleased(session.ProviderId, jobId, "lease expired", now);
    }

    /// <summary>
    /// The answer to a bid request (<paramref name="lockIt"/>: the provider locks on bids and this is not a dry run) or a
    /// job request (always locks): what it held already, a decline naming the first constraint that failed, a bid, or a lock.
    /// </summary>
    public static ExchangeAnswer Answer(ProviderSession session, string jobId, string requester, JobRequirements requirements, bool lockIt, bool askAgain,
        TimeSpan lease, DateTimeOffset now, IReadOnlyCollection<ExecutorType>? registered = null)
    {
        var ledger = session.Ledger;
        if (askAgain)
        {
            var held = HeldAlready(ledger, jobId);
            if (held is not null) return held;
        }

        if (ledger.Offboarding) return ExchangeAnswer.Offboarding.Instance;
        var free = ledger.Free;
        var match = CapabilityMatcher.Match(ledger.Capability, free, requirements);
        var no = match as MatchResult.Ineligible;
        if (no is not null) return new ExchangeAnswer.Ineligible(no.Reason, no.Detail);
        var yes = (MatchResult.Eligible)match;
        var runs = requirements.Runs;
        if (runs is not null && registered is not null && !registered.Contains(runs.Value))
            return new ExchangeAnswer.Ineligible(DeclineReason.ExecutorNotRegistered,
                $"the job runs a {Kebab(runs.Value)} program; this provider's node has not registered that executor (it has: {Names(registered)})");
        if (!lockIt) return new ExchangeAnswer.Offer(ledger.Capability.PricePerHour, yes.SpareCapacity);
        return new ExchangeAnswer.Lock(new ResourcesLocked(session.ProviderId, jobId, requester, requirements.Resources, yes.GpuIndices,
            ledger.Capability.PricePerHour, now + lease, now) { PricePerResult = ledger.Capability.PricePerResult }, yes.SpareCapacity);
    }

    /// <summary>
    /// What to do with a contract proposal. <paramref name="requester"/> is asked only when the contract is new: whether the
    /// requester is approved and its signature over the terms holds.
    /// </summary>
    public static ProposalDecision Propose(ProviderSession session, ContractProposal proposal, Func<TrustVerdict> requester, DateTimeOffset now)
    {
        var terms = proposal.Contract;
        var jobId = terms.JobId;
        if (session.Committing.Contains(jobId)) return ProposalDecision.JoinCommit.Instance;
        var signed = session.Ledger.Contracts.GetValueOrDefault(jobId);
        if (signed is not null) return new ProposalDecision.SignAgain(signed.Contract);

        var verdict = requester();
        if (!verdict.IsTrusted) return new ProposalDecision.Refuse(DeclineReason.VerificationFailed, verdict.ToString(), "requester failed verification");

        var held = session.Ledger.Locks.GetValueOrDefault(jobId);
        if (held is null)
            return new ProposalDecision.Refuse(DeclineReason.NotLocked, "no resources are locked for this job (never requested, or released)", null);
        if (held.ExpiresAt <= now)
            return new ProposalDecision.Refuse(DeclineReason.LeaseExpired, $"the lock for this job expired at {held.ExpiresAt:O}", "lease expired");

        // The provider signs only the terms it locked: for the requester it locked for, its resources, its price.
        var mismatch = terms.RequesterNodeId != held.RequesterNodeId
            ? $"the resources were locked for requester '{held.RequesterNodeId}', not '{terms.RequesterNodeId}'"
            : ContractTerms.Locked(terms, held.Resources, held.PricePerHour, held.PricePerResult) ??
              (terms.Currency is not null && terms.Currency != session.Ledger.Capability.Currency
                  ? $"the contract's currency is {terms.Currency}, not the provider's {session.Ledger.Capability.Currency}"
                  : null);
        if (mismatch is not null)
            return new ProposalDecision.Refuse(DeclineReason.VerificationFailed, new TrustVerdict(DistrustReason.TermsMismatch, mismatch).ToString(),
                "the proposed terms were not the locked ones");

        var gpus = session.Ledger.Capability.Resources.Gpus;
        return new ProposalDecision.Commit(terms with { AssignedGpus = held.GpuIndices.Select(i => gpus[i]).ToArray() }, held.GpuIndices);
    }

    /// <summary>
    /// A job lets go of this provider. Fenced by a nonce (a late answer of an exchange the job gave up on): only the lock as
    /// given under that request, never a contract. Unfenced: the lock, or a contract the job does not hold (it dropped this
    /// provider mid-closure, or ended without it); a contract being written is revoked once it is.
    /// </summary>
    public static ReleaseDecision Release(ProviderSession session, ReleaseLock release)
    {
        var jobId = release.JobId;
        var locked = session.Ledger.Locks.ContainsKey(jobId);
        if (release.Nonce.Length > 0)
            return locked && !session.Committing.Contains(jobId) && session.LockNonces.GetValueOrDefault(jobId) == release.Nonce
                ? new ReleaseDecision.ReleaseLock(release.Reason)
                : ReleaseDecision.Ignore.Instance;
        if (session.Committing.Contains(jobId)) return new ReleaseDecision.AfterCommit(release.Reason);
        if (locked) return new ReleaseDecision.ReleaseLock(release.Reason);
        if (session.Ledger.Contracts.ContainsKey(jobId)) return new ReleaseDecision.Revoke(release.Reason);
        return ReleaseDecision.Ignore.Instance;
    }

    /// <summary>The job says it does not hold the contract: revoked when the answer is to the latest question asked about that contract.</summary>
    public static bool RevokeOnDisowned(ProviderSession session, ContractDisowned disowned) =>
        // A contract awaiting its first question has no query id: no answer counts for it yet.
        session.Unconfirmed.GetValueOrDefault(disowned.JobId) == disowned.QueryId && Holds(session, disowned.JobId, disowned.ContractId);

    /// <summary>The job says it holds the contract: accepted when it is the one this provider holds and still awaits the word.</summary>
    public static bool AcceptConfirmation(ProviderSession session, ContractConfirmed confirmed) =>
        Holds(session, confirmed.JobId, confirmed.ContractId) && session.Unconfirmed.ContainsKey(confirmed.JobId);

    /// <summary>The lease ran out: the lock's release, or null when there is nothing to release (or it was renewed).</summary>
    public static LockReleased? LeaseDue(ProviderSession session, string jobId, DateTimeOffset now) => ExpiredLock(session, jobId, now);

    /// <summary>The contract's end came: its end, or null when the contract is gone already.</summary>
    public static ContractEnded? ContractDue(ProviderSession session, string jobId, DateTimeOffset now) =>
        session.Ledger.Contracts.ContainsKey(jobId) ? new ContractEnded(session.ProviderId, jobId, now) : null;

    /// <summary>The contract to ask its job about again, or null when the question has been answered (or the contract is gone).</summary>
    public static Contract? StillUnconfirmed(ProviderSession session, string jobId) =>
        session.Unconfirmed.ContainsKey(jobId) ? session.Ledger.Contracts.GetValueOrDefault(jobId)?.Contract : null;

    /// <summary>How long to wait before asking again, after <paramref name="asked"/> questions: doubling from the first wait, at most a minute.</summary>
    public static TimeSpan NextAsk(TimeSpan first, int asked) =>
        TimeSpan.FromTicks(Math.Min(TimeSpan.FromMinutes(1).Ticks, first.Ticks << Math.Min(asked, 16)));

    /// <summary>The confirmations waiting to be written, as the event that writes them on their own.</summary>
    public static ContractsConfirmed Confirmations(ProviderSession session, DateTimeOffset now) =>
        new(session.ProviderId, session.ConfirmedNotRecorded.ToArray(), now);

    /// <summary>A contract to write, with the confirmations waiting riding along in its row (just the contract when none are).</summary>
    public static IProviderEvent WithConfirmations(ProviderSession session, ContractCommitted committed, DateTimeOffset now) =>
        session.ConfirmedNotRecorded.IsEmpty ? committed : new ProviderStepsRecorded(session.ProviderId, [Confirmations(session, now), committed]);

    /// <summary>
    /// A job asks for its run under a contract: started once (a repeated ask is answered by the allocation), and only under
    /// a contract this provider holds for that job.
    /// </summary>
    public static AllocationDecision Allocate(ProviderSession session, StartAllocation start, DateTimeOffset now)
    {
        var held = session.Ledger.Contracts.GetValueOrDefault(start.JobId);
        if (held is null || held.Contract.ContractId != start.Contract.ContractId)
            return new AllocationDecision.NoContract($"provider {session.ProviderId} holds no contract {start.Contract.ContractId} for job {start.JobId}");
        if (held.Allocated) return AllocationDecision.Started.Instance;
        return new AllocationDecision.Start(new ContractAllocated(session.ProviderId, start.JobId, start.Contract.ContractId, now));
    }

    /// <summary>The allocations to bring back after a restart: one per contract whose run was started.</summary>
    public static IReadOnlyList<Contract> Allocated(ProviderSession session) =>
        session.Ledger.Contracts.Values.Where(c => c.Allocated).Select(c => c.Contract).OrderBy(c => c.ContractId, StringComparer.Ordinal).ToArray();

    /// <summary>A run ended: its contract ends with it, freeing the resources at once (not at the contract's end).</summary>
    public static ContractEnded? RunEnded(ProviderSession session, string jobId, string contractId, DateTimeOffset now, UsageReceipt? receipt = null,
        Proof? receiptProof = null) =>
        session.Ledger.Contracts.GetValueOrDefault(jobId)?.Contract.ContractId == contractId
            ? new ContractEnded(session.ProviderId, jobId, now, receipt?.ContractId == contractId ? receipt : null, receipt?.ContractId == contractId ? receiptProof : null)
            : null;

    /// <summary>
    /// The job's proposed settlement, checked against the provider's own record: its receipt, unchanged; its contract's
    /// parties and price; the outcome it names (the receipt's, or the job's own conclusion that the provider was lost or
    /// the job cancelled); and the amount, computed again by the same rule (<see cref="Settlements.SettlementTerms"/>).
    /// </summary>
    public static CountersignDecision Countersign(ProviderSession session, ProposeSettlement proposal, Func<Contract, TrustVerdict> requester, DateTimeOffset now)
    {
        var s = proposal.Settlement;
        var recorded = session.Settlements.GetValueOrDefault(s.ContractId);
        if (recorded is not null) return new CountersignDecision.Answered(recorded);
        var mine = session.Unsettled.GetValueOrDefault(s.ContractId);
        if (mine is null) return new CountersignDecision.Unknown($"provider {session.ProviderId} holds no ended contract {s.ContractId} to settle");
        var contract = mine.Contract;
        var verdict = requester(contract);
        if (!verdict.IsTrusted) return new CountersignDecision.Refuse(verdict.ToString());

        var why = s.JobId != contract.JobId ? $"the settlement names job '{s.JobId}', not '{contract.JobId}'"
            : s.RequesterNodeId != contract.RequesterNodeId ? $"the settlement names requester '{s.RequesterNodeId}', not '{contract.RequesterNodeId}'"
            : s.ProviderId != session.ProviderId ? $"the settlement names provider '{s.ProviderId}'"
            : s.Usage != mine.Receipt ? "the settlement's usage is not the provider's receipt"
            : s.Outcome != mine.Receipt.Outcome && s.Outcome is not ("provider-lost" or "cancelled")
                ? $"the settlement says the run ended {s.Outcome}; the provider's receipt says {mine.Receipt.Outcome}"
            : null;
        if (why is null)
        {
            var expected = Settlements.SettlementTerms.Compute(contract, mine.Receipt, s.Outcome, s.At);
            if (expected.Unit != s.Unit || expected.Price != s.Price || expected.Currency != s.Currency)
                why = $"the settlement prices the run at {Settlements.SettlementTerms.Money(s.Price)} {s.Currency} per {s.Unit.ToString().ToLowerInvariant()}; " +
                      $"the contract's terms are {Settlements.SettlementTerms.Money(expected.Price)} {expected.Currency} per {expected.Unit.ToString().ToLowerInvariant()}";
            else if (expected.Amount != s.Amount || expected.BilledSeconds != s.BilledSeconds)
                why = $"the contract's terms give {Settlements.SettlementTerms.Money(expected.Amount)} {expected.Currency} for {expected.BilledSeconds} s, " +
                      $"not {Settlements.SettlementTerms.Money(s.Amount)} for {s.BilledSeconds} s";
        }

        return why is null
            ? new CountersignDecision.Sign(s)
            : new CountersignDecision.Dispute(new ProviderSettlementDisputed(session.ProviderId, contract.JobId, s.ContractId, Settlements.SettlementDecisions.Provider,
                why, now));
    }

    /// <summary>The job disputes a receipt of this provider's (or records the provider's own rejection): recorded once.</summary>
    public static ProviderSettlementDisputed? Disputed(ProviderSession session, DisputeSettlement dispute, DateTimeOffset now) =>
        session.Unsettled.GetValueOrDefault(dispute.ContractId) is { } mine && mine.Contract.JobId == dispute.JobId
            ? new ProviderSettlementDisputed(session.ProviderId, dispute.JobId, dispute.ContractId, dispute.DisputedBy, dispute.Reason, now)
            : null;

    /// <summary>
    /// The job refused the receipt of a contract that ended before anything ran (it never held the contract): recorded as
    /// disputed by the requester, once. A receipt of real usage is not given up this way: it is sent again until it is settled.
    /// </summary>
    public static ProviderSettlementDisputed? GiveUpNothingUsed(ProviderSession session, ReceiptRefused refused, DateTimeOffset now) =>
        session.Unsettled.GetValueOrDefault(refused.ContractId) is { Receipt: { Run: 0, WallMs: 0 } } mine && mine.Contract.JobId == refused.JobId
            ? new ProviderSettlementDisputed(session.ProviderId, refused.JobId, refused.ContractId, Settlements.SettlementDecisions.Requester,
                "nothing ran, and the job refused the receipt: " + refused.Reason, now)
            : null;

    /// <summary>What the provider has earned, per currency: the settled amounts it recorded.</summary>
    public static IReadOnlyList<CurrencyTotal> Earnings(ProviderSession session) =>
        session.Settlements.Values.Where(r => r.Settlement is not null).GroupBy(r => r.Settlement!.Currency, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new CurrencyTotal(g.Key, g.Count(), g.Count(r => r.State == SettlementState.Settled),
                g.Where(r => r.State == SettlementState.Settled).Sum(r => r.Settlement!.Amount)))
            .ToArray();

    /// <summary>An offboarding provider whose last lock and contract ended leaves its node.</summary>
    public static bool Gone(ProviderSession session) => session.Ledger is { Offboarding: true, IsEmpty: true };

    /// <summary>The job an event is about ("" for events about the provider as a whole).</summary>
    public static string JobOf(IProviderEvent e) => e switch
    {
        ResourcesLocked l => l.JobId,
        LockReleased r => r.JobId,
        ContractCommitted c => c.Contract.JobId,
        ContractEnded end => end.JobId,
        ContractRevoked revoked => revoked.JobId,
        ProviderStepsRecorded steps when steps.Steps.Count > 0 => JobOf(steps.Steps[^1]),
        _ => "",
    };

    private static ExchangeAnswer.HeldAlready? HeldAlready(ProviderLedger ledger, string jobId)
    {
        var held = ledger.Locks.GetValueOrDefault(jobId);
        if (held is not null) return new ExchangeAnswer.HeldAlready(held.PricePerHour, held.ExpiresAt, Spare(ledger));
        var signed = ledger.Contracts.GetValueOrDefault(jobId);
        return signed is null ? null : new ExchangeAnswer.HeldAlready(signed.Contract.PricePerHour, signed.Contract.EndsAt, Spare(ledger));
    }

    private static double Spare(ProviderLedger ledger) => CapabilityMatcher.SpareCapacity(ledger.Capability.Resources, ledger.Free,
        new ResourceRequirements { CpuCores = 0, RamMb = 0, DiskGb = 0 });

    private static string Kebab(ExecutorType type) => System.Text.Json.JsonNamingPolicy.KebabCaseLower.ConvertName(type.ToString());

    private static string Names(IReadOnlyCollection<ExecutorType> types) =>
        types.Count == 0 ? "none" : string.Join(", ", types.Select(Kebab).Order(StringComparer.Ordinal));

    private static bool Holds(ProviderSession session, string jobId, string contractId) =>
        session.Ledger.Contracts.GetValueOrDefault(jobId)?.Contract.ContractId == contractId;
}
