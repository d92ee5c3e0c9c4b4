using Akka.Actor;
using Orchestrator.Protocol.Messages;
using Orchestrator.Protocol.Model;
using Orchestrator.Providers;
using Orchestrator.Trust;
using Xunit.Abstractions;
using static Orchestrator.Tests.Fixtures;

namespace Orchestrator.Tests.Actors;

/// <summary>
/// Contract closure on a network with an authority, with real job and provider actors signing with real keys:
/// the happy path, and every attack refused with its own reason and no contract. A job here is a push job naming
/// the one provider under test, so it fails (rather than searching again) once that provider is refused.
/// </summary>
public sealed class SignedExchangeTests : ActorTestBase, IDisposable
{
    // Every exchange here ends in an answer (a bid, a refusal), never in a timeout: timeouts far beyond what a starved
    // machine needs, so a slow exchange is not mistaken for a silent provider.
    private static readonly Configuration.OrchestratorSettings Patient = Settings(search: TimeSpan.FromSeconds(20), request: TimeSpan.FromSeconds(20),
        contract: TimeSpan.FromSeconds(20));

    private static readonly DateTimeOffset At = DateTimeOffset.UtcNow;
    private readonly string _folder = System.IO.Directory.CreateTempSubdirectory("orchestrator-trust-").FullName;
    private readonly KeyPair _authority = KeyPair.Create();
    private readonly KeyPair _requesterKey = KeyPair.Create();
    private readonly KeyPair _providerKey = KeyPair.Create();
    private readonly TrustStore _store;
    private readonly ParticipantTrust _requester;
    private readonly Protocol.Model.Credential _providerCredential;

    public SignedExchangeTests(ITestOutputHelper output) : base(output)
    {
        File.WriteAllText(Revocations, RevocationList.Empty(_authority, At).ToJson());
        _store = new TrustStore([_authority.PublicKey], [Revocations]);
        _requester = ParticipantTrust.Signed(_requesterKey,
            Protocol.Model.Credential.Issue(_authority, _requesterKey.PublicKey, [ParticipantRole.ServiceProvider], ["sp-test"], At.AddDays(-1), At.AddDays(30)),
            _store);
        _providerCredential = Approve(ParticipantRole.ComputeProvider, "cp-good");
    }

    private string Revocations => Path.Combine(_folder, "revoked.json");

    private Protocol.Model.Credential Approve(ParticipantRole role, string id, KeyPair? authority = null, DateTimeOffset? issued = null, DateTimeOffset? expires = null) =>
        Protocol.Model.Credential.Issue(authority ?? _authority, _providerKey.PublicKey, [role], [id], issued ?? At.AddDays(-1), expires ?? At.AddDays(30));

    private ParticipantTrust ProviderTrust(Protocol.Model.Credential? credential = null) =>
        ParticipantTrust.Signed(_providerKey, credential ?? _providerCredential, _store);

    private IActorRef SignedProvider(string id = "cp-good", Protocol.Model.Credential? credential = null, bool lockOnBid = false) =>
        RealProvider(Provider(id, lockOnBid: lockOnBid), Patient, ProviderTrust(credential));

    private IActorRef PushJob(string jobId, string providerId)
    {
        Directory.Tell(ListProviders.Instance, TestActor);
        ExpectMsg<KnownProviders>();
        var job = StartJob(jobId, Patient, _requester);
        var description = JobOf() with { OrchestrationType = OrchestrationType.Push, TargetProviders = [providerId] };
        job.Tell(new PostJob(jobId, description, "test"), TestActor);
        Assert.True(ExpectMsg<JobAccepted>().Created);
        return job;
    }

    /// <summary>The job failed without a contract, and the provider's refusal names <paramref name="reason"/>.</summary>
    private DeclineMessage Refused(IActorRef job, string providerId, ExchangePhase phase, string reason)
    {
        var status = AwaitState(job, JobState.Failed);
        Assert.Null(status.Contract);
        Assert.Null(status.Signatures);
        var decline = Assert.Single(status.Declines, d => d.ProviderId == providerId);
        Assert.Equal((phase, DeclineReason.VerificationFailed), (decline.Phase, decline.Reason));
        Assert.StartsWith(reason + ": ", decline.Detail);
        if (phase == ExchangePhase.Bid)
        {
            // Every bid failed verification: that is why the job failed, per provider, not "no eligible provider".
            Assert.Equal(FailureReason.VerificationFailed, status.Failure!.Reason);
            Assert.Contains($"{providerId}: {reason}: ", status.Failure.Message);
            Assert.Contains(status.Providers, v => v.ProviderId == providerId && v is { Outcome: "declined", Reason: "verification-failed" });
        }

        return decline;
    }

