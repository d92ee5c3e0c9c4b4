using Orchestrator.Protocol.Model;

namespace Orchestrator.Settlements;

/// <summary>
/// Moves the money of a settled contract (NuNet's SettlementProvider): the plug-in point a DMS implements for its
/// payment rail (an escrow contract, a token transfer, an invoice). The requester's side calls it once a contract is
/// settled — signed by both — and records what it answered. It is called again after a failure (with a growing wait,
/// up to a minute), and once more if the node stopped between the call and the record, so an implementation must treat
/// <see cref="SettlementRecord.ContractId"/> as its idempotency key: the same contract id is the same transfer.
/// </summary>
public interface ISettlementProvider
{
    /// <summary>The name recorded with each transfer (<c>journal</c> for the default).</summary>
    string Name { get; }

    /// <summary>Transfer the settled amount; the answer is the rail's reference for it (a transaction id, an invoice number).</summary>
    Task<string> TransferAsync(SettlementRecord settlement, CancellationToken cancel);
}

/// <summary>The default: the settlement is recorded in the journal (on both sides) and nothing moves.</summary>
public sealed class JournalSettlementProvider : ISettlementProvider
{
    public static readonly JournalSettlementProvider Instance = new();

    public string Name => "journal";

    public Task<string> TransferAsync(SettlementRecord settlement, CancellationToken cancel) =>
        Task.FromResult($"recorded {SettlementTerms.Money(settlement.Settlement?.Amount ?? 0)} {settlement.Settlement?.Currency}; nothing moved");
}
