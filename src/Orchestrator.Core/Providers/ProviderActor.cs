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
/// holds locks as leases in memory and journals its contracts, and signs contracts after verifying the requester.
/// A lock is not journaled: it is a promise for a few seconds, re-validated when the contract is committed (a lock lost
/// with a crash makes the proposal fail as "not locked", and the job moves on), so answering a job request costs no
/// journal write and the few providers that win most jobs are not a queue of writes. The contract is durable before
/// the provider signs it.
/// On a network with an authority every bid and acceptance is signed with the node key over the request's nonce.
/// Every answer about a job it already holds is the same answer again, so a job that recovers on another node
/// can re-ask without locking twice.
/// </summary>
public sealed class ProviderActor : ReceivePersistentActor, IWithTimers
{
    private sealed record LeaseDue(string JobId);

    private sealed record ContractDue(string JobId);

    private sealed record ConfirmDue(string JobId, int Asked);

    private sealed record RecordConfirmations
    {
        public static readonly RecordConfirmations Instance = new();
    }

    // Confirmations are written together: with the provider's next contract (in the same row), or, for a provider that
    // commits nothing meanwhile, on their own this long after the first of them. A restart asks again only about the
    // confirmations not written by then, so this bounds that work too.
    private static readonly TimeSpan ConfirmationBatch = TimeSpan.FromSeconds(2);
    private readonly List<string> _confirmedNotRecorded = [];

    private readonly OrchestratorSettings _settings;
    private readonly ParticipantTrust _trust;
    private readonly IActorRef? _host;
    private readonly IActorRef? _jobs;

    // Contracts committed whose job has not said it holds them (phase two of closure), with the id of the latest
    // question asked about each (null before the first, and after a re-signing voids the answers in flight). The
    // confirmations are journaled in batches (ContractsConfirmed), so after a restart only the contracts not confirmed
    // by then are asked about.
    private readonly Dictionary<string, string?> _unconfirmed = new(StringComparer.Ordinal);
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Hosting.JournalStatus? _journal = Hosting.OrchestratorNode.Find(Context.System)?.Journal;
    private ProviderLedger _ledger;

    // Locks recovered from a journal written before locks were leases in memory: released with a journaled event, so
    // that they do not come back at the next restart.
    private readonly HashSet<string> _journaledLocks = new(StringComparer.Ordinal);

    // Contracts being written (PersistAsync: the provider goes on answering others meanwhile), with whoever else asked
    // for the same contract during the write, and a release the job sent meanwhile (applied once the contract exists).
    private readonly Dictionary<string, List<IActorRef>> _committing = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _releasedWhileCommitting = new(StringComparer.Ordinal);

    // The nonce of the request each lock was last given under (taken, or given again to a later request of the same job):
    // a release fenced by a nonce (a late answer of an exchange the job gave up on) lets go only of the lock as given then.
    private readonly Dictionary<string, string> _lockNonces = new(StringComparer.Ordinal);

    // The seed's EligibleComputeProvidersData: this provider's comparison with each job it was asked about (bounded).
    private readonly EligibilityData _eligibility;

