using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Orchestrator.Trust;

/// <summary>The two roles a node can be approved for, as the seed names them.</summary>
public enum ParticipantRole
{
    [JsonStringEnumMemberName("service-provider")] ServiceProvider,
    [JsonStringEnumMemberName("compute-provider")] ComputeProvider,
}

/// <summary>
/// The network authority's approval of one node key: the roles it may play, the participant ids it may act as (its
/// node id, the ids of the providers it hosts), and how long. Signed by the authority over its canonical form, so
/// changing any field (a role, an id, the expiry) breaks the signature.
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

    public static Credential Issue(KeyPair authority, byte[] subjectPublicKey, IReadOnlyList<ParticipantRole> roles, IReadOnlyList<string> ids,
        DateTimeOffset issuedAt, DateTimeOffset expiresAt)
    {
        if (roles.Count == 0) throw new TrustException("roles: name at least one (service-provider, compute-provider)");
        if (ids.Count == 0) throw new TrustException("ids: name at least one participant id the key may act as");
        if (expiresAt <= issuedAt) throw new TrustException($"expires: {expiresAt:O} is not after {issuedAt:O}");
        var unsigned = new Credential
        {
            Serial = Guid.CreateVersion7().ToString("N"),
            SubjectKeyId = KeyPair.KeyIdOf(subjectPublicKey),
            SubjectPublicKey = Convert.ToBase64String(subjectPublicKey),
            Roles = roles.Distinct().Order().ToArray(),
            Ids = ids.Distinct().Order(StringComparer.Ordinal).ToArray(),
            IssuedAt = issuedAt,
            ExpiresAt = expiresAt,
            AuthorityKeyId = authority.Id,
        };
        return unsigned with { Signature = Convert.ToBase64String(authority.Sign(unsigned.SignedBytes())) };
    }

    /// <summary>What the authority signs: every field but the signature, in a fixed order and spelling.</summary>
    public byte[] SignedBytes() => Encoding.UTF8.GetBytes(JsonSerializer.Serialize(this with { Signature = "" }, TrustJson.Options));

    public string ToJson() => JsonSerializer.Serialize(this, TrustJson.Indented);

    public static Credential FromJson(string json) =>
        JsonSerializer.Deserialize<Credential>(json, TrustJson.Options) ?? throw new TrustException("the credential is empty");
}

internal static class TrustJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
    };

    public static readonly JsonSerializerOptions Indented = new(Options) { WriteIndented = true };
}
