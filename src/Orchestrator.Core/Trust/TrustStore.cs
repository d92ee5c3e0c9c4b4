using Orchestrator.Protocol.Model;

namespace Orchestrator.Trust;

/// <summary>Why a counterparty is not trusted, in the words a DeclineMessage carries.</summary>
public enum DistrustReason
{
    UnknownAuthority,
    BadSignature,
    KeyMismatch,
    NotYetValid,
    Expired,
    Revoked,
    WrongRole,
    IdNotCovered,
    /// <summary>The network has an authority, and the counterparty sent no signature.</summary>
    Unsigned,
    /// <summary>No authority configured: the party is not on <c>orchestrator.approvedIds</c>.</summary>
    NotApproved,
    /// <summary>A signed contract whose terms are not the ones proposed (price, resources, parties, duration).</summary>
    TermsMismatch,
}

/// <summary>The outcome of checking a counterparty: trusted, or the reason and a sentence saying what was wrong.</summary>
public sealed record TrustVerdict(DistrustReason? Reason, string Detail)
{
    public static readonly TrustVerdict Trusted = new(null, "trusted");
    public bool IsTrusted => Reason is null;

    /// <summary>"expired: credential … expired at …": the reason first, as DeclineMessages and the CLI show it.</summary>
    public override string ToString() =>
        Reason is { } reason ? $"{System.Text.Json.JsonNamingPolicy.KebabCaseLower.ConvertName(reason.ToString())}: {Detail}" : Detail;
}

/// <summary>
/// What a node trusts: the authorities' public keys it is configured with, and their revocation lists, read from
/// files and read again whenever a file changes (no restart). A credential is trusted when a trusted authority
/// signed it, it is in its validity period and not revoked, it grants the role, it covers the participant id, and
/// it names the key that signed the message at hand.
/// </summary>
public sealed class TrustStore
{
    private readonly Dictionary<string, byte[]> _authorities;
    private readonly IReadOnlyList<string> _revocationFiles;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, (DateTime Written, IReadOnlySet<string> Serials)> _revoked = new(StringComparer.Ordinal);
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, (Credential Credential, IReadOnlySet<string> Ids)> _authentic = new(StringComparer.Ordinal);

    public TrustStore(IEnumerable<byte[]> authorityKeys, IEnumerable<string>? revocationFiles = null)
    {
        _authorities = authorityKeys.ToDictionary(KeyPair.KeyIdOf, k => k, StringComparer.Ordinal);
        _revocationFiles = revocationFiles?.ToArray() ?? [];
    }

    public IReadOnlyCollection<string> AuthorityIds => _authorities.Keys;

    public TrustVerdict Verify(Credential credential, ParticipantRole role, string participantId, byte[]? signingKey, DateTimeOffset now)
    {
        if (!_authorities.TryGetValue(credential.AuthorityKeyId, out var authority))
            return Distrust(DistrustReason.UnknownAuthority, $"credential {credential.Serial} is signed by authority {Short(credential.AuthorityKeyId)}, which this node does not trust");
        if (!IsAuthentic(credential, authority, out var ids, out var failure)) return failure!;
        if (signingKey is not null && KeyPair.KeyIdOf(signingKey) != credential.SubjectKeyId)
            return Distrust(DistrustReason.KeyMismatch, $"signed by key {Short(KeyPair.KeyIdOf(signingKey))}, but credential {credential.Serial} is for key {Short(credential.SubjectKeyId)}");
        if (now < credential.IssuedAt)
            return Distrust(DistrustReason.NotYetValid, $"credential {credential.Serial} is valid from {credential.IssuedAt:O}");
        if (now >= credential.ExpiresAt)
            return Distrust(DistrustReason.Expired, $"credential {credential.Serial} expired at {credential.ExpiresAt:O}");
        if (IsRevoked(credential))
            return Distrust(DistrustReason.Revoked, $"credential {credential.Serial} was revoked by its authority");
        if (!credential.Roles.Contains(role))
            // Stryker disable once String : with two roles in all, a credential refused a role holds one role only, so the separator never shows
            return Distrust(DistrustReason.WrongRole, $"credential {credential.Serial} approves {string.Join(", ", credential.Roles.Select(RoleName))}, not {RoleName(role)}");
        if (!ids.Contains(participantId))
            return Distrust(DistrustReason.IdNotCovered, $"credential {credential.Serial} covers {string.Join(", ", credential.Ids)}, not '{participantId}'");
        return TrustVerdict.Trusted;
    }

