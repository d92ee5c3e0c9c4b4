using Orchestrator.Protocol.Model;

namespace Orchestrator.Settlements;

/// <summary>
/// A job's record of one ended contract's settlement: the terms it was made on, how the job recorded the run's end (and
/// whether that outcome came from the provider's allocation or was the job's own conclusion: cancelled, provider lost),
/// and the ledger row as it stands.
/// </summary>
public sealed record ContractSettlement(Contract Contract, int Run, RunOutcome Outcome, bool OutcomeFromProvider, SettlementRecord Record)
{
    public string ContractId => Contract.ContractId;

    /// <summary>The job still has something to do: have the provider countersign, or have the amount transferred.</summary>
    public bool Pending => Record.State == SettlementState.Proposed || (Record.State == SettlementState.Settled && Record.Transfer is null);
}
