using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Orchestrator.Protocol.Model;

namespace Orchestrator.Trust;

/// <summary>
/// Issuing, signing and reading credentials (<see cref="Credential"/> itself is a protocol record: it travels in
/// bids and contracts).
/// </summary>
public static class CredentialExtensions
{
    extension(Credential)
    {
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

        public static Credential FromJson(string json) =>
            JsonSerializer.Deserialize<Credential>(json, TrustJson.Options) ?? throw new TrustException("the credential is empty");
    }

    extension(Credential credential)
    {
        /// <summary>What the authority signs: every field but the signature, in a fixed order and spelling.</summary>
        public byte[] SignedBytes() => Encoding.UTF8.GetBytes(JsonSerializer.Serialize(credential with { Signature = "" }, TrustJson.Options));

        public string ToJson() => JsonSerializer.Serialize(credential, TrustJson.Indented);
    }
}

internal static class TrustJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
    };

    public static readonly JsonSerializerOptions Indented = new(Options) { WriteIndented = true };
}
