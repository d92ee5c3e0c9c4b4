using System.Collections.Immutable;
using Orchestrator.Protocol.Events;
using Orchestrator.Protocol.Messages;
using Orchestrator.Protocol.Model;

namespace Orchestrator.Providers;

/// <summary>
/// A provider's state: its <see cref="ProviderLedger"/> (capacity and what holds it, rebuilt from the journal) and what it
/// is doing about each job that lives in memory only. Pure: every change is a new session, made by applying an event or
/// by one of the named transitions below; <see cref="ProviderDecisions"/> decides which, and the actor carries it out.
/// The rules between the parts (every transition keeps them; <see cref="Violations"/> names a broken one):
/// <list type="bullet">
/// <item>a lock's nonce, a commit under way and a lock an older version journaled exist only for a job the ledger holds a lock for;</item>
/// <item>a release that arrived during a commit exists only for a job being committed;</item>
/// <item>a contract not confirmed by its job is either awaiting its job's word (<see cref="Unconfirmed"/>) or confirmed and
/// waiting to be written (<see cref="ConfirmedNotRecorded"/>), never both, and neither outlives its contract.</item>
/// </list>
/// </summary>
public sealed record ProviderSession
{
    public required ProviderLedger Ledger { get; init; }

    /// <summary>The nonce of the request each lock was last given under: a release fenced by a nonce lets go only of that lock.</summary>
    public ImmutableDictionary<string, string> LockNonces { get; init; } = ImmutableDictionary.Create<string, string>(StringComparer.Ordinal);

    /// <summary>Locks recovered from a journal written before locks were leases in memory: released with a journaled event.</summary>
    public ImmutableHashSet<string> JournaledLocks { get; init; } = ImmutableHashSet.Create<string>(StringComparer.Ordinal);

    /// <summary>Locks whose contract is being written (the lock keeps its resources held meanwhile; nothing releases it).</summary>
    public ImmutableHashSet<string> Committing { get; init; } = ImmutableHashSet.Create<string>(StringComparer.Ordinal);

    /// <summary>A release the job sent while its contract was being written, with its reason: applied once the contract exists.</summary>
    public ImmutableDictionary<string, string> ReleasedWhileCommitting { get; init; } = ImmutableDictionary.Create<string, string>(StringComparer.Ordinal);

    /// <summary>
    /// Contracts whose job has not said it holds them (phase two of closure), with the id of the latest question asked
    /// about each (null before the first, and after a re-signing voids the answers in flight).
    /// </summary>
    public ImmutableDictionary<string, string?> Unconfirmed { get; init; } = ImmutableDictionary.Create<string, string?>(StringComparer.Ordinal);

    /// <summary>Confirmations received and not yet journaled (written in batches, or riding along with the next contract).</summary>
    public ImmutableList<string> ConfirmedNotRecorded { get; init; } = [];

    /// <summary>
    /// Contracts whose run ended with a receipt and whose settlement is not recorded here yet, by contract id: the provider
    /// sends each receipt to its job until it is (journaled: they come back after a restart).
    /// </summary>
    public ImmutableDictionary<string, UnsettledContract> Unsettled { get; init; } = ImmutableDictionary.Create<string, UnsettledContract>(StringComparer.Ordinal);

    /// <summary>The provider's side of the ledger: every settlement (or dispute) it recorded, by contract id.</summary>
    public ImmutableDictionary<string, SettlementRecord> Settlements { get; init; } = ImmutableDictionary.Create<string, SettlementRecord>(StringComparer.Ordinal);

    public string ProviderId => Ledger.ProviderId;

    public static ProviderSession Start(ProviderCapability capability) => new() { Ledger = ProviderLedger.Empty(capability) };

    /// <summary>An event applied as it happens (live) or as it is read back (recovery).</summary>
    public ProviderSession Apply(IProviderEvent e)
    {
        var next = this;
        foreach (var step in Steps(e)) next = next.Step(step);
        return next;
    }

    /// <summary>
    /// An event read back from the journal. Beyond <see cref="Apply"/>: a lock in the journal is one an older version wrote,
    /// to be released with a journaled event so that it does not come back at the next restart.
    /// </summary>
    public ProviderSession Recover(IProviderEvent e)
    {
        var next = Apply(e);
        foreach (var step in Steps(e))
        {
            var jobId = (step as ResourcesLocked)?.JobId;
            if (jobId is not null && next.Ledger.Locks.ContainsKey(jobId)) next = next with { JournaledLocks = next.JournaledLocks.Add(jobId) };
        }

        return next;
    }

