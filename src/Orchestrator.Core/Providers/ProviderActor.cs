using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using Orchestrator.Configuration;
using Orchestrator.Matching;
using Orchestrator.Protocol.Events;
using Orchestrator.Protocol.Messages;
using Orchestrator.Protocol.Model;
using Orchestrator.Telemetry;
using Orchestrator.Trust;

namespace Orchestrator.Providers;

/// <summary>
/// The compute-provider side of a DMS node: answers bid requests and job requests against its capability,
/// keeps a persistent ledger of locks (leases) and contracts, and signs contracts after verifying the requester.
/// On a network with an authority every bid and acceptance is signed with the node key over the request's nonce.
/// Every answer about a job it already holds is the same answer again, so a job that recovers on another node
/// can re-ask without locking twice.
/// </summary>
public sealed class ProviderActor : ReceivePersistentActor, IWithTimers
{
    private sealed record LeaseDue(string JobId);

    private sealed record ContractDue(string JobId);

    private readonly OrchestratorSettings _settings;
    private readonly ParticipantTrust _trust;
    private readonly IActorRef? _host;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private ProviderLedger _ledger;

    public ProviderActor(ProviderCapability capability, OrchestratorSettings settings, ParticipantTrust trust, IActorRef? recoveryListener = null)
    {
        _settings = settings;
        _trust = trust;
        _host = recoveryListener;
        _ledger = ProviderLedger.Empty(capability);
        PersistenceId = "provider-" + capability.Id;

        Recover<IProviderEvent>(e => _ledger = _ledger.Apply(e));
        Recover<RecoveryCompleted>(_ =>
        {
            ScheduleExpiries();
            ReportUsage();
            recoveryListener?.Tell(new ProviderRecovered(capability.Id));
            LeaveIfDone();
        });

        Command<BidRequest>(OnBidRequest);
        Command<JobRequest>(OnJobRequest);
        Command<ContractProposal>(OnContractProposal);
        Command<ReleaseLock>(OnReleaseLock);
        Command<LeaseDue>(d =>
        {
            if (_ledger.Locks.TryGetValue(d.JobId, out var held) && held.ExpiresAt <= Now)
                Persist(new LockReleased(ProviderId, d.JobId, "lease expired", Now), Applied);
        });
        Command<ContractDue>(d =>
        {
            if (_ledger.Contracts.ContainsKey(d.JobId)) Persist(new ContractEnded(ProviderId, d.JobId, Now), Applied);
        });
        Command<GetProviderStatus>(_ => Sender.Tell(_ledger.ToStatus(Now)));
        Command<OffboardProvider>(_ =>
        {
            var answer = new ProviderOffboardResult(ProviderId, _ledger.Contracts.Count, _ledger.Locks.Count);
            if (_ledger.Offboarding)
            {
                Sender.Tell(answer);
                return;
            }

            Persist(new ProviderOffboarding(ProviderId, Now), e =>
            {
                Applied(e);
                _log.Info("provider {0}: offboarding; {1} contract(s) and {2} lock(s) to see through", ProviderId, answer.ContractsHeld, answer.LocksHeld);
                Sender.Tell(answer);
                LeaveIfDone();
            });
        });
        // Not journaled here: the host journals capabilities, and starts this actor with the latest.
        Command<ChangeCapability>(change =>
        {
            var refused = _ledger.WhyNotFits(change.Capability);
            if (refused is null) _ledger = _ledger with { Capability = change.Capability };
            Sender.Tell(new CapabilityChangeOutcome(change.Capability, change.Client, refused));
        });
    }

    public static Props Props(ProviderCapability capability, OrchestratorSettings settings, ParticipantTrust trust, IActorRef? recoveryListener = null) =>
        Akka.Actor.Props.Create(() => new ProviderActor(capability, settings, trust, recoveryListener));

    public override string PersistenceId { get; }

    public ITimerScheduler Timers { get; set; } = null!;

