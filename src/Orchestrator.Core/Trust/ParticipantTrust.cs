using Orchestrator.Configuration;
using Orchestrator.Protocol.Messages;
using Orchestrator.Protocol.Model;

namespace Orchestrator.Trust;

/// <summary>
/// How this node proves who its participants are, and checks who the others are. On a network with an authority
/// (<see cref="Signed"/>) the node key signs its bids, job-request acceptances and contracts, and every
/// counterparty's proof is checked against the authorities' credentials. Without one nothing is signed, and
/// counterparties are approved by id (<see cref="ByList"/>: <c>orchestrator.approvedIds</c>) or, the default, by
/// membership (<see cref="ClusterMembers"/>): the cluster is the trust boundary, guarded by its TLS transport.
/// </summary>
public sealed class ParticipantTrust
{
    private readonly ApprovalPolicy _approval;
    private readonly KeyPair? _key;
    private readonly Credential? _credential;
    private readonly TrustStore? _store;

    private ParticipantTrust(ApprovalPolicy approval, KeyPair? key, Credential? credential, TrustStore? store, bool members = false)
    {
        TrustsClusterMembers = members;
        _approval = approval;
        _key = key;
        _credential = credential;
        _store = store;
    }

    public static ParticipantTrust ByList(ApprovalPolicy approval) => new(approval, null, null, null);

    /// <summary>
    /// No authority and no list: every node of this cluster, and every provider a node of it announces in the
    /// directory, is approved. A provider checks that a contract proposal comes from a current member (see
    /// <see cref="TrustsClusterMembers"/>); a job only ever asks providers the directory, which members alone write,
    /// announced.
    /// </summary>
    public static ParticipantTrust ClusterMembers() => new(new ApprovalPolicy([]), null, null, null, members: true);

    /// <summary>Approval by membership: the party is trusted if its message came from this cluster.</summary>
    public bool TrustsClusterMembers { get; }

    public static ParticipantTrust Signed(KeyPair nodeKey, Credential credential, TrustStore store) =>
        new(new ApprovalPolicy([]), nodeKey, credential, store);

    public bool IsSigned => _store is not null;

    /// <summary>
    /// A provider onboarded at run time: approved by self-approval when approval is by list, or refused (the
    /// reason) when the node's credential does not cover it, since no counterparty would trust its bids.
    /// </summary>
    public string? Admit(string providerId, bool selfApproval)
    {
        if (_credential is null)
        {
            if (selfApproval && !TrustsClusterMembers) _approval.With(providerId);
            return null;
        }

        return _credential.Ids.Contains(providerId, StringComparer.Ordinal) && _credential.Roles.Contains(ParticipantRole.ComputeProvider)
            ? null
            : $"this node's credential ({_credential.Serial}) does not approve it as compute-provider '{providerId}': ask the authority for one that does";
    }

    /// <summary>
    /// Whether this node's own credential still stands (signed, valid, not revoked — the revocation list is reread
    /// when it changes), and when it expires; null on a network without an authority.
    /// </summary>
    public (TrustVerdict Verdict, DateTimeOffset ExpiresAt)? OwnStanding(DateTimeOffset now) =>
        _store is null || _credential is null || _key is null
            ? null
            : (_store.Verify(_credential, _credential.Roles[0], _credential.Ids[0], _key.PublicKey, now), _credential.ExpiresAt);

    /// <summary>This node's signature over <paramref name="bytes"/>, or none when the network has no authority.</summary>
    public Proof? Sign(byte[] bytes) => _key is null || _credential is null ? null : Signing.Sign(_key, _credential, bytes);

    /// <summary>
    /// A bid or job-request acceptance, checked before the job ranks it or relies on its lock. Approval by list is
    /// checked at contract closure only, as it always was.
    /// </summary>
    public TrustVerdict CheckBid(Bid bid, string nonce, DateTimeOffset now) =>
        _store is null ? TrustVerdict.Trusted : CheckProof(bid.Proof, ParticipantRole.ComputeProvider, bid.ProviderId, Signing.BidBytes(bid, nonce), now);

    /// <summary>A party's signature over exactly these contract terms (nothing to check when approval is by list).</summary>
    public TrustVerdict CheckContract(Proof? proof, ParticipantRole role, string participantId, Contract terms, DateTimeOffset now) =>
        _store is null ? TrustVerdict.Trusted : CheckProof(proof, role, participantId, Signing.ContractBytes(terms), now);

    /// <summary>
    /// Approval by list: is the party on it? (Always yes on a network with an authority, which checks signatures
    /// instead, and under approval by membership, where the provider checks the sender's membership.)
    /// </summary>
    public TrustVerdict CheckApproved(ParticipantRole role, string participantId) =>
        _store is not null || TrustsClusterMembers || _approval.IsApproved(participantId)
            ? TrustVerdict.Trusted
            : new TrustVerdict(DistrustReason.NotApproved,
                _approval.Why(participantId, role == ParticipantRole.ServiceProvider ? "service provider" : "compute provider"));

    /// <summary>
    /// A party's signature over a receipt or a settlement (the bytes given): checked on a network with an authority; there
    /// is nothing to check without one (nothing is signed).
    /// </summary>
    public TrustVerdict CheckSigned(Proof? proof, ParticipantRole role, string participantId, byte[] bytes, DateTimeOffset now) =>
        _store is null ? TrustVerdict.Trusted : CheckProof(proof, role, participantId, bytes, now);

    private TrustVerdict CheckProof(Proof? proof, ParticipantRole role, string participantId, byte[] bytes, DateTimeOffset now) =>
        proof is null
            ? new TrustVerdict(DistrustReason.Unsigned, $"{TrustStore.RoleName(role)} '{participantId}' sent no signature, and this network requires one")
            : Signing.Verify(_store!, proof, role, participantId, bytes, now);
}