    /// <summary>
    /// A lock given under a request's nonce: when taken, and when given again to a later request of the same job (a release
    /// fenced by an older nonce no longer lets it go).
    /// </summary>
    public ProviderSession GivenUnder(string jobId, string nonce) =>
        Ledger.Locks.ContainsKey(jobId) ? this with { LockNonces = LockNonces.SetItem(jobId, nonce) } : this;

    /// <summary>The contract for this lock is being written.</summary>
    public ProviderSession CommitStarted(string jobId) =>
        Ledger.Locks.ContainsKey(jobId) ? this with { Committing = Committing.Add(jobId) } : this;

    /// <summary>A release arrived while the contract was being written: kept, to revoke the contract once it exists.</summary>
    public ProviderSession ReleaseAfterCommit(string jobId, string reason) =>
        Committing.Contains(jobId) ? this with { ReleasedWhileCommitting = ReleasedWhileCommitting.SetItem(jobId, reason) } : this;

    /// <summary>Asked the job about its contract: only the answer to this question counts.</summary>
    public ProviderSession Asked(string jobId, string queryId) =>
        Unconfirmed.ContainsKey(jobId) ? this with { Unconfirmed = Unconfirmed.SetItem(jobId, queryId) } : this;

    /// <summary>The contract was signed again for its job: answers to questions asked before no longer count.</summary>
    public ProviderSession SignedAgain(string jobId) =>
        Unconfirmed.ContainsKey(jobId) ? this with { Unconfirmed = Unconfirmed.SetItem(jobId, null) } : this;

    /// <summary>The job said it holds the contract: no more questions; the confirmation waits to be written.</summary>
    public ProviderSession Confirmed(string jobId) =>
        Unconfirmed.ContainsKey(jobId)
            ? this with { Unconfirmed = Unconfirmed.Remove(jobId), ConfirmedNotRecorded = ConfirmedNotRecorded.Add(jobId) }
            : this;

    /// <summary>The confirmations waiting are being written (on their own, or in the next contract's row).</summary>
    public ProviderSession ConfirmationsTaken() => this with { ConfirmedNotRecorded = [] };

    /// <summary>What is held in a form the actor can change (for a provider whose capability changed; the host journals that).</summary>
    public ProviderSession WithCapability(ProviderCapability capability) => this with { Ledger = Ledger with { Capability = capability } };

    /// <summary>The rules between the parts (see the type's summary) that this session breaks, in words; empty when none.</summary>
    public IReadOnlyList<string> Violations()
    {
        var broken = new List<string>();
        foreach (var job in LockNonces.Keys.Where(j => !Ledger.Locks.ContainsKey(j))) broken.Add($"nonce without a lock: {job}");
        foreach (var job in JournaledLocks.Where(j => !Ledger.Locks.ContainsKey(j))) broken.Add($"journaled lock without a lock: {job}");
        foreach (var job in Committing.Where(j => !Ledger.Locks.ContainsKey(j))) broken.Add($"commit without a lock: {job}");
        foreach (var job in ReleasedWhileCommitting.Keys.Where(j => !Committing.Contains(j))) broken.Add($"release kept without a commit: {job}");
        foreach (var job in Unconfirmed.Keys.Where(j => !Ledger.Contracts.ContainsKey(j))) broken.Add($"unconfirmed without a contract: {job}");
        foreach (var job in ConfirmedNotRecorded.Where(j => !Ledger.Contracts.ContainsKey(j))) broken.Add($"confirmation without a contract: {job}");
        foreach (var job in ConfirmedNotRecorded.Where(Unconfirmed.ContainsKey)) broken.Add($"both unconfirmed and confirmed: {job}");
        return broken;
    }

