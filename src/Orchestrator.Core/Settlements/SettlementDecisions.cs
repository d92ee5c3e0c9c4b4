using Orchestrator.Jobs;
using Orchestrator.Protocol.Events;
using Orchestrator.Protocol.Messages;
using Orchestrator.Protocol.Model;
using Orchestrator.Trust;

namespace Orchestrator.Settlements;

/// <summary>What a job does with a provider's receipt.</summary>
public abstract record ReceiptDecision
{
    private ReceiptDecision() { }

    /// <summary>Nothing yet: the job has not recorded the run's end (the end report comes first).</summary>
    public sealed record Wait : ReceiptDecision
    {
        public static readonly Wait Instance = new();
    }

    /// <summary>Settled, proposed or disputed already: the same answer again (<see cref="Record"/>).</summary>
    public sealed record Answered(ContractSettlement Record) : ReceiptDecision;

    /// <summary>The receipt cannot be attributed to this job's provider and contract (forged, altered, another contract's): not recorded.</summary>
    public sealed record Refuse(string Reason) : ReceiptDecision;

    /// <summary>A genuine receipt the job disagrees with: the dispute is recorded (and told to the provider).</summary>
    public sealed record Dispute(SettlementDisputed Event) : ReceiptDecision;

    /// <summary>The receipt holds: the job signs and records this settlement, and proposes it.</summary>
    public sealed record Propose(Settlement Settlement) : ReceiptDecision;
}

/// <summary>
/// Pure decisions about a job's settlements: whether a receipt holds against the job's own record and what it settles
/// for, and what the provider's answer to a proposal means. Keyed by contract id: each contract is settled (or disputed)
/// once, whatever is delivered twice.
/// </summary>
public static class SettlementDecisions
{
    public const string Requester = "requester";
    public const string Provider = "provider";

    /// <param name="verify">Whether the provider's signature over the receipt holds (asked only for a receipt that names this job's contract).</param>
    public static ReceiptDecision OnReceipt(Job job, UsageReceipt receipt, Func<TrustVerdict> verify, DateTimeOffset now)
    {
        var entry = job.Settlements.FirstOrDefault(s => s.ContractId == receipt.ContractId);
        if (entry is null)
            return job.Contract?.ContractId == receipt.ContractId && job.State is JobState.Contracted or JobState.Running
                ? ReceiptDecision.Wait.Instance
                : new ReceiptDecision.Refuse($"job '{job.JobId}' holds no ended contract '{receipt.ContractId}'");
        if (entry.Record.State != SettlementState.AwaitingReceipt) return new ReceiptDecision.Answered(entry);

        var contract = entry.Contract;
        if (receipt.JobId != contract.JobId)
            return new ReceiptDecision.Refuse($"the receipt names job '{receipt.JobId}', not '{contract.JobId}' of contract '{contract.ContractId}'");
        if (receipt.ProviderId != contract.ProviderId)
            return new ReceiptDecision.Refuse($"the receipt names provider '{receipt.ProviderId}', not the contract's '{contract.ProviderId}'");
        var verdict = verify();
        if (!verdict.IsTrusted) return new ReceiptDecision.Refuse(verdict.ToString());

        var disagreement = Disagreement(entry, receipt, now);
        if (disagreement is not null)
            return new ReceiptDecision.Dispute(new SettlementDisputed(job.JobId, contract.ContractId, contract.ProviderId, Requester, disagreement, receipt, null, now));
        return new ReceiptDecision.Propose(SettlementTerms.Compute(contract, receipt, SettlementTerms.OutcomeCode(entry.Outcome), now));
    }

    /// <summary>Where a signed receipt contradicts what the job itself saw; null when it does not.</summary>
    public static string? Disagreement(ContractSettlement entry, UsageReceipt receipt, DateTimeOffset now)
    {
        var contract = entry.Contract;
        if (receipt.EndedAt < receipt.StartedAt) return $"the run ends ({receipt.EndedAt:O}) before it starts ({receipt.StartedAt:O})";
        var span = (long)Math.Round((receipt.EndedAt - receipt.StartedAt).TotalMilliseconds);
        if (receipt.WallMs < 0 || Math.Abs(receipt.WallMs - span) > 1)
            return $"the wall time {receipt.WallMs} ms is not the {span} ms between the run's start and end";
        if (receipt.StartedAt < contract.SignedAt - SettlementTerms.ClockSkew)
            return $"the run starts at {receipt.StartedAt:O}, before the contract was signed ({contract.SignedAt:O})";
        if (receipt.EndedAt > now + SettlementTerms.ClockSkew) return $"the run ends at {receipt.EndedAt:O}, in the future";
        // Run 0: the provider's receipt of a run that never started (nothing used).
        var neverStarted = receipt is { Run: 0, WallMs: 0 };
        if (receipt.Run != entry.Run && !neverStarted) return $"the receipt names run {receipt.Run}; the contract was the job's run {entry.Run}";
        // The outcome and result the job received from the allocation are what the receipt must name.
        if (entry.OutcomeFromProvider)
        {
            var outcome = SettlementTerms.OutcomeCode(entry.Outcome);
            if (receipt.Outcome != outcome) return $"the receipt says the run ended {receipt.Outcome}; the job received {outcome}";
            var hash = SettlementTerms.ResultHash(entry.Outcome.Outputs);
            if (receipt.ResultHash != hash) return $"the receipt's result hash {receipt.ResultHash} is not that of the outputs the job received ({hash})";
        }

        return null;
    }

    /// <summary>The provider's countersignature: the settlement, signed by both, once the job's proposal stands.</summary>
    public static IReadOnlyList<IJobEvent> OnCountersigned(Job job, SettlementCountersigned answer, Func<Settlement, TrustVerdict> verify, DateTimeOffset now)
    {
        var entry = job.Settlements.FirstOrDefault(s => s.ContractId == answer.ContractId);
        if (entry is not { Record: { State: SettlementState.Proposed, Settlement: { } settlement } }) return [];
        if (answer.ProviderId != entry.Contract.ProviderId || !verify(settlement).IsTrusted) return [];
        var r = entry.Record;
        return [new ContractSettled(job.JobId, settlement, r.ReceiptProof, r.RequesterProof, answer.ProviderProof, now)];
    }

    /// <summary>The provider will not sign the job's proposal: the dispute is recorded on the job's side too.</summary>
    public static IReadOnlyList<IJobEvent> OnRejected(Job job, SettlementRejected answer, DateTimeOffset now)
    {
        var entry = job.Settlements.FirstOrDefault(s => s.ContractId == answer.ContractId);
        if (entry is not { Record.State: SettlementState.Proposed } || answer.ProviderId != entry.Contract.ProviderId) return [];
        return [new SettlementDisputed(job.JobId, entry.ContractId, entry.Contract.ProviderId, Provider, answer.Reason, entry.Record.Receipt,
            entry.Record.ReceiptProof, now)];
    }

    /// <summary>The settlements waiting for the provider's countersignature (proposed again until it answers).</summary>
    public static IEnumerable<ContractSettlement> AwaitingCountersignature(Job job) =>
        job.Settlements.Where(s => s.Record.State == SettlementState.Proposed);

    /// <summary>The settled contracts whose amount the settlement provider has not handled yet.</summary>
    public static IEnumerable<ContractSettlement> AwaitingTransfer(Job job) =>
        job.Settlements.Where(s => s.Record.State == SettlementState.Settled && s.Record.Transfer is null);
}