    [Fact]
    public void Approved_parties_close_a_contract_carrying_both_signatures_over_its_terms()
    {
        var provider = SignedProvider();
        var status = AwaitState(PushJob("job-signed", "cp-good"), JobState.Contracted);

        var signatures = status.Signatures!;
        var bytes = Signing.ContractBytes(status.Contract!);
        Assert.True(Signing.Verify(_store, signatures.Requester, ParticipantRole.ServiceProvider, "sp-test", bytes, At).IsTrusted);
        Assert.True(Signing.Verify(_store, signatures.Provider, ParticipantRole.ComputeProvider, "cp-good", bytes, At).IsTrusted);
        Assert.Equal(_requesterKey.Id, signatures.Requester.Credential.SubjectKeyId);
        Assert.Equal(_providerKey.Id, signatures.Provider.Credential.SubjectKeyId);
        // The provider holds the same terms it signed.
        Assert.Equal(status.Contract!.ContractId, Assert.Single(StatusOfProvider(provider).Contracts).ContractId);
    }

    [Fact]
    public void A_forged_bid_signature_is_refused_before_ranking()
    {
        var forger = ProbeProvider("cp-good");
        var job = PushJob("job-forged", "cp-good");
        var request = forger.ExpectMsg<BidRequest>();
        var bid = BidFrom("cp-good", 1m, job: request.JobId);
        // The provider's real credential (public), but a signature made with a key that is not the provider's.
        var stranger = KeyPair.Create();
        forger.Reply(bid with { Proof = Signing.Sign(stranger, _providerCredential, Signing.BidBytes(bid, request.Nonce)) });

        Refused(job, "cp-good", ExchangePhase.Bid, "bad-signature");
    }

    [Fact]
    public void A_job_request_accepted_with_a_signature_made_for_another_request_is_refused_before_the_job_relies_on_the_lock()
    {
        var provider = ProbeProvider("cp-good");
        var signer = ProviderTrust();
        var job = PushJob("job-stale-acceptance", "cp-good");
        var bidRequest = provider.ExpectMsg<BidRequest>();
        var bid = BidFrom("cp-good", 1m, job: bidRequest.JobId);
        provider.Reply(bid with { Proof = signer.Sign(Signing.BidBytes(bid, bidRequest.Nonce)) });

        // The acceptance is signed by the right key, but over the bid request's nonce, not this job request's.
        var jobRequest = provider.ExpectMsg<JobRequest>();
        Assert.NotEqual(bidRequest.Nonce, jobRequest.Nonce);
        var locked = BidFrom("cp-good", 1m, locked: true, job: jobRequest.JobId);
        provider.Reply(locked with { Proof = signer.Sign(Signing.BidBytes(locked, bidRequest.Nonce)) });

        Refused(job, "cp-good", ExchangePhase.JobRequest, "bad-signature");
        // The job lets go of whatever the provider may hold for it.
        provider.FishForMessage(m => m is ReleaseLock);
    }

    [Fact]
    public void A_genuine_bid_replayed_into_another_job_is_refused()
    {
        // A real, correctly signed bid for job A...
        var honest = Sys.ActorOf(ProviderActor.Props(Provider("cp-good"), Patient, ProviderTrust()));
        honest.Tell(new BidRequest("job-a", "cp-good", "sp-test", Needs(), Nonce: Nonce.New()), TestActor);
        var genuine = ExpectMsg<Bid>();
        Assert.NotNull(genuine.Proof);

        // ...sent by someone else as the answer to job B's request.
        var replayer = ProbeProvider("cp-good");
        var job = PushJob("job-b", "cp-good");
        replayer.ExpectMsg<BidRequest>();
        replayer.Reply(genuine with { JobId = "job-b" });

        Refused(job, "cp-good", ExchangePhase.Bid, "bad-signature");
    }

    [Fact]
    public void A_provider_whose_credential_expired_is_refused()
    {
        SignedProvider(credential: Approve(ParticipantRole.ComputeProvider, "cp-good", issued: At.AddDays(-30), expires: At.AddDays(-1)));
        Refused(PushJob("job-expired", "cp-good"), "cp-good", ExchangePhase.Bid, "expired");
    }

    [Fact]
    public void A_revoked_credential_is_refused_from_the_next_job_on_without_a_restart()
    {
        SignedProvider();
        AwaitState(PushJob("job-before-revocation", "cp-good"), JobState.Contracted);

        var list = RevocationList.FromJson(File.ReadAllText(Revocations)).Add(_authority, _providerCredential.Serial, DateTimeOffset.UtcNow);
        File.WriteAllText(Revocations, list.ToJson());
        File.SetLastWriteTimeUtc(Revocations, DateTime.UtcNow.AddSeconds(1));

        Refused(PushJob("job-after-revocation", "cp-good"), "cp-good", ExchangePhase.Bid, "revoked");
    }

    [Fact]
    public void A_credential_signed_by_an_authority_this_node_does_not_trust_is_refused()
    {
        using var rogue = KeyPair.Create();
        SignedProvider(credential: Approve(ParticipantRole.ComputeProvider, "cp-good", authority: rogue));
        Refused(PushJob("job-rogue-authority", "cp-good"), "cp-good", ExchangePhase.Bid, "unknown-authority");
    }

