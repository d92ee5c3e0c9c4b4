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