    private ProviderSession Step(IProviderEvent step)
    {
        // A run's end with its receipt (or a run contract's end before its run started, with a receipt of nothing used): the
        // contract's terms are read before the ledger lets the contract go.
        var (jobId, receipt, proof) = step switch
        {
            ContractEnded e => (e.JobId, e.Receipt, e.ReceiptProof),
            ContractRevoked r => (r.JobId, r.Receipt, r.ReceiptProof),
            _ => ("", null, null),
        };
        if (receipt is not null && Ledger.Contracts.GetValueOrDefault(jobId) is { } held && held.Contract.ContractId == receipt.ContractId
            && !Settlements.ContainsKey(receipt.ContractId))
            return (this with { Unsettled = Unsettled.SetItem(receipt.ContractId, new UnsettledContract(held.Contract, receipt, proof, step.At)) }).StepLedger(step);
        return StepLedger(step);
    }

    private ProviderSession StepLedger(IProviderEvent step)
    {
        var next = this with { Ledger = Ledger.Apply(step) };
        // A commitment the ledger did not take (a contract held already) changes nothing else either.
        return ReferenceEquals(next.Ledger.Contracts, Ledger.Contracts) && step is ContractCommitted ? this : next.Track(step);
    }

    private ProviderSession Track(IProviderEvent step) => step switch
    {
        LockReleased released => Forget(released.JobId),
        // The lock's bookkeeping ends (its resources pass to the contract); the contract awaits its job's word.
        ContractCommitted committed => Forget(committed.Contract.JobId) with
        {
            Committing = Committing.Remove(committed.Contract.JobId),
            ReleasedWhileCommitting = ReleasedWhileCommitting.Remove(committed.Contract.JobId),
            Unconfirmed = Unconfirmed.SetItem(committed.Contract.JobId, null),
        },
        ContractsConfirmed confirmed => this with { Unconfirmed = Unconfirmed.RemoveRange(confirmed.JobIds) },
        ContractEnded ended => Ended(ended.JobId),
        ProviderContractSettled settled => this with
        {
            Unsettled = Unsettled.Remove(settled.Settlement.ContractId),
            Settlements = Settlements.SetItem(settled.Settlement.ContractId,
                new SettlementRecord(settled.Settlement.ContractId, settled.Settlement.JobId, settled.Settlement.RequesterNodeId, ProviderId, SettlementState.Settled)
                {
                    Settlement = settled.Settlement, Receipt = settled.Settlement.Usage, ReceiptProof = settled.ReceiptProof, RequesterProof = settled.RequesterProof,
                    ProviderProof = settled.ProviderProof, EndedAt = Unsettled.GetValueOrDefault(settled.Settlement.ContractId)?.EndedAt ?? settled.At,
                    UpdatedAt = settled.At,
                }),
        },
        ProviderSettlementDisputed disputed => this with
        {
            Unsettled = Unsettled.Remove(disputed.ContractId),
            Settlements = Settlements.SetItem(disputed.ContractId,
                new SettlementRecord(disputed.ContractId, disputed.JobId, Unsettled.GetValueOrDefault(disputed.ContractId)?.Contract.RequesterNodeId ?? "",
                    ProviderId, SettlementState.Disputed)
                {
                    Receipt = Unsettled.GetValueOrDefault(disputed.ContractId)?.Receipt, ReceiptProof = Unsettled.GetValueOrDefault(disputed.ContractId)?.ReceiptProof,
                    DisputedBy = disputed.DisputedBy, DisputeReason = disputed.Reason,
                    EndedAt = Unsettled.GetValueOrDefault(disputed.ContractId)?.EndedAt ?? disputed.At, UpdatedAt = disputed.At,
                }),
        },
        ContractRevoked revoked => Ended(revoked.JobId),
        _ => this,
    };

    private ProviderSession Forget(string jobId) => this with
    {
        LockNonces = LockNonces.Remove(jobId),
        JournaledLocks = JournaledLocks.Remove(jobId),
    };

    private ProviderSession Ended(string jobId) => this with
    {
        Unconfirmed = Unconfirmed.Remove(jobId),
        ConfirmedNotRecorded = ConfirmedNotRecorded.Remove(jobId),
    };

    private static IReadOnlyList<IProviderEvent> Steps(IProviderEvent e) => e is ProviderStepsRecorded steps ? steps.Steps : [e];
}

/// <summary>A contract whose run ended with the provider's receipt, not settled yet: its terms, the receipt, its signature, when it ended.</summary>
public sealed record UnsettledContract(Contract Contract, UsageReceipt Receipt, Proof? ReceiptProof, DateTimeOffset EndedAt);