    /// <param name="jobs">Where jobs are reached by id (the job shard region): asked about unconfirmed contracts.</param>
    public ProviderActor(ProviderCapability capability, OrchestratorSettings settings, ParticipantTrust trust, IActorRef? recoveryListener = null,
        IActorRef? jobs = null)
    {
        _settings = settings;
        _trust = trust;
        _host = recoveryListener;
        _jobs = jobs;
        _ledger = ProviderLedger.Empty(capability);
        _eligibility = new EligibilityData(settings.EligibilityKept, settings.EligibilityKeptFor);
        PersistenceId = "provider-" + capability.Id;

        Recover<IProviderEvent>(e =>
        {
            _ledger = _ledger.Apply(e);
            foreach (var step in e is ProviderStepsRecorded steps ? steps.Steps : [e])
            {
                if (step is ResourcesLocked locked) _journaledLocks.Add(locked.JobId);
                else if (step is LockReleased or ContractCommitted) _journaledLocks.Remove(JobOf(step));
                // The comparison behind each contract was written with it: back in the provider's data (within its bounds).
                if (step is ContractCommitted { Eligibility: { } entry }) _eligibility.Restore(entry, Now);
            }
        });
        Recover<RecoveryCompleted>(_ =>
        {
            ScheduleExpiries();
            AskAboutRecoveredContracts();
            ReportUsage();
            recoveryListener?.Tell(new ProviderRecovered(capability.Id));
            LeaveIfDone();
        });

        Command<BidRequest>(OnBidRequest);
        Command<JobRequest>(OnJobRequest);
        Command<ContractProposal>(OnContractProposal);
        Command<ReleaseLock>(OnReleaseLock);
        Command<ConfirmDue>(OnConfirmDue);
        Command<ContractConfirmed>(confirmed =>
        {
            if (!HoldsContract(confirmed.JobId, confirmed.ContractId) || !_unconfirmed.Remove(confirmed.JobId)) return;
            Timers.Cancel("confirm:" + confirmed.JobId);
            _confirmedNotRecorded.Add(confirmed.JobId);
            if (!Timers.IsTimerActive("record-confirmations")) Timers.StartSingleTimer("record-confirmations", RecordConfirmations.Instance, ConfirmationBatch);
        });
        // Not waited for: the confirmations change no capacity, and one lost in a crash only means asking once more.
        Command<RecordConfirmations>(_ =>
        {
            if (_confirmedNotRecorded.Count == 0) return;
            var jobIds = _confirmedNotRecorded.ToArray();
            _confirmedNotRecorded.Clear();
            PersistAsync(new ContractsConfirmed(ProviderId, jobIds, Now), e => _ledger = _ledger.Apply(e));
        });
        Command<ContractDisowned>(OnContractDisowned);
        Command<LeaseDue>(d =>
        {
            if (_ledger.Locks.TryGetValue(d.JobId, out var held) && held.ExpiresAt <= Now) ReleaseLock(d.JobId, "lease expired");
        });
        Command<ContractDue>(d =>
        {
            if (_ledger.Contracts.ContainsKey(d.JobId)) Persist(new ContractEnded(ProviderId, d.JobId, Now), Applied);
        });
        Command<GetEligibility>(get => Sender.Tell(new ProviderEligibility(ProviderId, _eligibility.Read(Now, get.JobId), _eligibility.KeptAtMost,
            _eligibility.KeptFor, _eligibility.Forgotten)));
        Command<GetProviderStatus>(_ => Sender.Tell(_ledger.ToStatus(Now) with { Unconfirmed = _unconfirmed.Keys.Order(StringComparer.Ordinal).ToArray() }));
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

    public static Props Props(ProviderCapability capability, OrchestratorSettings settings, ParticipantTrust trust, IActorRef? recoveryListener = null,
        IActorRef? jobs = null) =>
        Akka.Actor.Props.Create(() => new ProviderActor(capability, settings, trust, recoveryListener, jobs));

    public override string PersistenceId { get; }

    public ITimerScheduler Timers { get; set; } = null!;

    private string ProviderId => _ledger.ProviderId;

    private static DateTimeOffset Now => DateTimeOffset.UtcNow;

    /// <summary>
    /// A lock whose lease ran out but whose expiry timer has not fired yet (e.g. a job resumed on another node
    /// after a crash asks again) is released first, and the request is then handled as new.
    /// </summary>
    private void ReleaseIfExpired(string jobId)
    {
        if (_ledger.Locks.TryGetValue(jobId, out var held) && held.ExpiresAt <= Now) ReleaseLock(jobId, "lease expired");
    }

    /// <summary>Lets a lock go: in memory, or with a journaled release for a lock an older version journaled.</summary>
    private void ReleaseLock(string jobId, string reason)
    {
        // A lock becoming a contract stays held: its resources pass to the contract when the write completes.
        if (_committing.ContainsKey(jobId)) return;
        _lockNonces.Remove(jobId);
        var released = new LockReleased(ProviderId, jobId, reason, Now);
        if (_journaledLocks.Remove(jobId)) PersistAsync(released, _ => { });
        Applied(released);
    }

    private void OnBidRequest(BidRequest request)
    {
        var preferences = request.Preferences ?? [];
        if (!request.DryRun) ReleaseIfExpired(request.JobId);
        if (!request.DryRun && HeldBid(request.JobId, request.Nonce) is { } held)
        {
            _eligibility.AskedAgain(request.JobId, ExchangePhase.Bid, Now);
            Sender.Tell(Claimed(held, preferences));
            return;
        }

        Answer(request.JobId, request.RequesterNodeId, ExchangePhase.Bid, request.DryRun, request.Requirements, preferences, request.Nonce,
            lockIt: _ledger.Capability.LockOnBid && !request.DryRun);
    }

    private void OnJobRequest(JobRequest request)
    {
        ReleaseIfExpired(request.JobId);
        if (HeldBid(request.JobId, request.Nonce) is { } held)
        {
            _eligibility.AskedAgain(request.JobId, ExchangePhase.JobRequest, Now);
            Sender.Tell(held);
            return;
        }

        // A job request carries no preferences: the provider's scores from the job's bid request stay in its data.
        Answer(request.JobId, request.RequesterNodeId, ExchangePhase.JobRequest, false, request.Requirements, null, request.Nonce, lockIt: true);
    }

    /// <summary>
    /// Compares this provider with the job (every hard constraint against what is free now; its scores for the soft
    /// ones), keeps the comparison, and answers: a decline naming the first constraint that failed, a bid, or a lock.
    /// </summary>
    private void Answer(string jobId, string requester, ExchangePhase phase, bool dryRun, JobRequirements requirements, IReadOnlyList<Preference>? preferences,
        string nonce, bool lockIt)
    {
        if (_ledger.Offboarding)
        {
            _eligibility.Record(jobId, requester, phase, dryRun, Now, "declined", DeclineReason.ProviderOffboarding, null, null, null, []);
            Sender.Tell(new DeclineMessage(jobId, ProviderId, phase, DeclineReason.ProviderOffboarding,
                "the provider is being offboarded: it honours its contracts and takes no new jobs"));
            return;
        }

        var free = _ledger.Free;
        switch (CapabilityMatcher.Match(_ledger.Capability, free, requirements))
        {
            case MatchResult.Ineligible no:
                // Scored as the bid it would have made (a job request carries no preferences: nothing to score).
                var scores = preferences is null
                    ? null
                    : EligibilityComparison.SoftConstraints(preferences, new Bid(jobId, ProviderId, _ledger.Capability.PricePerHour, false, null,
                        CapabilityMatcher.SpareCapacity(_ledger.Capability.Resources, free, requirements.Resources), Now, _ledger.Capability, free.FreeGpuIndices));
                _eligibility.Record(jobId, requester, phase, dryRun, Now, "declined", no.Reason, _ledger.Capability, free, requirements, scores);
                Sender.Tell(new DeclineMessage(jobId, ProviderId, phase, no.Reason, no.Detail));
                break;
            case MatchResult.Eligible yes:
                var bid = lockIt
                    ? Lock(jobId, requester, requirements, yes, nonce)
                    : OfferFor(jobId, _ledger.Capability.PricePerHour, false, null, yes.SpareCapacity, nonce);
                var claimed = Claimed(bid, preferences ?? []);
                // A job request's entry keeps the scores of the job's bid request (null: unchanged).
                _eligibility.Record(jobId, requester, phase, dryRun, Now, lockIt ? "locked" : "bid", null, _ledger.Capability, free, requirements,
                    preferences is null ? null : claimed.Claims ?? []);
                Sender.Tell(claimed);
                break;
        }
    }

    /// <summary>A bid with the provider's own scores for the job's soft constraints (not signed: the job does not trust them).</summary>
    private static Bid Claimed(Bid bid, IReadOnlyList<Preference> preferences)
    {
        if (preferences.Count == 0) return bid;
        return bid with { Claims = EligibilityComparison.SoftConstraints(preferences, bid) };
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

    private void OnContractProposal(ContractProposal proposal)
    {
        var terms = proposal.Contract;
        if (_committing.TryGetValue(terms.JobId, out var waiting))
        {
            waiting.Add(Sender);
            return;
        }

        if (_ledger.Contracts.TryGetValue(terms.JobId, out var signed))
        {
            // The job may adopt this contract now: an answer to an earlier question (e.g. "disowned", sent before the
            // job resumed and proposed again) must not revert it.
            if (_unconfirmed.ContainsKey(terms.JobId)) _unconfirmed[terms.JobId] = null;
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
        // Durable before it is signed; written without holding up the provider's other answers (its lock keeps the
        // resources held meanwhile, and nothing releases a lock being committed).
        var proposer = Sender;
        _committing[contract.JobId] = [];
        // The comparison that led here goes with the commitment: the part of the provider's data kept at rest.
        IProviderEvent committed = new ContractCommitted(ProviderId, contract, held.GpuIndices, Now, proposal.RequesterProof,
            _eligibility.Read(Now, contract.JobId) is [var comparison] ? comparison : null);
        if (_confirmedNotRecorded.Count > 0)
        {
            // The confirmations waiting to be written ride along in the contract's row.
            committed = new ProviderStepsRecorded(ProviderId, [new ContractsConfirmed(ProviderId, _confirmedNotRecorded.ToArray(), Now), committed]);
            _confirmedNotRecorded.Clear();
            Timers.Cancel("record-confirmations");
        }

        PersistAsync(committed, e =>
        {
            _committing.Remove(contract.JobId, out var others);
            _lockNonces.Remove(contract.JobId);
            Applied(e);
            Timers.StartSingleTimer("contract:" + contract.JobId, new ContractDue(contract.JobId), Until(contract.EndsAt));
            AwaitConfirmation(contract.JobId, _settings.ContractConfirmAfter);
            var answer = SignedAnswer(contract);
            proposer.Tell(answer);
            foreach (var other in others!) other.Tell(answer);
            if (_releasedWhileCommitting.Remove(contract.JobId, out var reason)) Revoke(contract.JobId, reason);
        });
    }

    private void OnReleaseLock(ReleaseLock release)
    {
        if (release.Nonce.Length > 0)
        {
            // Fenced: only the lock as given under that request, never a contract (a lock that became one was given again since).
            if (_lockNonces.TryGetValue(release.JobId, out var given) && given == release.Nonce && _ledger.Locks.ContainsKey(release.JobId))
                ReleaseLock(release.JobId, release.Reason);
            return;
        }

        if (_committing.ContainsKey(release.JobId)) _releasedWhileCommitting[release.JobId] = release.Reason;
        else if (_ledger.Locks.ContainsKey(release.JobId)) ReleaseLock(release.JobId, release.Reason);
        else if (_ledger.Contracts.ContainsKey(release.JobId))
            // Only a job that does not hold this contract releases one: it dropped this provider mid-closure (a
            // timeout, a term it did not accept) or ended without it (its deadline passed, it was cancelled).
            Revoke(release.JobId, release.Reason);
    }

    /// <summary>The job says it does not hold the contract: reverted, if the answer is to the latest question asked.</summary>
    private void OnContractDisowned(ContractDisowned disowned)
    {
        if (!_unconfirmed.TryGetValue(disowned.JobId, out var asked) || asked != disowned.QueryId) return;
        if (!HoldsContract(disowned.JobId, disowned.ContractId)) return;
        Revoke(disowned.JobId, "the job does not hold it: " + disowned.Reason);
    }

    private void Revoke(string jobId, string reason) =>
        Persist(new ContractRevoked(ProviderId, jobId, reason, Now), e =>
        {
            Applied(e);
            OrchestratorMetrics.ContractRevoked();
            _log.Warning("provider {0}: contract for job {1} revoked ({2})", ProviderId, jobId, reason);
        });

    private bool HoldsContract(string jobId, string contractId) =>
        _ledger.Contracts.TryGetValue(jobId, out var held) && held.Contract.ContractId == contractId;

    /// <summary>
    /// After a restart, each job whose contract was not confirmed (as journaled) is asked, spread over the first interval,
    /// and over longer when there are many (at most about 20 questions a second: each may load a job from the journal).
    /// </summary>
    private void AskAboutRecoveredContracts()
    {
        var unconfirmed = _ledger.Contracts.Values.Where(c => !c.Confirmed).Select(c => c.Contract.JobId).ToArray();
        var spread = Math.Max(1, (int)Math.Max(_settings.ContractConfirmAfter.TotalMilliseconds, unconfirmed.Length * 50.0));
        foreach (var jobId in unconfirmed)
            AwaitConfirmation(jobId, TimeSpan.FromMilliseconds(Random.Shared.Next(spread)));
    }

    private void AwaitConfirmation(string jobId, TimeSpan firstAsk)
    {
        _unconfirmed[jobId] = null;
        Timers.StartSingleTimer("confirm:" + jobId, new ConfirmDue(jobId, 0), firstAsk);
    }

    /// <summary>No confirmation yet: ask the job, wherever it runs, and again later (doubling, at most a minute apart) until it answers.</summary>
    private void OnConfirmDue(ConfirmDue due)
    {
        if (!_unconfirmed.ContainsKey(due.JobId) || !_ledger.Contracts.TryGetValue(due.JobId, out var held))
        {
            _unconfirmed.Remove(due.JobId);
            return;
        }

        if (_jobs is null) return;
        var queryId = Nonce.New();
        _unconfirmed[due.JobId] = queryId;
        _jobs.Tell(new ContractQuery(due.JobId, ProviderId, held.Contract.ContractId, queryId));
        var next = TimeSpan.FromTicks(Math.Min(TimeSpan.FromMinutes(1).Ticks, _settings.ContractConfirmAfter.Ticks << Math.Min(due.Asked, 16)));
        Timers.StartSingleTimer("confirm:" + due.JobId, new ConfirmDue(due.JobId, due.Asked + 1), next);
    }

    /// <summary>The contract as committed, signed by this provider (again, when a recovered job asks again).</summary>
    private ContractSigned SignedAnswer(Contract contract) => new(contract, _trust.Sign(Signing.ContractBytes(contract)));

    private Bid Lock(string jobId, string requester, JobRequirements requirements, MatchResult.Eligible match, string nonce)
    {
        var expires = Now + _settings.LockLease;
        var locked = new ResourcesLocked(ProviderId, jobId, requester, requirements.Resources, match.GpuIndices,
            _ledger.Capability.PricePerHour, expires, Now);
        Applied(locked);
        _lockNonces[jobId] = nonce;
        Timers.StartSingleTimer("lease:" + jobId, new LeaseDue(jobId), Until(expires));
        return OfferFor(jobId, locked.PricePerHour, true, expires, match.SpareCapacity, nonce);
    }

    /// <summary>The answer already given for a job this provider holds resources for.</summary>
    private Bid? HeldBid(string jobId, string nonce)
    {
        if (_ledger.Locks.TryGetValue(jobId, out var held))
        {
            _lockNonces[jobId] = nonce;
            return OfferFor(jobId, held.PricePerHour, true, held.ExpiresAt, Spare(), nonce);
        }

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
        if (_ledger.Locks.ContainsKey(jobId)) ReleaseLock(jobId, reason);
    }

    private void Applied(IProviderEvent e)
    {
        _ledger = _ledger.Apply(e);
        ReportUsage();
        _log.Debug("provider {0}: {1} for job {2}", ProviderId, e.GetType().Name, JobOf(e));
        if (e is ContractEnded or ContractRevoked)
        {
            var jobId = JobOf(e);
            _unconfirmed.Remove(jobId);
            Timers.Cancel("confirm:" + jobId);
            Timers.Cancel("contract:" + jobId);
        }

        if (e is LockReleased or ContractEnded or ContractRevoked) LeaveIfDone();
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
        ContractRevoked revoked => revoked.JobId,
        ProviderStepsRecorded steps when steps.Steps.Count > 0 => JobOf(steps.Steps[^1]),
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

    protected override void OnPersistFailure(Exception cause, object @event, long sequenceNr)
    {
        _journal?.Failed(cause);
        base.OnPersistFailure(cause, @event, sequenceNr);
    }

    protected override void OnRecoveryFailure(Exception reason, object? message = null)
    {
        _journal?.Failed(reason);
        base.OnRecoveryFailure(reason, message);
    }

    private static TimeSpan Until(DateTimeOffset at)
    {
        var wait = at - Now;
        return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
    }
}
