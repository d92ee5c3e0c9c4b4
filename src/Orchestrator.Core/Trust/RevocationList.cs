using System.Text;
using System.Text.Json;

namespace Orchestrator.Trust;

/// <summary>
/// The credential serials an authority has withdrawn, signed by that authority so that nobody else can add or
/// remove one. Nodes read it from a file and pick up a new version without a restart.
/// </summary>
public sealed record RevocationList
{
    public required string AuthorityKeyId { get; init; }
    public required IReadOnlyList<string> Revoked { get; init; }
    public required DateTimeOffset IssuedAt { get; init; }
    public string Signature { get; init; } = "";

    public static RevocationList Empty(KeyPair authority, DateTimeOffset now) => Sign(authority, [], now);

    public RevocationList Add(KeyPair authority, string serial, DateTimeOffset now) =>
        Sign(authority, Revoked.Append(serial).Distinct().Order(StringComparer.Ordinal).ToArray(), now);

    private static RevocationList Sign(KeyPair authority, IReadOnlyList<string> revoked, DateTimeOffset now)
    {
        var unsigned = new RevocationList { AuthorityKeyId = authority.Id, Revoked = revoked, IssuedAt = now };
        return unsigned with { Signature = Convert.ToBase64String(authority.Sign(unsigned.SignedBytes())) };
    }

    public byte[] SignedBytes() => Encoding.UTF8.GetBytes(JsonSerializer.Serialize(this with { Signature = "" }, TrustJson.Options));

    public string ToJson() => JsonSerializer.Serialize(this, TrustJson.Indented);

    public static RevocationList FromJson(string json) =>
        JsonSerializer.Deserialize<RevocationList>(json, TrustJson.Options) ?? throw new TrustException("the revocation list is empty");
}
