using Orchestrator.Protocol.Messages;
using Orchestrator.Protocol.Model;
using Orchestrator.Trust;

namespace Orchestrator.Tests.Trust;

/// <summary>The attacks of issue 6 against what is signed: each refused with its own reason.</summary>
public sealed class SigningTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);
    private readonly KeyPair _authority = KeyPair.Create();
    private readonly KeyPair _provider = KeyPair.Create();
    private readonly KeyPair _requester = KeyPair.Create();
    private readonly TrustStore _store;
    private readonly Credential _providerCredential;
    private readonly Credential _requesterCredential;

    public SigningTests()
    {
        _store = new TrustStore([_authority.PublicKey]);
        _providerCredential = Credential.Issue(_authority, _provider.PublicKey, [ParticipantRole.ComputeProvider], ["cp-1"], Now.AddDays(-1), Now.AddDays(30));
        _requesterCredential = Credential.Issue(_authority, _requester.PublicKey, [ParticipantRole.ServiceProvider], ["sp-1"], Now.AddDays(-1), Now.AddDays(30));
    }

    private static Bid BidFor(string job, string provider = "cp-1", decimal price = 1.5m) =>
        new(job, provider, price, true, Now.AddSeconds(30), 0.5, Now);

    private static Contract Terms() => new("job-1@cp-1", "job-1", "sp-1", "cp-1",
        new ResourceRequirements { CpuCores = 2, RamMb = 2048, DiskGb = 10 }, [], 1.5m, Now, Now, Now.AddHours(1));

    [Fact]
    public void A_bid_signed_by_an_approved_provider_for_this_job_and_nonce_is_trusted()
    {
        var proof = Signing.Sign(_provider, _providerCredential, Signing.BidBytes(BidFor("job-1"), "nonce-a"));
        var verdict = Signing.Verify(_store, proof, ParticipantRole.ComputeProvider, "cp-1", Signing.BidBytes(BidFor("job-1"), "nonce-a"), Now);
        Assert.True(verdict.IsTrusted, verdict.Detail);
    }

    [Fact]
    public void A_forged_bid_signature_a_changed_price_and_a_bid_replayed_into_another_job_or_round_are_bad_signatures()
    {
        var bytes = Signing.BidBytes(BidFor("job-1"), "nonce-a");
        var forged = new Proof(Convert.ToBase64String(new byte[64]), _providerCredential);
        Assert.Equal(DistrustReason.BadSignature, Signing.Verify(_store, forged, ParticipantRole.ComputeProvider, "cp-1", bytes, Now).Reason);

        var genuine = Signing.Sign(_provider, _providerCredential, bytes);
        Assert.Equal(DistrustReason.BadSignature, Signing.Verify(_store, genuine, ParticipantRole.ComputeProvider, "cp-1",
            Signing.BidBytes(BidFor("job-1", price: 0.1m), "nonce-a"), Now).Reason);
        Assert.Equal(DistrustReason.BadSignature, Signing.Verify(_store, genuine, ParticipantRole.ComputeProvider, "cp-1",
            Signing.BidBytes(BidFor("job-2"), "nonce-a"), Now).Reason);
        Assert.Equal(DistrustReason.BadSignature, Signing.Verify(_store, genuine, ParticipantRole.ComputeProvider, "cp-1",
            Signing.BidBytes(BidFor("job-1"), "nonce-b"), Now).Reason);
    }

    [Fact]
    public void A_provider_signing_as_another_providers_id_is_not_covered_and_a_key_posing_with_someone_elses_credential_mismatches()
    {
        var asOther = Signing.BidBytes(BidFor("job-1", provider: "cp-2"), "n");
        var proof = Signing.Sign(_provider, _providerCredential, asOther);
        Assert.Equal(DistrustReason.IdNotCovered, Signing.Verify(_store, proof, ParticipantRole.ComputeProvider, "cp-2", asOther, Now).Reason);

        // A thief holding cp-1's credential but not its key signs with its own key: the signature is not cp-1's key's.
        using var thief = KeyPair.Create();
        var stolen = Signing.Sign(thief, _providerCredential, Signing.BidBytes(BidFor("job-1"), "n"));
        Assert.Equal(DistrustReason.BadSignature, Signing.Verify(_store, stolen, ParticipantRole.ComputeProvider, "cp-1", Signing.BidBytes(BidFor("job-1"), "n"), Now).Reason);
    }

    [Fact]
    public void Contract_terms_signed_by_both_parties_verify_and_any_change_after_signing_breaks_both()
    {
        var terms = Terms();
        var requester = Signing.Sign(_requester, _requesterCredential, Signing.ContractBytes(terms));
        var provider = Signing.Sign(_provider, _providerCredential, Signing.ContractBytes(terms));
        Assert.True(Signing.Verify(_store, requester, ParticipantRole.ServiceProvider, "sp-1", Signing.ContractBytes(terms), Now).IsTrusted);
        Assert.True(Signing.Verify(_store, provider, ParticipantRole.ComputeProvider, "cp-1", Signing.ContractBytes(terms), Now).IsTrusted);

        // The same instant with another offset is the same terms.
        var sameInstant = terms with { EndsAt = terms.EndsAt.ToOffset(TimeSpan.FromHours(2)) };
        Assert.True(Signing.Verify(_store, provider, ParticipantRole.ComputeProvider, "cp-1", Signing.ContractBytes(sameInstant), Now).IsTrusted);

        foreach (var tampered in new[]
                 {
                     terms with { PricePerHour = 0.01m }, terms with { EndsAt = terms.EndsAt.AddDays(30) },
                     terms with { Resources = terms.Resources with { CpuCores = 64 } }, terms with { ProviderId = "cp-9" },
                 })
        {
            Assert.Equal(DistrustReason.BadSignature, Signing.Verify(_store, requester, ParticipantRole.ServiceProvider, "sp-1", Signing.ContractBytes(tampered), Now).Reason);
            Assert.Equal(DistrustReason.BadSignature, Signing.Verify(_store, provider, ParticipantRole.ComputeProvider, "cp-1", Signing.ContractBytes(tampered), Now).Reason);
        }
    }

    [Fact]
    public void A_requester_approved_only_as_a_compute_provider_cannot_sign_as_the_service_provider()
    {
        var bytes = Signing.ContractBytes(Terms());
        var proof = Signing.Sign(_provider, _providerCredential, bytes);
        Assert.Equal(DistrustReason.WrongRole, Signing.Verify(_store, proof, ParticipantRole.ServiceProvider, "cp-1", bytes, Now).Reason);
    }

    [Fact]
    public void A_bid_is_signed_over_its_job_provider_nonce_price_lock_and_times_in_a_fixed_form()
    {
        var locked = BidFor("job-1") with { LockExpiresAt = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_030_000), BidAt = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_123) };
        Assert.Equal("orchestrator/bid/v1\njob-1\ncp-1\nnonce-a\n1.5\nlocked\n1700000030000\n1700000000123",
            System.Text.Encoding.UTF8.GetString(Signing.BidBytes(locked, "nonce-a")));
        var open = locked with { ResourcesLocked = false, LockExpiresAt = null };
        Assert.Equal("orchestrator/bid/v1\njob-1\ncp-1\nnonce-a\n1.5\nnot-locked\n-\n1700000000123",
            System.Text.Encoding.UTF8.GetString(Signing.BidBytes(open, "nonce-a")));
    }

    [Fact]
    public void Contract_terms_are_signed_to_the_millisecond_whatever_the_offset()
    {
        var terms = Terms();
        var text = System.Text.Encoding.UTF8.GetString(Signing.ContractBytes(terms));
        Assert.StartsWith("orchestrator/contract/v1\n{", text);
        Assert.Contains("\"jobId\":\"job-1\"", text);
        var finer = terms with { SignedAt = terms.SignedAt.AddTicks(9_999), StartsAt = terms.StartsAt.AddTicks(1).ToOffset(TimeSpan.FromHours(5)), EndsAt = terms.EndsAt.AddTicks(5) };
        Assert.Equal(Signing.ContractBytes(terms), Signing.ContractBytes(finer));
        Assert.NotEqual(Signing.ContractBytes(terms), Signing.ContractBytes(terms with { SignedAt = terms.SignedAt.AddMilliseconds(1) }));
        Assert.NotEqual(Signing.ContractBytes(terms), Signing.ContractBytes(terms with { StartsAt = terms.StartsAt.AddMilliseconds(1) }));
    }

    [Fact]
    public void A_proof_whose_key_or_signature_is_not_base64_is_refused_in_words()
    {
        var bytes = Signing.BidBytes(BidFor("job-1"), "n");
        var proof = Signing.Sign(_provider, _providerCredential, bytes);
        Assert.Equal($"key-mismatch: credential {_providerCredential.Serial}: its public key is not base64",
            Signing.Verify(_store, proof with { Credential = _providerCredential with { SubjectPublicKey = "%%%" } }, ParticipantRole.ComputeProvider, "cp-1", bytes, Now).ToString());
        Assert.Equal("bad-signature: compute-provider 'cp-1': the signature does not match what was signed (altered, forged, or made for another job or request)",
            Signing.Verify(_store, proof with { Signature = "%%%" }, ParticipantRole.ComputeProvider, "cp-1", bytes, Now).ToString());
        // A credential problem comes before the signature is looked at.
        Assert.Equal(DistrustReason.WrongRole, Signing.Verify(_store, proof with { Signature = "%%%" }, ParticipantRole.ServiceProvider, "cp-1", bytes, Now).Reason);
    }

    public void Dispose()
    {
        _authority.Dispose();
        _provider.Dispose();
        _requester.Dispose();
    }
}