    private string ProviderId => _ledger.ProviderId;

    private static DateTimeOffset Now => DateTimeOffset.UtcNow;

    /// <summary>
    /// A lock whose lease ran out but whose expiry timer has not fired yet (e.g. a job resumed on another node
    /// after a crash asks again) is released first, and the request is then handled as new.
    /// </summary>
    private bool ReleasedExpired(string jobId, IProviderMessage request)
    {
        if (!_ledger.Locks.TryGetValue(jobId, out var held) || held.ExpiresAt > Now) return false;
        var sender = Sender;
        Persist(new LockReleased(ProviderId, jobId, "lease expired", Now), e =>
        {
            Applied(e);
            Self.Tell(request, sender);
        });
        return true;
    }

    private void OnBidRequest(BidRequest request)
    {
        if (!request.DryRun && ReleasedExpired(request.JobId, request)) return;
        if (!request.DryRun && HeldBid(request.JobId, request.Nonce) is { } held)
        {
            Sender.Tell(held);
            return;
        }

        if (_ledger.Offboarding)
        {
            Sender.Tell(new DeclineMessage(request.JobId, ProviderId, ExchangePhase.Bid, DeclineReason.ProviderOffboarding,
                "the provider is being offboarded: it honours its contracts and takes no new jobs"));
            return;
        }

        switch (CapabilityMatcher.Match(_ledger.Capability, _ledger.Free, request.Requirements))
        {
            case MatchResult.Ineligible no:
                Sender.Tell(new DeclineMessage(request.JobId, ProviderId, ExchangePhase.Bid, no.Reason, no.Detail));
                break;
            case MatchResult.Eligible yes when _ledger.Capability.LockOnBid && !request.DryRun:
                Lock(request.JobId, request.RequesterNodeId, request.Requirements, yes, request.Nonce);
                break;
            case MatchResult.Eligible yes:
                Sender.Tell(OfferFor(request.JobId, _ledger.Capability.PricePerHour, false, null, yes.SpareCapacity, request.Nonce));
                break;
        }
    }

    /// <summary>
    /// A bid carrying what the provider offers right now, which the job scores its preferences against; signed over
    /// the request's nonce on a network with an authority.
    /// </summary>
    private Bid OfferFor(string jobId, decimal price, bool locked, DateTimeOffset? expires, double spare, string nonce)
    {
        var bid = new Bid(jobId, ProviderId, price, locked, expires, spare, Now, _ledger.Capability, _ledger.Free.FreeGpuIndices);
        return _trust.IsSigned ? bid with { Proof = _trust.Sign(Signing.BidBytes(bid, nonce)) } : bid;
    }

    private void OnJobRequest(JobRequest request)
    {
        if (ReleasedExpired(request.JobId, request)) return;
        if (HeldBid(request.JobId, request.Nonce) is { } held)
        {
            Sender.Tell(held);
            return;
        }

        if (_ledger.Offboarding)
        {
            Sender.Tell(new DeclineMessage(request.JobId, ProviderId, ExchangePhase.JobRequest, DeclineReason.ProviderOffboarding,
                "the provider is being offboarded: it honours its contracts and takes no new jobs"));
            return;
        }

        switch (CapabilityMatcher.Match(_ledger.Capability, _ledger.Free, request.Requirements))
        {
            case MatchResult.Ineligible no:
                Sender.Tell(new DeclineMessage(request.JobId, ProviderId, ExchangePhase.JobRequest, no.Reason, no.Detail));
                break;
            case MatchResult.Eligible yes:
                Lock(request.JobId, request.RequesterNodeId, request.Requirements, yes, request.Nonce);
                break;
        }
    }

