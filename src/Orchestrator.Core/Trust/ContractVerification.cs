using Orchestrator.Protocol.Model;

namespace Orchestrator.Trust;

/// <summary>One party's signature on a contract, checked: who, in which role, and the verdict.</summary>
public sealed record PartyVerdict(ParticipantRole Role, string ParticipantId, TrustVerdict Verdict);

/// <summary>
/// Checks a closed contract after the fact (an audit, a dispute): both signatures over its canonical terms, each
/// credential as of the moment the contract was signed (a credential that expired since does not undo a contract
/// made while it was valid), and revocation as of now.
/// </summary>
public static class ContractVerification
{
    public static IReadOnlyList<PartyVerdict> Verify(TrustStore store, Contract contract, ContractSignatures signatures, DateTimeOffset? at = null)
    {
        var bytes = Signing.ContractBytes(contract);
        var when = at ?? contract.SignedAt;
        return
        [
            new(ParticipantRole.ServiceProvider, contract.RequesterNodeId,
                Signing.Verify(store, signatures.Requester, ParticipantRole.ServiceProvider, contract.RequesterNodeId, bytes, when)),
            new(ParticipantRole.ComputeProvider, contract.ProviderId,
                Signing.Verify(store, signatures.Provider, ParticipantRole.ComputeProvider, contract.ProviderId, bytes, when)),
        ];
    }
}

/// <summary>One signature on a settlement, checked: what was signed (the receipt, or the settlement), by whom, and the verdict.</summary>
public sealed record SettlementVerdict(string What, ParticipantRole Role, string ParticipantId, TrustVerdict Verdict);

/// <summary>
/// Checks a settlement after the fact (an audit, a dispute), offline: the provider's signature over its receipt, and both
/// parties' over the settlement (the amount, how it was computed, the usage), each credential as of the settlement's
/// time, revocation as of now. A signature that is absent is reported as unsigned.
/// </summary>
public static class SettlementVerification
{
    public static IReadOnlyList<SettlementVerdict> Verify(TrustStore store, SettlementRecord record, DateTimeOffset? at = null)
    {
        var s = record.Settlement ?? throw new TrustException($"settlement of {record.ContractId}: it is {record.State}, nothing was signed by both sides yet");
        var when = at ?? s.At;
        return
        [
            Check(store, "receipt", record.ReceiptProof, ParticipantRole.ComputeProvider, s.ProviderId, Signing.ReceiptBytes(s.Usage), when),
            Check(store, "settlement", record.RequesterProof, ParticipantRole.ServiceProvider, s.RequesterNodeId, Signing.SettlementBytes(s), when),
            Check(store, "settlement", record.ProviderProof, ParticipantRole.ComputeProvider, s.ProviderId, Signing.SettlementBytes(s), when),
        ];
    }

    private static SettlementVerdict Check(TrustStore store, string what, Proof? proof, ParticipantRole role, string id, byte[] bytes, DateTimeOffset when) =>
        new(what, role, id, proof is null
            ? new TrustVerdict(DistrustReason.Unsigned, $"{TrustStore.RoleName(role)} '{id}' did not sign the {what}")
            : Signing.Verify(store, proof, role, id, bytes, when));
}
