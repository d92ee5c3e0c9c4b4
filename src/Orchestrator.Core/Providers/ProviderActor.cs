using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using Orchestrator.Configuration;
using Orchestrator.Execution;
using Orchestrator.Matching;
using Orchestrator.Protocol.Events;
using Orchestrator.Protocol.Messages;
using Orchestrator.Protocol.Model;
using Orchestrator.Settlements;
using Orchestrator.Telemetry;
using Orchestrator.Trust;

namespace Orchestrator.Providers;

/// <summary>
/// The compute-provider side of a DMS node, carrying out <see cref="ProviderDecisions"/> over a <see cref="ProviderSession"/>: answers bid requests and job requests against its capability,
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

    // Send the receipts of the contracts not settled here yet to their jobs again.
    private sealed record SendReceipts
    {
        public static readonly SendReceipts Instance = new();
    }

    // Where a contract's job was reached when there is no job shard region (tests): the asker of its run.
    private readonly Dictionary<string, IActorRef> _settleTo = new(StringComparer.Ordinal);

    // Confirmations are written together: with the provider's next contract (in the same row), or, for a provider that
    // commits nothing meanwhile, on their own this long after the first of them. A restart asks again only about the
    // confirmations not written by then, so this bounds that work too.
    private static readonly TimeSpan ConfirmationBatch = TimeSpan.FromSeconds(2);

    private readonly OrchestratorSettings _settings;
    private readonly ParticipantTrust _trust;
    private readonly IActorRef? _host;
    private readonly IActorRef? _jobs;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Persistence.JournalStatus? _journal = Hosting.OrchestratorNode.Find(Context.System)?.Journal;
    private readonly ExecutorRegistry _executors = Hosting.OrchestratorNode.Find(Context.System)?.Executors ?? ExecutorRegistry.Default;
    private ProviderSession _session;

    // Who else proposed a contract while it was being written (PersistAsync: the provider goes on answering others
    // meanwhile): answered when the write completes. Only the actor's business: the session knows which are being written.
    private readonly Dictionary<string, List<IActorRef>> _waitingForCommit = new(StringComparer.Ordinal);

    // Contracts revoked while their program ran: written as revoked once the allocation has stopped it.
    private readonly Dictionary<string, string> _revokeWhenStopped = new(StringComparer.Ordinal);

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
        _session = ProviderSession.Start(capability);
        _eligibility = new EligibilityData(settings.EligibilityKept, settings.EligibilityKeptFor);
        PersistenceId = "provider-" + capability.Id;

        Recover<IProviderEvent>(e =>
        {
            _session = _session.Recover(e);
            // The comparison behind each contract was written with it: back in the provider's data (within its bounds).
            foreach (var step in e is ProviderStepsRecorded steps ? steps.Steps : [e])
                if (step is ContractCommitted { Eligibility: { } entry }) _eligibility.Restore(entry, Now);
        });
        Recover<RecoveryCompleted>(_ =>
        {
            // Each run that was started comes back: to report its end again, or that it was interrupted.
            foreach (var contract in ProviderDecisions.Allocated(_session)) Allocation(contract, null, Context.System.DeadLetters);
            ScheduleExpiries();
            AskAboutRecoveredContracts();
            ReportUsage();
            SendReceiptsWhileUnsettled();
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
            if (!ProviderDecisions.AcceptConfirmation(_session, confirmed)) return;
            _session = _session.Confirmed(confirmed.JobId);
            Timers.Cancel("confirm:" + confirmed.JobId);
            if (!Timers.IsTimerActive("record-confirmations")) Timers.StartSingleTimer("record-confirmations", RecordConfirmations.Instance, ConfirmationBatch);
        });
        // Not waited for: the confirmations change no capacity, and one lost in a crash only means asking once more.
        Command<RecordConfirmations>(_ =>
        {
            if (_session.ConfirmedNotRecorded.IsEmpty) return;
            var confirmations = ProviderDecisions.Confirmations(_session, Now);
            _session = _session.ConfirmationsTaken();
            PersistAsync(confirmations, e => _session = _session.Apply(e));
        });
        Command<ContractDisowned>(disowned =>
        {
            if (ProviderDecisions.RevokeOnDisowned(_session, disowned)) Revoke(disowned.JobId, "the job does not hold it: " + disowned.Reason);
        });
        Command<LeaseDue>(d =>
        {
            if (ProviderDecisions.LeaseDue(_session, d.JobId, Now) is { } released) Release(released);
        });
        Command<ContractDue>(d =>
        {
            var held = _session.Ledger.Contracts.GetValueOrDefault(d.JobId);
            // A run going on when its contract's time is up is stopped first; the contract ends when its allocation says it has.
            if (held is { Allocated: true }) StopRun(held.Contract, "the contract's time is up");
            else if (ProviderDecisions.ContractDue(_session, d.JobId, Now) is { } ended)
            {
                var (receipt, proof) = NothingUsed(held, "not-started");
                Persist(ended with { Receipt = receipt, ReceiptProof = proof }, e =>
                {
                    Applied(e);
                    SendReceiptsWhileUnsettled();
                });
            }
        });
        Command<StartAllocation>(OnStartAllocation);
        Command<StopAllocation>(OnStopAllocation);
        Command<AllocationReportAck>(ack => Context.Child(AllocationName(ack.ContractId)).Tell(ack));
        Command<AllocationActor.Finished>(finished =>
        {
            if (ProviderDecisions.RunEnded(_session, finished.JobId, finished.ContractId, Now, finished.Receipt, finished.ReceiptProof) is not { } ended) return;
            // A contract revoked while its program ran ends with the program (and its receipt, to be settled like any other).
            if (_revokeWhenStopped.Remove(finished.JobId, out var reason))
            {
                OrchestratorMetrics.ContractRevoked();
                _log.Warning("provider {0}: contract for job {1} revoked ({2}); its run has stopped", ProviderId, finished.JobId, reason);
            }

            Persist(ended, e =>
            {
                Applied(e);
                SendReceiptsWhileUnsettled();
            });
        });
        Command<SendReceipts>(_ =>
        {
            foreach (var unsettled in _session.Unsettled.Values) SendReceipt(unsettled);
            if (_session.Unsettled.IsEmpty) Timers.Cancel("receipts");
        });
        Command<ProposeSettlement>(OnProposeSettlement);
        Command<DisputeSettlement>(dispute =>
        {
            if (ProviderDecisions.Disputed(_session, dispute, Now) is not { } disputed) return;
            Persist(disputed, e =>
            {
                Applied(e);
                _log.Warning("provider {0}: settlement of {1} disputed by the {2}: {3}", ProviderId, e.ContractId, e.DisputedBy, e.Reason);
            });
        });
        Command<ReceiptRefused>(refused =>
        {
            _log.Warning("provider {0}: job {1} refused the receipt of {2}: {3}", ProviderId, refused.JobId, refused.ContractId, refused.Reason);
            // A contract that ended before anything ran, which its job never held (its closure did not complete there): nothing
            // is owed either way, and the job will never settle it. Recorded as disputed, with the job's reason, and not sent again.
            if (ProviderDecisions.GiveUpNothingUsed(_session, refused, Now) is { } dropped)
                Persist(dropped, Applied);
        });
        Command<GetProviderSettlements>(_ => Sender.Tell(new ProviderSettlements(ProviderId,
            _session.Settlements.Values
                .Concat(_session.Unsettled.Values.Select(u => new SettlementRecord(u.Contract.ContractId, u.Contract.JobId, u.Contract.RequesterNodeId, ProviderId,
                    SettlementState.AwaitingReceipt) { Receipt = u.Receipt, ReceiptProof = u.ReceiptProof, EndedAt = u.EndedAt, UpdatedAt = u.EndedAt }))
                .OrderByDescending(r => r.UpdatedAt).ThenBy(r => r.ContractId, StringComparer.Ordinal).ToArray())));
        Command<GetEligibility>(get => Sender.Tell(new ProviderEligibility(ProviderId, _eligibility.Read(Now, get.JobId), _eligibility.KeptAtMost,
            _eligibility.KeptFor, _eligibility.Forgotten)));
        Command<GetProviderStatus>(_ =>
            Sender.Tell(_session.Ledger.ToStatus(Now) with
            {
                Unconfirmed = _session.Unconfirmed.Keys.Order(StringComparer.Ordinal).ToArray(),
                Allocations = ProviderDecisions.Allocated(_session).Select(c => c.ContractId).ToArray(),
                Earnings = ProviderDecisions.Earnings(_session),
                Unsettled = _session.Unsettled.Keys.Order(StringComparer.Ordinal).ToArray(),
            }));
        Command<OffboardProvider>(_ =>
        {
            var answer = new ProviderOffboardResult(ProviderId, _session.Ledger.Contracts.Count, _session.Ledger.Locks.Count);
            if (_session.Ledger.Offboarding)
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
            var refused = _session.Ledger.WhyNotFits(change.Capability);
            if (refused is null) _session = _session.WithCapability(change.Capability);
            Sender.Tell(new CapabilityChangeOutcome(change.Capability, change.Client, refused));
        });
    }

    public static Props Props(ProviderCapability capability, OrchestratorSettings settings, ParticipantTrust trust, IActorRef? recoveryListener = null,
        IActorRef? jobs = null) =>
        Akka.Actor.Props.Create(() => new ProviderActor(capability, settings, trust, recoveryListener, jobs));

    public override string PersistenceId { get; }

    public ITimerScheduler Timers { get; set; } = null!;

    private string ProviderId => _session.ProviderId;

    private ProviderCapability Capability => _session.Ledger.Capability;

    /// <summary>The provider's clock is the actor system's scheduler, as the job's is: the one its timers run on, and one a test drives.</summary>
    private readonly ITimeProvider _clock = Context.System.Scheduler;

    private DateTimeOffset Now => _clock.Now;

    /// <summary>Lets a lock go: in memory, or with a journaled release for a lock an older version journaled.</summary>
    private void Release(LockReleased released)
    {
        if (_session.JournaledLocks.Contains(released.JobId)) PersistAsync(released, _ => { });
        Applied(released);
    }

    private void ReleaseIfExpired(string jobId)
    {
        if (ProviderDecisions.ExpiredLock(_session, jobId, Now) is { } released) Release(released);
    }

    private void OnBidRequest(BidRequest request)
    {
        if (!request.DryRun) ReleaseIfExpired(request.JobId);
        Answer(request.JobId, request.RequesterNodeId, ExchangePhase.Bid, request.DryRun, request.Requirements, request.Preferences ?? [], request.Nonce,
            lockIt: Capability.LockOnBid && !request.DryRun);
    }

    private void OnJobRequest(JobRequest request)
    {
        ReleaseIfExpired(request.JobId);
        // A job request carries no preferences: the provider's scores from the job's bid request stay in its data.
        Answer(request.JobId, request.RequesterNodeId, ExchangePhase.JobRequest, false, request.Requirements, null, request.Nonce, lockIt: true);
    }

    /// <summary>
    /// Compares this provider with the job (every hard constraint against what is free now; its scores for the soft
    /// ones), keeps the comparison, and answers: what it held already, a decline naming the first constraint that failed, a bid, or a lock.
    /// </summary>
    private void Answer(string jobId, string requester, ExchangePhase phase, bool dryRun, JobRequirements requirements, IReadOnlyList<Preference>? preferences,
        string nonce, bool lockIt)
    {
        var free = _session.Ledger.Free;
        switch (ProviderDecisions.Answer(_session, jobId, requester, requirements, lockIt, askAgain: !dryRun, _settings.LockLease, Now, _executors.Types))
        {
            case ExchangeAnswer.HeldAlready held:
                _session = _session.GivenUnder(jobId, nonce);
                _eligibility.AskedAgain(jobId, phase, Now);
                Sender.Tell(Claimed(OfferFor(jobId, held.PricePerHour, true, held.ExpiresAt, held.SpareCapacity, nonce), preferences ?? []));
                break;
            case ExchangeAnswer.Offboarding:
                _eligibility.Record(jobId, requester, phase, dryRun, Now, "declined", DeclineReason.ProviderOffboarding, null, null, null, []);
                Sender.Tell(new DeclineMessage(jobId, ProviderId, phase, DeclineReason.ProviderOffboarding, ExchangeAnswer.Offboarding.Detail));
                break;
            case ExchangeAnswer.Ineligible no:
                // Scored as the bid it would have made (a job request carries no preferences: nothing to score).
                var scores = preferences is null
                    ? null
                    : EligibilityComparison.SoftConstraints(preferences, new Bid(jobId, ProviderId, Capability.PricePerHour, false, null,
                        CapabilityMatcher.SpareCapacity(Capability.Resources, free, requirements.Resources), Now, Capability, free.FreeGpuIndices));
                _eligibility.Record(jobId, requester, phase, dryRun, Now, "declined", no.Reason, Capability, free, requirements, scores);
                Sender.Tell(new DeclineMessage(jobId, ProviderId, phase, no.Reason, no.Detail));
                break;
            case ExchangeAnswer.Offer offer:
                Answered(OfferFor(jobId, offer.PricePerHour, false, null, offer.SpareCapacity, nonce), "bid");
                break;
            case ExchangeAnswer.Lock locked:
                Applied(locked.Event);
                _session = _session.GivenUnder(jobId, nonce);
                Timers.StartSingleTimer("lease:" + jobId, new LeaseDue(jobId), Until(locked.Event.ExpiresAt));
                Answered(OfferFor(jobId, locked.Event.PricePerHour, true, locked.Event.ExpiresAt, locked.SpareCapacity, nonce), "locked");
                break;
        }

        void Answered(Bid bid, string outcome)
        {
            var claimed = Claimed(bid, preferences ?? []);
            // A job request's entry keeps the scores of the job's bid request (null: unchanged).
            _eligibility.Record(jobId, requester, phase, dryRun, Now, outcome, null, Capability, free, requirements, preferences is null ? null : claimed.Claims ?? []);
            Sender.Tell(claimed);
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
        var bid = new Bid(jobId, ProviderId, price, locked, expires, spare, Now, Capability, _session.Ledger.Free.FreeGpuIndices)
        {
            PricePerResult = Capability.PricePerResult,
            Currency = Capability.Currency,
        };
        return _trust.IsSigned ? bid with { Proof = _trust.Sign(Signing.BidBytes(bid, nonce)) } : bid;
    }

    private void OnContractProposal(ContractProposal proposal)
    {
        var terms = proposal.Contract;
        var proposer = Sender;
        var decision = ProviderDecisions.Propose(_session, proposal, () => _trust.TrustsClusterMembers
            ? FromMember(proposer, terms.RequesterNodeId)
            : _trust.CheckApproved(ParticipantRole.ServiceProvider, terms.RequesterNodeId) is { IsTrusted: false } unapproved
                ? unapproved
                : _trust.CheckContract(proposal.RequesterProof, ParticipantRole.ServiceProvider, terms.RequesterNodeId, terms, Now), Now);
        switch (decision)
        {
            case ProposalDecision.JoinCommit:
                _waitingForCommit[terms.JobId].Add(proposer);
                break;
            case ProposalDecision.SignAgain again:
                // The job may adopt this contract now: an answer to an earlier question (e.g. "disowned", sent before the
                // job resumed and proposed again) must not revert it.
                _session = _session.SignedAgain(terms.JobId);
                proposer.Tell(SignedAnswer(again.Contract));
                break;
            case ProposalDecision.Refuse refuse:
                proposer.Tell(new DeclineMessage(terms.JobId, ProviderId, ExchangePhase.ContractClosure, refuse.Reason, refuse.Detail));
                if (refuse.ReleaseReason is not null && _session.Ledger.Locks.ContainsKey(terms.JobId))
                    Release(new LockReleased(ProviderId, terms.JobId, refuse.ReleaseReason, Now));
                break;
            case ProposalDecision.Commit commit:
                Commit(commit, proposal.RequesterProof, proposer);
                break;
        }
    }

    /// <summary>
    /// Durable before it is signed; written without holding up the provider's other answers (its lock keeps the
    /// resources held meanwhile, and nothing releases a lock being committed).
    /// </summary>
    private void Commit(ProposalDecision.Commit commit, Proof? requesterProof, IActorRef proposer)
    {
        var contract = commit.Contract;
        _session = _session.CommitStarted(contract.JobId);
        _waitingForCommit[contract.JobId] = [];
        // The comparison that led here goes with the commitment: the part of the provider's data kept at rest; the
        // confirmations waiting to be written ride along in the contract's row.
        var committed = ProviderDecisions.WithConfirmations(_session, new ContractCommitted(ProviderId, contract, commit.GpuIndices, Now, requesterProof,
            _eligibility.Read(Now, contract.JobId) is [var comparison] ? comparison : null), Now);
        if (!_session.ConfirmedNotRecorded.IsEmpty)
        {
            _session = _session.ConfirmationsTaken();
            Timers.Cancel("record-confirmations");
        }

        PersistAsync(committed, e =>
        {
            var releasedMeanwhile = _session.ReleasedWhileCommitting.GetValueOrDefault(contract.JobId);
            _waitingForCommit.Remove(contract.JobId, out var others);
            Applied(e);
            Timers.StartSingleTimer("contract:" + contract.JobId, new ContractDue(contract.JobId), Until(contract.EndsAt));
            AwaitConfirmation(contract.JobId, _settings.ContractConfirmAfter);
            var answer = SignedAnswer(contract);
            proposer.Tell(answer);
            foreach (var other in others!) other.Tell(answer);
            if (releasedMeanwhile is not null) Revoke(contract.JobId, releasedMeanwhile);
        });
    }

    private void OnReleaseLock(ReleaseLock release)
    {
        switch (ProviderDecisions.Release(_session, release))
        {
            case ReleaseDecision.ReleaseLock let:
                Release(new LockReleased(ProviderId, release.JobId, let.Reason, Now));
                break;
            case ReleaseDecision.AfterCommit after:
                _session = _session.ReleaseAfterCommit(release.JobId, after.Reason);
                break;
            case ReleaseDecision.Revoke revoke:
                Revoke(release.JobId, revoke.Reason);
                break;
        }
    }

    /// <summary>A job asks for its run: started once, under a contract held for it; asked again, its allocation answers.</summary>
    private void OnStartAllocation(StartAllocation start)
    {
        var asker = Sender;
        switch (ProviderDecisions.Allocate(_session, start, Now))
        {
            case AllocationDecision.NoContract none:
                asker.Tell(new AllocationReport(start.JobId, ProviderId, start.Contract.ContractId, long.MaxValue, AllocationState.Ended,
                    new RunOutcome(null, RunFailure.ProviderLost, none.Detail), Now));
                break;
            case AllocationDecision.Started:
                Allocation(start.Contract, null, asker).Forward(start);
                break;
            case AllocationDecision.Start begin:
                Persist(begin.Event, e =>
                {
                    Applied(e);
                    Allocation(start.Contract, start, asker);
                });
                break;
        }
    }

    /// <summary>
    /// A cancelled job's run stops: its allocation stops the program (and ends the contract when it has); a contract whose
    /// run never started ends now. Either way the job hears that the run ended.
    /// </summary>
    private void OnStopAllocation(StopAllocation stop)
    {
        var held = _session.Ledger.Contracts.GetValueOrDefault(stop.JobId);
        if (held is not null && held.Contract.ContractId == stop.ContractId && held.Allocated)
        {
            Allocation(held.Contract, null, Sender).Forward(stop);
            return;
        }

        Sender.Tell(new AllocationReport(stop.JobId, ProviderId, stop.ContractId, long.MaxValue, AllocationState.Ended,
            new RunOutcome(null, RunFailure.Cancelled, "cancelled before the run started"), Now));
        if (held is not null && held.Contract.ContractId == stop.ContractId)
        {
            var (receipt, proof) = NothingUsed(held, "cancelled");
            Persist(new ContractEnded(ProviderId, stop.JobId, Now, receipt, proof), e =>
            {
                Applied(e);
                SendReceiptsWhileUnsettled();
            });
        }
    }

    /// <summary>The allocation of a contract: the one running, or brought back (from its journal) to answer.</summary>
    private IActorRef Allocation(Contract contract, StartAllocation? start, IActorRef asker)
    {
        var name = AllocationName(contract.ContractId);
        var child = Context.Child(name);
        if (!child.IsNobody()) return child;
        if (_jobs is null && !asker.IsNobody() && !asker.Equals(Context.System.DeadLetters)) _settleTo[contract.ContractId] = asker;
        return Context.ActorOf(AllocationActor.Props(ProviderId, contract, start, _executors, _settings, _jobs ?? asker, _trust), name);
    }

    /// <summary>
    /// A contract for a program that ends before its run started: a signed receipt of nothing used, so that the contract is
    /// settled like any other (for nothing) rather than left open on the job's side. None for a reservation (nothing runs).
    /// </summary>
    private (UsageReceipt? Receipt, Proof? Proof) NothingUsed(CommittedContract? held, string outcome)
    {
        if (held is not { Allocated: false, Contract.Runs: not null }) return (null, null);
        var at = DateTimeOffset.FromUnixTimeMilliseconds(Now.ToUnixTimeMilliseconds());
        var receipt = new UsageReceipt(held.Contract.ContractId, held.Contract.JobId, ProviderId, 0, at, at, 0, 0, 0, 0, outcome, null, SettlementTerms.ResultHash([]));
        return (receipt, _trust.Sign(Signing.ReceiptBytes(receipt)));
    }

    /// <summary>While a contract is unsettled here, its receipt goes to its job every heartbeat (the job answers with its proposal).</summary>
    private void SendReceiptsWhileUnsettled()
    {
        if (!_session.Unsettled.IsEmpty && !Timers.IsTimerActive("receipts"))
            Timers.StartPeriodicTimer("receipts", SendReceipts.Instance, _settings.ExecutionHeartbeat);
    }

    private void SendReceipt(UnsettledContract unsettled)
    {
        var to = _jobs ?? _settleTo.GetValueOrDefault(unsettled.Contract.ContractId);
        to?.Tell(new SettleContract(unsettled.Contract.JobId, ProviderId, unsettled.Contract.ContractId, unsettled.Receipt, unsettled.ReceiptProof));
    }

    /// <summary>
    /// The job proposes a settlement: checked against this provider's own receipt and terms, countersigned and recorded
    /// (once: a repeated proposal gets the recorded answer), or disputed with the reason.
    /// </summary>
    private void OnProposeSettlement(ProposeSettlement proposal)
    {
        var job = Sender;
        var bytes = Signing.SettlementBytes(proposal.Settlement);
        var decision = ProviderDecisions.Countersign(_session, proposal, contract => _trust.TrustsClusterMembers
            ? FromMember(job, contract.RequesterNodeId)
            : _trust.CheckApproved(ParticipantRole.ServiceProvider, contract.RequesterNodeId) is { IsTrusted: false } unapproved
                ? unapproved
                : _trust.CheckSigned(proposal.RequesterProof, ParticipantRole.ServiceProvider, contract.RequesterNodeId, bytes, Now), Now);
        var s = proposal.Settlement;
        switch (decision)
        {
            case CountersignDecision.Unknown unknown:
                _log.Debug("provider {0}: settlement of {1} proposed, not known here ({2})", ProviderId, s.ContractId, unknown.Detail);
                break;
            case CountersignDecision.Refuse refuse:
                _log.Warning("provider {0}: settlement of {1} refused: {2}", ProviderId, s.ContractId, refuse.Reason);
                break;
            case CountersignDecision.Answered { Record.State: SettlementState.Settled } answered:
                job.Tell(new SettlementCountersigned(s.JobId, ProviderId, s.ContractId, answered.Record.ProviderProof));
                break;
            case CountersignDecision.Answered answered:
                job.Tell(new SettlementRejected(s.JobId, ProviderId, s.ContractId, answered.Record.DisputeReason ?? "disputed"));
                break;
            case CountersignDecision.Dispute dispute:
                Persist(dispute.Event, e =>
                {
                    Applied(e);
                    _log.Warning("provider {0}: disputes the settlement of {1}: {2}", ProviderId, e.ContractId, e.Reason);
                    job.Tell(new SettlementRejected(e.JobId, ProviderId, e.ContractId, e.Reason));
                });
                break;
            case CountersignDecision.Sign sign:
                var unsettled = _session.Unsettled[s.ContractId];
                var proof = _trust.Sign(bytes);
                Persist(new ProviderContractSettled(ProviderId, sign.Settlement, unsettled.ReceiptProof, proposal.RequesterProof, proof, Now), e =>
                {
                    Applied(e);
                    _settleTo.Remove(s.ContractId);
                    _log.Info("provider {0}: settled {1}: {2} {3} ({4})", ProviderId, s.ContractId, SettlementTerms.Money(s.Amount), s.Currency, s.Basis);
                    job.Tell(new SettlementCountersigned(s.JobId, ProviderId, s.ContractId, proof));
                });
                break;
        }
    }

    private static string AllocationName(string contractId) => "allocation-" + Uri.EscapeDataString(contractId);

    /// <summary>Tells a contract's allocation to stop its program (brought back from its journal if it is not running here).</summary>
    private void StopRun(Contract contract, string reason) =>
        Allocation(contract, null, Context.System.DeadLetters).Tell(new StopAllocation(contract.JobId, ProviderId, contract.ContractId, reason));

    private void Revoke(string jobId, string reason, bool stopRunFirst = true)
    {
        var held = _session.Ledger.Contracts.GetValueOrDefault(jobId);
        if (stopRunFirst && held is { Allocated: true })
        {
            // A run under a contract its job no longer holds (the job gave it up as lost) stops first: no program runs
            // without its contract. The revocation is written when the allocation says the program has stopped.
            _revokeWhenStopped[jobId] = reason;
            StopRun(held.Contract, "contract revoked: " + reason);
            return;
        }

        var (receipt, proof) = NothingUsed(held, "not-started");
        Persist(new ContractRevoked(ProviderId, jobId, reason, Now, receipt, proof), e =>
        {
            Applied(e);
            OrchestratorMetrics.ContractRevoked();
            _log.Warning("provider {0}: contract for job {1} revoked ({2})", ProviderId, jobId, reason);
            SendReceiptsWhileUnsettled();
        });
    }

    /// <summary>
    /// After a restart, each job whose contract was not confirmed (as journaled) is asked, spread over the first interval,
    /// and over longer when there are many (at most about 20 questions a second: each may load a job from the journal).
    /// </summary>
    private void AskAboutRecoveredContracts()
    {
        var unconfirmed = _session.Unconfirmed.Keys.ToArray();
        var spread = Math.Max(1, (int)Math.Max(_settings.ContractConfirmAfter.TotalMilliseconds, unconfirmed.Length * 50.0));
        foreach (var jobId in unconfirmed)
            AwaitConfirmation(jobId, TimeSpan.FromMilliseconds(Random.Shared.Next(spread)));
    }

    private void AwaitConfirmation(string jobId, TimeSpan firstAsk) =>
        Timers.StartSingleTimer("confirm:" + jobId, new ConfirmDue(jobId, 0), firstAsk);

    /// <summary>No confirmation yet: ask the job, wherever it runs, and again later (doubling, at most a minute apart) until it answers.</summary>
    private void OnConfirmDue(ConfirmDue due)
    {
        var contract = ProviderDecisions.StillUnconfirmed(_session, due.JobId);
        if (contract is null || _jobs is null) return;
        var queryId = Nonce.New();
        _session = _session.Asked(due.JobId, queryId);
        _jobs.Tell(new ContractQuery(due.JobId, ProviderId, contract.ContractId, queryId));
        Timers.StartSingleTimer("confirm:" + due.JobId, new ConfirmDue(due.JobId, due.Asked + 1), ProviderDecisions.NextAsk(_settings.ContractConfirmAfter, due.Asked));
    }

    /// <summary>The contract as committed, signed by this provider (again, when a recovered job asks again).</summary>
    private ContractSigned SignedAnswer(Contract contract) => new(contract, _trust.Sign(Signing.ContractBytes(contract)));

    /// <summary>
    /// Approval by membership: a proposal from this node, or from a current member of its cluster, comes from a node of
    /// the cluster; anything else (a system that reached this node's transport without joining) is refused. A member
    /// counts from its join on: the leader moves members that join together to Up only once each has seen the others
    /// joining, so a job on one of them can propose to a provider of another before that provider's view shows it Up —
    /// refused then as "not a member", the contract was declined (a push job failed; a pull job took a dearer provider).
    /// A member downed, exiting or removed is refused.
    /// </summary>
    private static TrustVerdict FromMember(IActorRef sender, string requesterNodeId)
    {
        var address = sender.Path.Address;
        if (address.HasLocalScope) return TrustVerdict.Trusted;
        var system = Context.System;
        if (system.Settings.ProviderClass.Contains("Cluster", StringComparison.Ordinal)
            && Akka.Cluster.Cluster.Get(system).State.Members.Any(m => m.Address.Equals(address) && m.Status is Akka.Cluster.MemberStatus.Joining or Akka.Cluster.MemberStatus.WeaklyUp
                or Akka.Cluster.MemberStatus.Up or Akka.Cluster.MemberStatus.Leaving))
            return TrustVerdict.Trusted;
        return new TrustVerdict(DistrustReason.NotApproved,
            $"service provider '{requesterNodeId}' proposed from {address}, which is not a member of this cluster (approval by membership)");
    }

    private void Applied(IProviderEvent e)
    {
        _session = _session.Apply(e);
        ReportUsage();
        var jobId = ProviderDecisions.JobOf(e);
        _log.Debug("provider {0}: {1} for job {2}", ProviderId, e.GetType().Name, jobId);
        if (e is LockReleased) Timers.Cancel("lease:" + jobId);
        if (e is ContractEnded or ContractRevoked)
        {
            Timers.Cancel("confirm:" + jobId);
            Timers.Cancel("contract:" + jobId);
        }

        if (e is LockReleased or ContractEnded or ContractRevoked) LeaveIfDone();
    }

    /// <summary>An offboarding provider whose last lock and contract ended asks its host to let it go.</summary>
    private void LeaveIfDone()
    {
        if (ProviderDecisions.Gone(_session)) _host?.Tell(new ProviderGone(ProviderId));
    }

    private void ReportUsage()
    {
        var total = Capability.Resources;
        var free = _session.Ledger.Free;
        OrchestratorMetrics.ProviderUsage(ProviderId,
            total.CpuCores == 0 ? 0 : 1 - (double)free.CpuCores / total.CpuCores,
            total.RamMb == 0 ? 0 : 1 - (double)free.RamMb / total.RamMb);
    }

    /// <summary>After a restart: leases and contracts that ran out while down end now, the rest on time.</summary>
    private void ScheduleExpiries()
    {
        foreach (var held in _session.Ledger.Locks.Values)
            Timers.StartSingleTimer("lease:" + held.JobId, new LeaseDue(held.JobId), Until(held.ExpiresAt));
        foreach (var signed in _session.Ledger.Contracts.Values)
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

    private TimeSpan Until(DateTimeOffset at)
    {
        var wait = at - Now;
        return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
    }
}