    private void OnContractProposal(ContractProposal proposal)
    {
        var terms = proposal.Contract;
        if (_ledger.Contracts.TryGetValue(terms.JobId, out var signed))
        {
            Sender.Tell(SignedAnswer(signed.Contract));
            return;
        }

        var requester = (_trust.TrustsClusterMembers ? FromMember(Sender, terms.RequesterNodeId) : _trust.CheckApproved(ParticipantRole.ServiceProvider, terms.RequesterNodeId))
            is { IsTrusted: false } unapproved
            ? unapproved
            : _trust.CheckContract(proposal.RequesterProof, ParticipantRole.ServiceProvider, terms.RequesterNodeId, terms, Now);
        if (!requester.IsTrusted)
        {
            Decline(terms.JobId, DeclineReason.VerificationFailed, requester.ToString());
            ReleaseIfHeld(terms.JobId, "requester failed verification");
            return;
        }

        if (!_ledger.Locks.TryGetValue(terms.JobId, out var held))
        {
            Decline(terms.JobId, DeclineReason.NotLocked, "no resources are locked for this job (never requested, or released)");
            return;
        }

        if (held.ExpiresAt <= Now)
        {
            Decline(terms.JobId, DeclineReason.LeaseExpired, $"the lock for this job expired at {held.ExpiresAt:O}");
            ReleaseIfHeld(terms.JobId, "lease expired");
            return;
        }

        // The provider signs only the terms it locked: for the requester it locked for, its resources, its price.
        var mismatch = terms.RequesterNodeId != held.RequesterNodeId
            ? $"the resources were locked for requester '{held.RequesterNodeId}', not '{terms.RequesterNodeId}'"
            : ContractTerms.Locked(terms, held.Resources, held.PricePerHour);
        if (mismatch is not null)
        {
            Decline(terms.JobId, DeclineReason.VerificationFailed, new TrustVerdict(DistrustReason.TermsMismatch, mismatch).ToString());
            ReleaseIfHeld(terms.JobId, "the proposed terms were not the locked ones");
            return;
        }

        var contract = terms with { AssignedGpus = held.GpuIndices.Select(i => _ledger.Capability.Resources.Gpus[i]).ToArray() };
        Persist(new ContractCommitted(ProviderId, contract, held.GpuIndices, Now, proposal.RequesterProof), e =>
        {
            Applied(e);
            Timers.StartSingleTimer("contract:" + contract.JobId, new ContractDue(contract.JobId), Until(contract.EndsAt));
            Sender.Tell(SignedAnswer(contract));
        });
    }

    private void OnReleaseLock(ReleaseLock release)
    {
        if (_ledger.Locks.ContainsKey(release.JobId))
            Persist(new LockReleased(ProviderId, release.JobId, release.Reason, Now), Applied);
        else if (_ledger.Contracts.ContainsKey(release.JobId))
            // Only a job that ended without this contract (e.g. its deadline passed mid-closure) releases one.
            Persist(new ContractEnded(ProviderId, release.JobId, Now), Applied);
    }

    /// <summary>The contract as committed, signed by this provider (again, when a recovered job asks again).</summary>
    private ContractSigned SignedAnswer(Contract contract) => new(contract, _trust.Sign(Signing.ContractBytes(contract)));

    private void Lock(string jobId, string requester, JobRequirements requirements, MatchResult.Eligible match, string nonce)
    {
        var expires = Now + _settings.LockLease;
        var locked = new ResourcesLocked(ProviderId, jobId, requester, requirements.Resources, match.GpuIndices,
            _ledger.Capability.PricePerHour, expires, Now);
        Persist(locked, e =>
        {
            Applied(e);
            Timers.StartSingleTimer("lease:" + jobId, new LeaseDue(jobId), Until(expires));
            Sender.Tell(OfferFor(jobId, e.PricePerHour, true, expires, match.SpareCapacity, nonce));
        });
    }

