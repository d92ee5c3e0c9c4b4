using System.Text.Json.Serialization;

namespace Orchestrator.Protocol.Model;

/// <summary>The two roles a node can be approved for, as the seed names them.</summary>
public enum ParticipantRole
{
    [JsonStringEnumMemberName("service-provider")] ServiceProvider,
    [JsonStringEnumMemberName("compute-provider")] ComputeProvider,
}

/// <summary>
/// The network authority's approval of one node key: the roles it may play, the participant ids it may act as (its
/// node id, the ids of the providers it hosts), and how long. The authority signs every field but the signature
/// (see Orchestrator.Trust), so changing any field (a role, an id, the expiry) breaks it. Travels with every
/// signed bid and contract, so the counterparty needs nothing but the authority's public key to check it.
/// </summary>
public sealed record Credential
{
    public int Version { get; init; } = 1;
    public required string Serial { get; init; }
    public required string SubjectKeyId { get; init; }
    public required string SubjectPublicKey { get; init; }
    public required IReadOnlyList<ParticipantRole> Roles { get; init; }
    public required IReadOnlyList<string> Ids { get; init; }
    public required DateTimeOffset IssuedAt { get; init; }
    public required DateTimeOffset ExpiresAt { get; init; }
    public required string AuthorityKeyId { get; init; }
    public string Signature { get; init; } = "";
}

/// <summary>A signature (base64) by a node key over one message, with the credential that says who the key may act as.</summary>
public sealed record Proof(string Signature, Credential Credential);

/// <summary>The contract's two signatures over its canonical terms: the requester's (service provider) and the provider's.</summary>
public sealed record ContractSignatures(Proof Requester, Proof Provider);
