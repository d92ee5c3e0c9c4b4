using Orchestrator.Protocol.Model;
using Orchestrator.Trust;

namespace Orchestrator.Tests.Trust;

public sealed class TrustStoreTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);
    private readonly string _folder = Directory.CreateTempSubdirectory("trust-").FullName;
    private readonly KeyPair _authority = KeyPair.Create();
    private readonly KeyPair _node = KeyPair.Create();

    private Credential Approve(KeyPair? authority = null, ParticipantRole role = ParticipantRole.ComputeProvider, string id = "cp-1",
        DateTimeOffset? expires = null) =>
        Credential.Issue(authority ?? _authority, _node.PublicKey, [role], [id], Now.AddDays(-1), expires ?? Now.AddDays(30));

    private TrustStore Store(params string[] revocationFiles) => new([_authority.PublicKey], revocationFiles);

    [Fact]
    public void A_credential_from_the_trusted_authority_for_the_right_role_id_and_key_is_trusted()
    {
        var verdict = Store().Verify(Approve(), ParticipantRole.ComputeProvider, "cp-1", _node.PublicKey, Now);
        Assert.True(verdict.IsTrusted, verdict.Detail);
    }

    [Fact]
    public void A_credential_survives_its_json_form_unchanged()
    {
        var credential = Approve();
        var read = Credential.FromJson(credential.ToJson());
        Assert.True(Store().Verify(read, ParticipantRole.ComputeProvider, "cp-1", _node.PublicKey, Now).IsTrusted);
        Assert.Contains("\"compute-provider\"", credential.ToJson());
    }

    [Fact]
    public void A_credential_once_found_authentic_does_not_vouch_for_an_altered_copy_with_the_same_signature()
    {
        var store = Store();
        var good = Approve();
        Assert.True(store.Verify(good, ParticipantRole.ComputeProvider, "cp-1", _node.PublicKey, Now).IsTrusted);

        foreach (var altered in new[]
                 {
                     good with { Ids = ["cp-1", "cp-2"] }, good with { Roles = [ParticipantRole.ComputeProvider, ParticipantRole.ServiceProvider] },
                     good with { ExpiresAt = good.ExpiresAt.AddYears(1) }, good with { Serial = "another" },
                 })
            Assert.Equal(DistrustReason.BadSignature, store.Verify(altered, ParticipantRole.ComputeProvider, "cp-1", _node.PublicKey, Now).Reason);
        Assert.True(store.Verify(Credential.FromJson(good.ToJson()), ParticipantRole.ComputeProvider, "cp-1", _node.PublicKey, Now).IsTrusted);
    }

    [Fact]
    public void Each_flaw_is_refused_with_its_own_reason()
    {
        using var stranger = KeyPair.Create();
        var store = Store();
        var good = Approve();
        Assert.Equal(DistrustReason.UnknownAuthority, store.Verify(Approve(stranger), ParticipantRole.ComputeProvider, "cp-1", _node.PublicKey, Now).Reason);
        Assert.Equal(DistrustReason.BadSignature, store.Verify(good with { Ids = ["cp-1", "cp-2"] }, ParticipantRole.ComputeProvider, "cp-2", _node.PublicKey, Now).Reason);
        Assert.Equal(DistrustReason.BadSignature, store.Verify(good with { ExpiresAt = Now.AddYears(10) }, ParticipantRole.ComputeProvider, "cp-1", _node.PublicKey, Now).Reason);
        Assert.Equal(DistrustReason.KeyMismatch, store.Verify(good, ParticipantRole.ComputeProvider, "cp-1", stranger.PublicKey, Now).Reason);
        Assert.Equal(DistrustReason.Expired, store.Verify(Approve(expires: Now), ParticipantRole.ComputeProvider, "cp-1", _node.PublicKey, Now).Reason);
        Assert.Equal(DistrustReason.NotYetValid, store.Verify(good, ParticipantRole.ComputeProvider, "cp-1", _node.PublicKey, Now.AddDays(-2)).Reason);
        Assert.Equal(DistrustReason.WrongRole, store.Verify(good, ParticipantRole.ServiceProvider, "cp-1", _node.PublicKey, Now).Reason);
        var impersonation = store.Verify(good, ParticipantRole.ComputeProvider, "cp-other", _node.PublicKey, Now);
        Assert.Equal(DistrustReason.IdNotCovered, impersonation.Reason);
        Assert.Contains("cp-other", impersonation.Detail);
    }

    [Fact]
    public void A_revocation_is_picked_up_from_the_file_without_a_new_store_and_a_forged_list_is_ignored()
    {
        var file = Path.Combine(_folder, "revoked.json");
        var store = Store(file);
        var credential = Approve();
        Assert.True(store.Verify(credential, ParticipantRole.ComputeProvider, "cp-1", _node.PublicKey, Now).IsTrusted);

        File.WriteAllText(file, RevocationList.Empty(_authority, Now).Add(_authority, credential.Serial, Now).ToJson());
        File.SetLastWriteTimeUtc(file, DateTime.UtcNow.AddSeconds(1));
        Assert.Equal(DistrustReason.Revoked, store.Verify(credential, ParticipantRole.ComputeProvider, "cp-1", _node.PublicKey, Now).Reason);

        // Someone without the authority's key empties the list: it is not believed, the revocation stands.
        var forged = RevocationList.Empty(_authority, Now) with { Signature = Convert.ToBase64String(new byte[64]) };
        File.WriteAllText(file, forged.ToJson());
        File.SetLastWriteTimeUtc(file, DateTime.UtcNow.AddSeconds(2));
        Assert.Equal(DistrustReason.Revoked, store.Verify(credential, ParticipantRole.ComputeProvider, "cp-1", _node.PublicKey, Now).Reason);
    }

    [Fact]
    public void A_saved_key_is_owner_only_and_loads_back_to_the_same_id()
    {
        var file = Path.Combine(_folder, "keys", "node.pem");
        using var created = KeyPair.LoadOrCreate(file);
        using var loaded = KeyPair.LoadOrCreate(file);
        Assert.Equal(created.Id, loaded.Id);
        Assert.Equal(64, created.Id.Length);
        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        Assert.Equal(created.PublicKey, KeyPair.ParsePublicKey(created.PublicKeyPem()));
    }

    private static string Short(string keyId) => keyId[..16];

    [Fact]
    public void Each_refusal_says_what_was_wrong_in_words()
    {
        using var stranger = KeyPair.Create();
        var store = Store();
        var good = Approve();
        var s = good.Serial;
        string Detail(Credential c, ParticipantRole role = ParticipantRole.ComputeProvider, string id = "cp-1", byte[]? key = null, DateTimeOffset? at = null) =>
            store.Verify(c, role, id, key ?? _node.PublicKey, at ?? Now).ToString();

        var foreign = Approve(stranger);
        Assert.Equal($"unknown-authority: credential {foreign.Serial} is signed by authority {Short(stranger.Id)}, which this node does not trust", Detail(foreign));
        Assert.Equal($"bad-signature: credential {s}: the authority's signature does not match its contents", Detail(good with { Ids = ["cp-2"] }, id: "cp-2"));
        Assert.Equal($"key-mismatch: signed by key {Short(stranger.Id)}, but credential {s} is for key {Short(_node.Id)}", Detail(good, key: stranger.PublicKey));
        Assert.Equal($"not-yet-valid: credential {s} is valid from {good.IssuedAt:O}", Detail(good, at: good.IssuedAt.AddTicks(-1)));
        Assert.Equal($"expired: credential {s} expired at {good.ExpiresAt:O}", Detail(good, at: good.ExpiresAt));
        Assert.Equal($"wrong-role: credential {s} approves compute-provider, not service-provider", Detail(good, role: ParticipantRole.ServiceProvider));
        Assert.Equal($"id-not-covered: credential {s} covers cp-1, not 'cp-2'", Detail(good, id: "cp-2"));
        Assert.Equal("trusted", Detail(good, at: good.IssuedAt));
        Assert.Equal("trusted", Detail(good, at: good.ExpiresAt.AddTicks(-1)));
        Assert.True(store.Verify(good, ParticipantRole.ComputeProvider, "cp-1", null, Now).IsTrusted);
    }

    [Fact]
    public void A_credential_whose_key_id_is_not_its_keys_or_whose_parts_are_not_base64_is_refused()
    {
        Credential SignedAs(Credential unsigned) => unsigned with { Signature = Convert.ToBase64String(_authority.Sign(unsigned.SignedBytes())) };
        var good = Approve();
        var store = Store();

        var wrongId = SignedAs(good with { SubjectKeyId = new string('0', 64) });
        Assert.Equal($"key-mismatch: credential {good.Serial}: its key id does not match its public key",
            store.Verify(wrongId, ParticipantRole.ComputeProvider, "cp-1", null, Now).ToString());
        var garbledKey = SignedAs(good with { SubjectPublicKey = "not base64!" });
        Assert.Equal(DistrustReason.KeyMismatch, store.Verify(garbledKey, ParticipantRole.ComputeProvider, "cp-1", null, Now).Reason);
        Assert.Equal(DistrustReason.BadSignature, store.Verify(good with { Signature = "not base64!" }, ParticipantRole.ComputeProvider, "cp-1", null, Now).Reason);
    }

    [Fact]
    public void A_remembered_credential_vouches_for_nothing_but_its_exact_copy()
    {
        var store = Store();
        var good = Approve();
        Assert.True(store.Verify(good, ParticipantRole.ComputeProvider, "cp-1", _node.PublicKey, Now).IsTrusted);
        using var other = KeyPair.Create();
        foreach (var altered in new[]
                 {
                     good with { Version = 2 }, good with { SubjectKeyId = other.Id }, good with { SubjectPublicKey = Convert.ToBase64String(other.PublicKey) },
                     good with { IssuedAt = good.IssuedAt.AddDays(-1) }, good with { IssuedAt = good.IssuedAt.ToOffset(TimeSpan.FromHours(2)) },
                     good with { ExpiresAt = good.ExpiresAt.ToOffset(TimeSpan.FromHours(-3)) },
                     good with { Roles = [ParticipantRole.ServiceProvider] }, good with { Ids = ["cp-9"] },
                 })
        {
            var verdict = store.Verify(altered, altered.Roles[0], altered.Ids[0], null, Now);
            Assert.False(verdict.IsTrusted, $"{altered.ToJson()} was trusted");
        }

        Assert.True(store.Verify(good with { }, ParticipantRole.ComputeProvider, "cp-1", null, Now).IsTrusted);
    }

    [Fact]
    public void Revocation_lists_are_read_from_every_file_and_a_missing_or_unreadable_one_is_tried_again_later()
    {
        var first = Path.Combine(_folder, "first.json");
        var second = Path.Combine(_folder, "second.json");
        var store = Store(first, second);
        var credential = Approve();
        bool Trusted() => store.Verify(credential, ParticipantRole.ComputeProvider, "cp-1", _node.PublicKey, Now).IsTrusted;

        Assert.True(Trusted());
        File.WriteAllText(second, "{ half written");
        Assert.True(Trusted());
        File.WriteAllText(second, RevocationList.Empty(_authority, Now).Add(_authority, credential.Serial, Now).ToJson());
        File.SetLastWriteTimeUtc(second, DateTime.UtcNow.AddSeconds(1));
        Assert.False(Trusted());

        // A list signed by an authority this node does not trust revokes nothing.
        using var stranger = KeyPair.Create();
        var other = Approve(id: "cp-2");
        File.WriteAllText(first, RevocationList.Empty(stranger, Now).Add(stranger, other.Serial, Now).ToJson());
        Assert.True(store.Verify(other, ParticipantRole.ComputeProvider, "cp-2", _node.PublicKey, Now).IsTrusted);
        Assert.Equal([_authority.Id], store.AuthorityIds);
    }

    [Fact]
    public void A_remembered_credential_does_not_vouch_for_a_copy_claiming_another_trusted_authority()
    {
        using var second = KeyPair.Create();
        var store = new TrustStore([_authority.PublicKey, second.PublicKey]);
        var good = Approve();
        Assert.True(store.Verify(good, ParticipantRole.ComputeProvider, "cp-1", null, Now).IsTrusted);
        Assert.Equal(DistrustReason.BadSignature, store.Verify(good with { AuthorityKeyId = second.Id }, ParticipantRole.ComputeProvider, "cp-1", null, Now).Reason);
    }

    [Fact]
    public void A_revocation_list_is_read_again_each_time_its_file_changes()
    {
        var file = Path.Combine(_folder, "revoked.json");
        var store = Store(file);
        var first = Approve();
        var second = Approve();
        var list = RevocationList.Empty(_authority, Now).Add(_authority, first.Serial, Now);
        File.WriteAllText(file, list.ToJson());
        File.SetLastWriteTimeUtc(file, DateTime.UtcNow.AddSeconds(1));
        Assert.Equal(DistrustReason.Revoked, store.Verify(first, ParticipantRole.ComputeProvider, "cp-1", null, Now).Reason);
        Assert.True(store.Verify(second, ParticipantRole.ComputeProvider, "cp-1", null, Now).IsTrusted);

        File.WriteAllText(file, list.Add(_authority, second.Serial, Now).ToJson());
        File.SetLastWriteTimeUtc(file, DateTime.UtcNow.AddSeconds(2));
        Assert.Equal($"revoked: credential {second.Serial} was revoked by its authority",
            store.Verify(second, ParticipantRole.ComputeProvider, "cp-1", null, Now).ToString());
    }

    [Fact]
    public void A_short_authority_id_is_quoted_whole_and_every_covered_id_is_listed()
    {
        var good = Approve();
        Assert.Equal($"unknown-authority: credential {good.Serial} is signed by authority abc, which this node does not trust",
            Store().Verify(good with { AuthorityKeyId = "abc" }, ParticipantRole.ComputeProvider, "cp-1", null, Now).ToString());
        var two = Credential.Issue(_authority, _node.PublicKey, [ParticipantRole.ComputeProvider], ["cp-2", "cp-1"], Now.AddDays(-1), Now.AddDays(1));
        Assert.Equal($"id-not-covered: credential {two.Serial} covers cp-1, cp-2, not 'cp-3'",
            Store().Verify(two, ParticipantRole.ComputeProvider, "cp-3", null, Now).ToString());
    }

    [Theory]
    [InlineData(ParticipantRole.ServiceProvider, "service-provider")]
    [InlineData(ParticipantRole.ComputeProvider, "compute-provider")]
    public void Roles_read_as_on_the_wire(ParticipantRole role, string name) => Assert.Equal(name, TrustStore.RoleName(role));

    public void Dispose()
    {
        _authority.Dispose();
        _node.Dispose();
        Directory.Delete(_folder, recursive: true);
    }
}