    /// <summary>The answer already given for a job this provider holds resources for.</summary>
    private Bid? HeldBid(string jobId, string nonce)
    {
        if (_ledger.Locks.TryGetValue(jobId, out var held))
            return OfferFor(jobId, held.PricePerHour, true, held.ExpiresAt, Spare(), nonce);
        if (_ledger.Contracts.TryGetValue(jobId, out var signed))
            return OfferFor(jobId, signed.Contract.PricePerHour, true, signed.Contract.EndsAt, Spare(), nonce);
        return null;
    }

    private double Spare() => CapabilityMatcher.SpareCapacity(_ledger.Capability.Resources, _ledger.Free,
        new ResourceRequirements { CpuCores = 0, RamMb = 0, DiskGb = 0 });

    /// <summary>
    /// Approval by membership: a proposal from this node, or from a current member of its cluster, comes from a node of
    /// the cluster; anything else (a system that reached this node's transport without joining) is refused.
    /// </summary>
    private static TrustVerdict FromMember(IActorRef sender, string requesterNodeId)
    {
        var address = sender.Path.Address;
        if (address.HasLocalScope) return TrustVerdict.Trusted;
        var system = Context.System;
        if (system.Settings.ProviderClass.Contains("Cluster", StringComparison.Ordinal)
            && Akka.Cluster.Cluster.Get(system).State.Members.Any(m => m.Address.Equals(address) && m.Status is Akka.Cluster.MemberStatus.Up or Akka.Cluster.MemberStatus.WeaklyUp))
            return TrustVerdict.Trusted;
        return new TrustVerdict(DistrustReason.NotApproved,
            $"service provider '{requesterNodeId}' proposed from {address}, which is not a member of this cluster (approval by membership)");
    }

    private void Decline(string jobId, DeclineReason reason, string detail) =>
        Sender.Tell(new DeclineMessage(jobId, ProviderId, ExchangePhase.ContractClosure, reason, detail));

    private void ReleaseIfHeld(string jobId, string reason)
    {
        if (_ledger.Locks.ContainsKey(jobId)) Persist(new LockReleased(ProviderId, jobId, reason, Now), Applied);
    }

    private void Applied(IProviderEvent e)
    {
        _ledger = _ledger.Apply(e);
        ReportUsage();
        _log.Debug("provider {0}: {1} for job {2}", ProviderId, e.GetType().Name, JobOf(e));
        if (e is LockReleased or ContractEnded) LeaveIfDone();
    }

    /// <summary>An offboarding provider whose last lock and contract ended asks its host to let it go.</summary>
    private void LeaveIfDone()
    {
        if (_ledger is { Offboarding: true, IsEmpty: true }) _host?.Tell(new ProviderGone(ProviderId));
    }

    private static string JobOf(IProviderEvent e) => e switch
    {
        ResourcesLocked l => l.JobId,
        LockReleased r => r.JobId,
        ContractCommitted c => c.Contract.JobId,
        ContractEnded end => end.JobId,
        _ => "",
    };

    private void ReportUsage()
    {
        var total = _ledger.Capability.Resources;
        var free = _ledger.Free;
        OrchestratorMetrics.ProviderUsage(ProviderId,
            total.CpuCores == 0 ? 0 : 1 - (double)free.CpuCores / total.CpuCores,
            total.RamMb == 0 ? 0 : 1 - (double)free.RamMb / total.RamMb);
    }

    /// <summary>After a restart: leases and contracts that ran out while down end now, the rest on time.</summary>
    private void ScheduleExpiries()
    {
        foreach (var held in _ledger.Locks.Values)
            Timers.StartSingleTimer("lease:" + held.JobId, new LeaseDue(held.JobId), Until(held.ExpiresAt));
        foreach (var signed in _ledger.Contracts.Values)
            Timers.StartSingleTimer("contract:" + signed.Contract.JobId, new ContractDue(signed.Contract.JobId), Until(signed.Contract.EndsAt));
    }

    private static TimeSpan Until(DateTimeOffset at)
    {
        var wait = at - Now;
        return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
    }
}