    /// <summary>
    /// The authority signed exactly this credential, and its key id is its key's. Every bid carries its provider's
    /// credential, so a credential found authentic is remembered (by its signature, with its contents compared
    /// field by field) and not serialised and verified again; only authentic ones are kept, so the memory is
    /// bounded by the credentials the authority issued.
    /// </summary>
    private bool IsAuthentic(Credential credential, byte[] authority, out IReadOnlySet<string> ids, out TrustVerdict? failure)
    {
        failure = null;
        if (_authentic.TryGetValue(credential.Signature, out var known) && SameContents(known.Credential, credential))
        {
            ids = known.Ids;
            return true;
        }

        ids = credential.Ids.ToHashSet(StringComparer.Ordinal);
        var signature = FromBase64(credential.Signature);
        var subject = FromBase64(credential.SubjectPublicKey);
        if (signature is null || !KeyPair.Verify(authority, credential.SignedBytes(), signature))
            failure = Distrust(DistrustReason.BadSignature, $"credential {credential.Serial}: the authority's signature does not match its contents");
        else if (subject is null || KeyPair.KeyIdOf(subject) != credential.SubjectKeyId)
            failure = Distrust(DistrustReason.KeyMismatch, $"credential {credential.Serial}: its key id does not match its public key");
        else _authentic[credential.Signature] = (credential, ids);
        return failure is null;
    }

    private static bool SameContents(Credential a, Credential b) =>
        a.Version == b.Version && a.Serial == b.Serial && a.SubjectKeyId == b.SubjectKeyId && a.SubjectPublicKey == b.SubjectPublicKey &&
        a.AuthorityKeyId == b.AuthorityKeyId && a.IssuedAt == b.IssuedAt && a.ExpiresAt == b.ExpiresAt &&
        a.IssuedAt.Offset == b.IssuedAt.Offset && a.ExpiresAt.Offset == b.ExpiresAt.Offset &&
        a.Roles.SequenceEqual(b.Roles) && a.Ids.SequenceEqual(b.Ids, StringComparer.Ordinal);

    public static string RoleName(ParticipantRole role) => role == ParticipantRole.ServiceProvider ? "service-provider" : "compute-provider";

    private bool IsRevoked(Credential credential)
    {
        lock (_gate)
        {
            foreach (var file in _revocationFiles) Refresh(file);
            return _revoked.Values.Any(list => list.Serials.Contains(credential.Serial));
        }
    }

    // A list is read again when its file changed; one not signed by a trusted authority is ignored, keeping what was
    // read before (a tampered file must not un-revoke anything).
    private void Refresh(string file)
    {
        if (!File.Exists(file)) return;
        var written = File.GetLastWriteTimeUtc(file);
        if (_revoked.TryGetValue(file, out var known) && known.Written == written) return;
        try
        {
            var list = RevocationList.FromJson(File.ReadAllText(file));
            var signature = FromBase64(list.Signature);
            if (signature is not null && _authorities.TryGetValue(list.AuthorityKeyId, out var authority) && KeyPair.Verify(authority, list.SignedBytes(), signature))
                _revoked[file] = (written, list.Revoked.ToHashSet(StringComparer.Ordinal));
        }
        catch (Exception e) when (e is IOException or System.Text.Json.JsonException or TrustException)
        {
            // Half-written or unreadable: try again on the next check.
        }
    }

    private static TrustVerdict Distrust(DistrustReason reason, string detail) => new(reason, detail);

    private static string Short(string keyId) => keyId[..Math.Min(16, keyId.Length)];

    /// <summary>The bytes, or null when the text is not base64.</summary>
    private static byte[]? FromBase64(string text)
    {
        var bytes = new byte[text.Length];
        var valid = Convert.TryFromBase64String(text, bytes, out var written);
        // Stryker disable once Conditional : text that is not base64 decodes to nothing here, which no signature or key id matches: the verdict is the same
        return valid ? bytes[..written] : null;
    }
}