    [Fact]
    public void A_credential_for_the_wrong_role_is_refused()
    {
        SignedProvider(credential: Approve(ParticipantRole.ServiceProvider, "cp-good"));
        Refused(PushJob("job-wrong-role", "cp-good"), "cp-good", ExchangePhase.Bid, "wrong-role");
    }

    [Fact]
    public void A_provider_impersonating_another_providers_id_is_refused()
    {
        // Approved, but as cp-evil: it registers and bids under cp-good's id.
        SignedProvider("cp-good", credential: Approve(ParticipantRole.ComputeProvider, "cp-evil"));
        var decline = Refused(PushJob("job-impersonated", "cp-good"), "cp-good", ExchangePhase.Bid, "id-not-covered");
        Assert.Contains("not 'cp-good'", decline.Detail);
    }

    [Fact]
    public void An_unsigned_bid_is_refused_on_a_network_with_an_authority()
    {
        RealProvider(Provider("cp-good"), Patient, Approve(Patient, "cp-good"));
        Refused(PushJob("job-unsigned", "cp-good"), "cp-good", ExchangePhase.Bid, "unsigned");
    }

    [Fact]
    public void Contract_terms_altered_after_the_provider_signed_them_are_refused_and_the_lock_released()
    {
        var provider = SignedProvider();
        // Between the parties: shifts the contract's times by a day (same duration, so only the signature can tell).
        var middle = Sys.ActorOf(TamperingRelay.Props(provider, message => message is ContractSigned signed
            ? signed with { Contract = signed.Contract with { StartsAt = signed.Contract.StartsAt.AddDays(1), EndsAt = signed.Contract.EndsAt.AddDays(1) } }
            : message));
        Directory.Tell(new RegisterProvider(Provider("cp-good"), middle));

        Refused(PushJob("job-tampered", "cp-good"), "cp-good", ExchangePhase.ContractClosure, "bad-signature");
        AwaitAssert(() => Assert.Empty(StatusOfProvider(provider).Contracts));
    }

    [Fact]
    public void A_contract_signed_at_another_price_than_the_bid_is_refused()
    {
        var provider = SignedProvider();
        var resigner = ProviderTrust();
        // The provider's own key re-signs a higher price: a valid signature over terms the requester did not agree to.
        var middle = Sys.ActorOf(TamperingRelay.Props(provider, message =>
        {
            if (message is not ContractSigned signed) return message;
            var raised = signed.Contract with { PricePerHour = signed.Contract.PricePerHour * 10 };
            return new ContractSigned(raised, resigner.Sign(Signing.ContractBytes(raised)));
        }));
        Directory.Tell(new RegisterProvider(Provider("cp-good"), middle));

        Refused(PushJob("job-repriced", "cp-good"), "cp-good", ExchangePhase.ContractClosure, "terms-mismatch");
    }

    [Fact]
    public void A_proposal_altered_after_the_requester_signed_it_is_refused_by_the_provider()
    {
        var provider = SignedProvider();
        var middle = Sys.ActorOf(TamperingRelay.Props(provider, message => message is ContractProposal proposal
            ? proposal with { Contract = proposal.Contract with { EndsAt = proposal.Contract.EndsAt.AddDays(1), StartsAt = proposal.Contract.StartsAt.AddDays(1) } }
            : message));
        Directory.Tell(new RegisterProvider(Provider("cp-good"), middle));

        var decline = Refused(PushJob("job-proposal-tampered", "cp-good"), "cp-good", ExchangePhase.ContractClosure, "bad-signature");
        Assert.Contains("service-provider 'sp-test'", decline.Detail);
        AwaitAssert(() => Assert.Empty(StatusOfProvider(provider).Locks));
    }

    public new void Dispose()
    {
        _authority.Dispose();
        _requesterKey.Dispose();
        _providerKey.Dispose();
        System.IO.Directory.Delete(_folder, recursive: true);
        base.Dispose();
    }

    /// <summary>
    /// Sits between a job and a provider, passing every message on and letting <c>tamper</c> change it on the way
    /// (in either direction). One exchange at a time, as a job has with one provider.
    /// </summary>
    private sealed class TamperingRelay : ReceiveActor
    {
        private IActorRef _client = ActorRefs.Nobody;

        public static Props Props(IActorRef provider, Func<object, object> tamper) =>
            Akka.Actor.Props.Create(() => new TamperingRelay(provider, tamper));

        public TamperingRelay(IActorRef provider, Func<object, object> tamper) =>
            ReceiveAny(message =>
            {
                if (Sender.Equals(provider)) _client.Tell(tamper(message));
                else
                {
                    _client = Sender;
                    provider.Tell(tamper(message), Self);
                }
            });
    }
}
