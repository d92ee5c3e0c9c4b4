using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Event;
using Akka.Persistence;
using Orchestrator.Configuration;
using Orchestrator.Matching;
using Orchestrator.Protocol.Events;
using Orchestrator.Protocol.Messages;
using Orchestrator.Protocol.Model;
using Orchestrator.Providers;
using Orchestrator.ReadModel;
using Orchestrator.Telemetry;
using Orchestrator.Trust;

namespace Orchestrator.Jobs;

/// <summary>
/// One job, from posting to a contract or a failure. It persists the events <see cref="JobDecisions"/> decides
/// and replies; what to do next is read from the recovered state alone (<see cref="Proceed"/>), so a job
/// restarted after a crash picks up exactly where its journal left it.
/// </summary>
public sealed class JobActor : ReceivePersistentActor, IWithTimers
{
    private sealed record DeadlineReached
    {
        public static readonly DeadlineReached Instance = new();
    }

    private sealed record SearchAgain
    {
        public static readonly SearchAgain Instance = new();
    }

    // The member a run was on is no longer in the cluster (removed while this job watched, or before it recovered here).
    private sealed record RunNodeRemoved(string Node);

    // The run's provider has not been heard from for lostAfter (since the run was asked for, or its last report).
    private sealed record RunSilent(string ContractId);

    // Ask the provider to start the run again (until its allocation reports), or to stop it (until it reports its end).
    private sealed record RunAskAgain
    {
        public static readonly RunAskAgain Instance = new();
    }

    // Propose the settlements awaiting the provider's countersignature again (until it answers).
    private sealed record ProposeAgain
    {
        public static readonly ProposeAgain Instance = new();
    }

    // The settlement provider's answer about one settled contract.
    private sealed record Transferred(string ContractId, SettlementTransfer Transfer);

    private sealed record TransferFailed(string ContractId, string Error);

    private sealed record TransferAgain(string ContractId);

    private readonly Settlements.ISettlementProvider _settlementProvider =
        Hosting.OrchestratorNode.Find(Context.System)?.SettlementProvider ?? Settlements.JournalSettlementProvider.Instance;

    private readonly OrchestratorSettings _settings;
    private readonly ParticipantTrust _trust;
    private readonly IActorRef _directory;
    private readonly IActorRef? _listing;

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Persistence.JournalStatus? _journal = Hosting.OrchestratorNode.Find(Context.System)?.Journal;

    // The state: what the journal holds, and what the job holds in memory besides (one value each).
    private Job _job;
    private JobRuntime _runtime = JobRuntime.Start;

    /// <summary>The job with the lock confirmation not yet journaled: what the contract exchange is decided on.</summary>
    private Job Current => _runtime.LockConfirmed is { } confirmed ? _job.Apply(confirmed) : _job;

    public JobActor(string jobId, OrchestratorSettings settings, ParticipantTrust trust, IActorRef directory, IActorRef? listing = null)
    {
        _settings = settings;
        _trust = trust;
        _directory = directory;
        _listing = listing;
        _job = Job.New(jobId);
        PersistenceId = "job-" + jobId;

        Recover<IJobEvent>(e =>
        {
            _job = _job.Apply(e);
            _runtime = _runtime with { Summary = JobSummaries.Apply(_runtime.Summary, e) };
        });
        Recover<RecoveryCompleted>(_ =>
        {
            if (!_job.Exists) return;
            // A settlement left half done (proposed, or settled and not transferred) resumes: the job asks again.
            if (_job.SettlementPending) ResumeSettlements();
            if (_job.IsTerminal) Context.SetReceiveTimeout(_settings.TerminalJobIdle);
            else
            {
                _log.Info("job {0}: resuming in state {1}", _job.JobId, _job.State);
                if (_job.State is not (JobState.Contracted or JobState.Running)) StartDeadline();
                // A run under way (or asked for) is given lostAfter from now to be heard from; one on a member the cluster
                // removed meanwhile (this job moved here because its own node went too, maybe the same one) is lost now.
                if (_job.Contract is not null && _job.State is JobState.Contracted or JobState.Running)
                {
                    WatchRun(_job.Contract.ContractId);
                    WatchMembers();
                    if (_job.CurrentRun is { } run && RunNodeGone(run.Node)) Self.Tell(new RunNodeRemoved(run.Node));
                }
                Proceed();
            }
        });

        Command<PostJob>(OnPost);
        Command<GetJob>(_ =>
        {
            if (_job.Exists) Sender.Tell(_job.ToStatus() with { HostedBy = HostAddress, AwaitingBids = _runtime.Search?.Waiting });
            else
            {
                Sender.Tell(new JobNotFound(_job.JobId, HostAddress));
                Passivate();
            }
        });
        Command<KnownProviders>(known =>
        {
            TakeView(known);
            Proceed();
        });
        Command<SearchAgain>(_ => Proceed());
        // Running (or just recovered, which resumed it): nothing more to do. Never posted: this entity goes again.
        Command<ResumeJob>(_ =>
        {
            if (!_job.Exists) Passivate();
        });
        Command<ExchangeOutcome>(OnOutcome);
        Command<SubscribeToJob>(subscribe =>
        {
            if (!_job.Exists)
            {
                subscribe.Subscriber.Tell(new JobNotFound(_job.JobId, HostAddress));
                return;
            }

            Follow(subscribe.Subscriber);
            subscribe.Subscriber.Tell(CurrentChange());
        });
        Command<Terminated>(t => _runtime = _runtime with { Subscribers = _runtime.Subscribers.Remove(t.ActorRef) });
        Command<DeadlineReached>(_ => PersistThen(JobDecisions.DeadlinePassed(_job, Now)));
        Command<AllocationReport>(OnAllocationReport);
        Command<SettleContract>(settle =>
        {
            // The provider itself sent it: its answer goes straight back (its directory entry may be stale after a restart).
            if (!Sender.IsNobody()) SettleWith(settle.ContractId, Sender);
            PersistThen(OnReceipt([], settle.Receipt, settle.ReceiptProof, Sender));
        });
        Command<SettlementCountersigned>(answer =>
        {
            var settled = Settlements.SettlementDecisions.OnCountersigned(_job, answer,
                s => _trust.CheckSigned(answer.ProviderProof, ParticipantRole.ComputeProvider, s.ProviderId, Signing.SettlementBytes(s), Now), Now);
            // The default settlement provider moves nothing and answers at once: its record rides in the same write (one
            // journal row less per contract). Any other is called once the settlement is written.
            if (settled is [ContractSettled done] && _settlementProvider is Settlements.JournalSettlementProvider journal)
            {
                var record = _job.Apply(done).Settlements.First(s => s.ContractId == done.Settlement.ContractId).Record;
                var reference = journal.TransferAsync(record, CancellationToken.None).GetAwaiter().GetResult();
                settled = [done, new SettlementTransferred(_job.JobId, done.Settlement.ContractId, new SettlementTransfer(journal.Name, reference, Now), Now)];
            }

            PersistThen(settled, Transfer);
        });
        Command<SettlementRejected>(answer => PersistThen(Settlements.SettlementDecisions.OnRejected(_job, answer, Now)));
        Command<ProposeAgain>(_ =>
        {
            var proposed = Settlements.SettlementDecisions.AwaitingCountersignature(_job).ToArray();
            if (proposed.Length == 0) Timers.Cancel("settle");
            // A provider not heard from directly is looked up afresh (it may have moved, or restarted, since the view was taken).
            else if (proposed.Any(p => !_runtime.SettleWith.ContainsKey(p.ContractId))) AskDirectory();
            foreach (var entry in proposed) Propose(entry.Record);
        });
        Command<Transferred>(done =>
        {
            _runtime = _runtime with
            {
                Transferring = _runtime.Transferring.Remove(done.ContractId),
                TransferFailures = _runtime.TransferFailures.Remove(done.ContractId),
            };
            PersistThen([new SettlementTransferred(_job.JobId, done.ContractId, done.Transfer, Now)]);
        });
        Command<TransferFailed>(failed =>
        {
            var failures = _runtime.TransferFailures.GetValueOrDefault(failed.ContractId) + 1;
            _runtime = _runtime with
            {
                Transferring = _runtime.Transferring.Remove(failed.ContractId),
                TransferFailures = _runtime.TransferFailures.SetItem(failed.ContractId, failures),
            };
            var wait = TimeSpan.FromSeconds(Math.Min(60, Math.Pow(2, failures - 1)));
            _log.Warning("job {0}: the settlement provider {1} failed for {2} ({3}); trying again in {4:0} s", _job.JobId, _settlementProvider.Name,
                failed.ContractId, failed.Error, wait.TotalSeconds);
            Timers.StartSingleTimer("transfer:" + failed.ContractId, new TransferAgain(failed.ContractId), wait);
        });
        Command<TransferAgain>(_ => Transfer());
        Command<Akka.Cluster.ClusterEvent.MemberRemoved>(removed => Self.Tell(new RunNodeRemoved(removed.Member.Address.ToString())));
        Command<RunNodeRemoved>(removed => PersistThen(RunDecisions.NodeRemoved(_job, removed.Node, _settings.DefaultRestart, Now)));
        Command<Akka.Cluster.ClusterEvent.IMemberEvent>(_ => { });
        Command<RunSilent>(silent =>
        {
            if (_job.Contract?.ContractId != silent.ContractId) return;
            _log.Warning("job {0}: nothing heard from provider {1} for {2}", _job.JobId, _job.Contract.ProviderId, _settings.ExecutionLostAfter);
            PersistThen(RunDecisions.Lost(_job, _settings.ExecutionLostAfter, _settings.DefaultRestart, Now));
        });
        Command<RunAskAgain>(_ =>
        {
            if (_runtime.Stopping is (var stop, var since))
            {
                if (Now - since < _settings.ExecutionLostAfter) SendToProvider(stop.ProviderId, stop);
                else _runtime = _runtime with { Stopping = null };
            }
            else Proceed();
        });
        Command<CancelJob>(OnCancel);
        Command<ContractQuery>(query =>
        {
            if (JobDecisions.AnswerContractQuery(_job, query) is { } answer) Sender.Tell(answer);
            if (!_job.Exists) Passivate();
        });
        Command<ReceiveTimeout>(_ =>
        {
            if (!_job.Exists || (_job.IsTerminal && !_job.SettlementPending)) Passivate();
        });
    }

    public static Props Props(string jobId, OrchestratorSettings settings, ParticipantTrust trust, IActorRef directory, IActorRef? listing = null) =>
        Akka.Actor.Props.Create(() => new JobActor(jobId, settings, trust, directory, listing));

    public override string PersistenceId { get; }

    // A job never saves snapshots, so recovery need not ask the snapshot store (one query less per new job).
    public override Recovery Recovery { get; } = new(SnapshotSelectionCriteria.None);

    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>
    /// The job's clock is the actor system's scheduler (Akka's <see cref="ITimeProvider"/>): the same clock its timers
    /// run on, and one a test can replace (Akka.TestKit's TestScheduler) to drive time instead of waiting for it.
    /// </summary>
    private readonly ITimeProvider _clock = Context.System.Scheduler;

    private DateTimeOffset Now => _clock.Now;

    private string HostAddress => Context.System is ExtendedActorSystem system ? system.Provider.DefaultAddress.ToString() : "";

    private JobStateChanged CurrentChange()
    {
        var last = _job.History[^1];
        return new JobStateChanged(_job.JobId, last.State, last.At, last.Note, _job.Contract, _job.Failure)
        {
            Final = _job.IsTerminal,
            Run = _job.CurrentRun ?? (last.State is JobState.Completed or JobState.Failed or JobState.Cancelled or JobState.Searching && _job.Runs.Count > 0 ? _job.Runs[^1] : null),
        };
    }

    /// <summary>Adds a subscriber (once; it is dropped when it stops). False when there is none.</summary>
    private bool Follow(IActorRef? subscriber)
    {
        if (subscriber is null) return false;
        if (_runtime.Subscribers.Contains(subscriber)) return true;
        _runtime = _runtime with { Subscribers = _runtime.Subscribers.Add(subscriber) };
        Context.Watch(subscriber);
        return true;
    }

    private void Notify()
    {
        if (_runtime.Subscribers.IsEmpty) return;
        var change = CurrentChange();
        foreach (var subscriber in _runtime.Subscribers) subscriber.Tell(change);
    }

    private void OnPost(PostJob post)
    {
        switch (JobDecisions.Post(_job, post, _settings, Now))
        {
            case PostDecision.Accept accept:
                Follow(post.Subscriber);
                // The first search is chosen from a fresh directory view and written with the post, in one atomic
                // write: one journal round trip less before the first bid request goes out.
                _runtime = _runtime with { PostNotWritten = (accept.Event, Sender), ViewIsFresh = false };
                AskDirectory();
                BecomeStacked(AwaitingViewForPost);
                break;
            case PostDecision.AlreadyPosted existing:
                Sender.Tell(new JobAccepted(post.JobId, existing.State, Created: false, HostAddress));
                if (Follow(post.Subscriber)) post.Subscriber!.Tell(CurrentChange());
                break;
            case PostDecision.Conflict conflict:
                Sender.Tell(new JobConflict(post.JobId, conflict.Detail));
                break;
            case PostDecision.Reject reject:
                Sender.Tell(new JobRejected(post.JobId, reject.Errors));
                if (!_job.Exists) Passivate();
                break;
        }
    }

    private void OnCancel(CancelJob cancel)
    {
        if (!_job.Exists)
        {
            Sender.Tell(new JobNotFound(_job.JobId, HostAddress));
            Passivate();
            return;
        }

        if (_job.IsTerminal)
        {
            Sender.Tell(new JobNotCancellable(_job.JobId, _job.State, $"job '{_job.JobId}' is {_job.State} already"));
            return;
        }

        var client = Sender;
        PersistThen(JobDecisions.Cancel(_job, cancel.Reason, Now), () => client.Tell(new JobCancelled(_job.JobId)));
    }

    private void AwaitingViewForPost()
    {
        Command<KnownProviders>(known =>
        {
            TakeView(known);
            UnbecomeStacked();
            var (posted, client) = _runtime.PostNotWritten!.Value;
            var postedJob = _job.Apply(posted);
            var search = JobDecisions.StartSearch(postedJob, ChooseCandidates(postedJob), Now);
            _runtime = _runtime with { ViewIsFresh = false };
            PersistThen([posted, .. search], () =>
            {
                _runtime = _runtime with { PostNotWritten = null };
                _log.Info("job {0}: posted by {1}", posted.JobId, posted.Requester);
                // The answer names the state the post created; the search already under way shows in the job's history.
                client.Tell(new JobAccepted(posted.JobId, JobState.Posted, Created: true, HostAddress));
                StartDeadline();
                Stash.UnstashAll();
            });
        });
        CommandAny(_ => Stash.Stash());
    }

    private void TakeView(KnownProviders known)
    {
        _runtime = _runtime.WithView(known);
    }

    /// <summary>The providers to ask, from the view: never one that failed a run of this job.</summary>
    private CandidateChoice ChooseCandidates(Job job)
    {
        var view = _runtime.View!;
        if (job.Excluded.IsEmpty) return CandidateSelection.Choose(view.Pool, job.Description!, job.Requirements!, _settings.MaxBidRequests, seed: job.JobId);
        var pool = new ProviderPool(view.Pool.Providers.Where(p => !job.Excluded.Contains(p.Id)).ToArray());
        var choice = CandidateSelection.Choose(pool, job.Description!, job.Requirements!, _settings.MaxBidRequests, seed: job.JobId);
        return choice with { Candidates = choice.Candidates.Where(id => !job.Excluded.Contains(id)).ToArray() };
    }

    /// <summary>
    /// The journal refused a write. Akka stops the actor after this (sharding restarts it, and it recovers from
    /// what was stored); a post that was not stored is answered now, so its client hears "unavailable" rather
    /// than nothing.
    /// </summary>
    protected override void OnPersistFailure(Exception cause, object @event, long sequenceNr)
    {
        _log.Warning("job {0}: journal write failed ({1}); the job stops and resumes from its journal", _job.JobId, cause.Message);
        _journal?.Failed(cause);
        if (@event is JobPosted or JobStepsRecorded { Steps: [JobPosted, ..] } && _runtime.PostNotWritten is (_, var client))
            client.Tell(new JobUnavailable(_job.JobId, "the journal could not store the job: " + cause.Message));
        base.OnPersistFailure(cause, @event, sequenceNr);
    }

    protected override void OnRecoveryFailure(Exception reason, object? message = null)
    {
        _journal?.Failed(reason);
        base.OnRecoveryFailure(reason, message);
    }

    /// <summary>Does the next step the current state calls for (<see cref="JobDecisions.Next"/>). Safe to call at any time, any number of times.</summary>
    private void Proceed()
    {
        var job = Current;
        switch (JobDecisions.Next(job, _runtime, Now))
        {
            case JobStep.SearchAgainAt again:
                Timers.StartSingleTimer("search-again", SearchAgain.Instance, again.At - Now);
                break;
            case JobStep.AskDirectory:
                AskDirectory();
                break;
            case JobStep.StartSearch:
                var choice = ChooseCandidates(job);
                _runtime = _runtime with { ViewIsFresh = false };
                PersistThen(JobDecisions.StartSearch(job, choice, Now));
                break;
            case JobStep.CollectBids:
                StartSearchRound();
                break;
            case JobStep.RecordRequestSent:
                PersistThen([new JobRequestSent(job.JobId, job.Selected!.ProviderId, Now)]);
                break;
            case JobStep.SendJobRequest:
                SendJobRequest(job);
                break;
            case JobStep.ProposeContract:
                CloseContract();
                break;
        }

        if (RunDecisions.Next(job) is RunStep.Start start)
        {
            // Asked again each heartbeat until the allocation reports (the provider answers a repeated ask with the same allocation).
            if (!_runtime.HasView) AskDirectory();
            else SendToProvider(start.Request.ProviderId, start.Request);
            Timers.StartSingleTimer("run-ask", RunAskAgain.Instance, _settings.ExecutionHeartbeat);
            if (!Timers.IsTimerActive("run-silent")) WatchRun(start.Request.Contract.ContractId);
        }
    }

    private bool InCluster => Context.System.Settings.ProviderClass.Contains("Cluster", StringComparison.Ordinal);

    /// <summary>While a run goes on: the cluster says when a member is removed (a run there is lost at once).</summary>
    private void WatchMembers()
    {
        if (_runtime.WatchingMembers || !InCluster) return;
        _runtime = _runtime with { WatchingMembers = true };
        Akka.Cluster.Cluster.Get(Context.System).Subscribe(Self, Akka.Cluster.ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents,
            typeof(Akka.Cluster.ClusterEvent.MemberRemoved));
    }

    private void UnwatchMembers()
    {
        if (!_runtime.WatchingMembers) return;
        _runtime = _runtime with { WatchingMembers = false };
        Akka.Cluster.Cluster.Get(Context.System).Unsubscribe(Self);
    }

    /// <summary>The run's member is not in this (up) member's view of the cluster: it was removed.</summary>
    private bool RunNodeGone(string node)
    {
        if (!InCluster || node.Length == 0) return false;
        var cluster = Akka.Cluster.Cluster.Get(Context.System);
        return cluster.SelfMember.Status == Akka.Cluster.MemberStatus.Up && cluster.State.Members.All(m => m.Address.ToString() != node);
    }

    protected override void PostStop()
    {
        UnwatchMembers();
        base.PostStop();
    }

    /// <summary>The run's provider has lostAfter from now to be heard from.</summary>
    private void WatchRun(string contractId) => Timers.StartSingleTimer("run-silent", new RunSilent(contractId), _settings.ExecutionLostAfter);

    private void OnAllocationReport(AllocationReport report)
    {
        var allocation = Sender;
        var ack = new AllocationReportAck(report.JobId, report.ProviderId, report.ContractId, report.Seq);
        // The provider behind the allocation: where this contract's settlement is proposed (its directory entry may be stale).
        if (report.Receipt is not null && !allocation.IsNobody()) SettleWith(report.ContractId, Context.ActorSelection(allocation.Path.Parent));
        if (_runtime.Stopping is (var stop, _) && report.ContractId == stop.ContractId && report.State == AllocationState.Ended)
        {
            _runtime = _runtime with { Stopping = null };
            Timers.Cancel("run-ask");
        }

        IReadOnlyList<IJobEvent> events = [];
        if (_job.Contract?.ContractId == report.ContractId && _job.State is JobState.Contracted or JobState.Running)
        {
            WatchRun(report.ContractId);
            events = RunDecisions.OnReport(_job, report, _settings.DefaultRestart, Now);
        }

        // The end comes with the provider's receipt: the run's end and the settlement it leads to are written together.
        var decided = report.Receipt is { } receipt ? OnReceipt(events, receipt, report.ReceiptProof, allocation) : events;
        // Acknowledged once what it says is recorded (at once when it changes nothing): the allocation stops re-sending its
        // last report on the acknowledgement, so a crash before the write must leave it re-sending.
        if (decided.Count == 0) allocation.Tell(ack);
        else PersistThen(decided, () => allocation.Tell(ack));
    }

    /// <summary>
    /// A provider's receipt, after <paramref name="before"/> (the events it arrived with): the settlement it leads to
    /// (signed by this node, to be written with them), a dispute, or — already answered — the same answer again.
    /// </summary>
    private IReadOnlyList<IJobEvent> OnReceipt(IReadOnlyList<IJobEvent> before, UsageReceipt receipt, Proof? proof, IActorRef provider)
    {
        var job = _job.Apply(before);
        var decision = Settlements.SettlementDecisions.OnReceipt(job, receipt,
            () => _trust.CheckSigned(proof, ParticipantRole.ComputeProvider, receipt.ProviderId, Signing.ReceiptBytes(receipt), Now), Now);
        switch (decision)
        {
            case Settlements.ReceiptDecision.Propose propose:
                return [.. before, new SettlementProposed(_job.JobId, propose.Settlement, proof, _trust.Sign(Signing.SettlementBytes(propose.Settlement)), Now)];
            case Settlements.ReceiptDecision.Dispute dispute:
                return [.. before, dispute.Event with { ReceiptProof = proof }];
            case Settlements.ReceiptDecision.Refuse refuse:
                _log.Warning("job {0}: receipt for {1} refused: {2}", _job.JobId, receipt.ContractId, refuse.Reason);
                provider.Tell(new ReceiptRefused(_job.JobId, receipt.ProviderId, receipt.ContractId, refuse.Reason));
                return before;
            case Settlements.ReceiptDecision.Answered { Record.Record: var record }:
                if (record.State is SettlementState.Proposed or SettlementState.Settled) Propose(record);
                else if (record.State == SettlementState.Disputed) Dispute(record);
                return before;
            default:
                return before;
        }
    }

    /// <summary>The job's signed proposal, to the provider (which answers a repeated one with what it recorded).</summary>
    private void Propose(SettlementRecord record)
    {
        if (record.Settlement is not { } settlement) return;
        var proposal = new ProposeSettlement(settlement, record.RequesterProof);
        if (_runtime.SettleWith.TryGetValue(record.ContractId, out var provider)) provider.Tell(proposal, Self);
        else SendToProvider(record.ProviderId, proposal);
    }

    private void Dispute(SettlementRecord record)
    {
        var dispute = new DisputeSettlement(_job.JobId, record.ProviderId, record.ContractId, record.DisputedBy ?? Settlements.SettlementDecisions.Requester,
            record.DisputeReason ?? "");
        if (_runtime.SettleWith.TryGetValue(record.ContractId, out var provider)) provider.Tell(dispute, Self);
        else SendToProvider(record.ProviderId, dispute);
    }

    /// <summary>After a restart: proposals not yet countersigned are made again; settled contracts not yet transferred are transferred.</summary>
    private void ResumeSettlements()
    {
        if (Settlements.SettlementDecisions.AwaitingCountersignature(_job).Any())
        {
            AskDirectory();
            Timers.StartPeriodicTimer("settle", ProposeAgain.Instance, _settings.ExecutionHeartbeat);
        }

        Transfer();
    }

    /// <summary>Each settled contract not transferred yet goes to the settlement provider (one call at a time per contract).</summary>
    private void Transfer()
    {
        foreach (var entry in Settlements.SettlementDecisions.AwaitingTransfer(_job))
        {
            var record = entry.Record;
            // One call at a time, and none while a retry waits for its time (that retry calls it).
            if (_runtime.Transferring.Contains(record.ContractId) || Timers.IsTimerActive("transfer:" + record.ContractId)) continue;
            _runtime = _runtime with { Transferring = _runtime.Transferring.Add(record.ContractId) };
            var provider = _settlementProvider;
            var self = Self;
            var clock = _clock;
            Task.Run(async () =>
            {
                try
                {
                    var reference = await provider.TransferAsync(record, CancellationToken.None).ConfigureAwait(false);
                    self.Tell(new Transferred(record.ContractId, new SettlementTransfer(provider.Name, reference, clock.Now)));
                }
                catch (Exception e)
                {
                    self.Tell(new TransferFailed(record.ContractId, e.Message));
                }
            });
        }
    }

    private void SettleWith(string contractId, ICanTell provider) =>
        _runtime = _runtime with { SettleWith = _runtime.SettleWith.SetItem(contractId, provider) };

    private void SendToProvider(string providerId, IProviderMessage message)
    {
        _runtime.Provider(providerId)?.Tell(message);
    }

    private void SendJobRequest(Job job)
    {
        var provider = job.Selected!.ProviderId;
        var nonce = Nonce.New();
        _runtime = _runtime with { RequestNonce = nonce };
        Exchange(provider, new JobRequest(job.JobId, provider, _settings.NodeId, job.Requirements!, nonce),
            ExchangePhase.JobRequest, _settings.JobRequestTimeout);
    }

    private void AskDirectory()
    {
        if (!_runtime.DirectoryAsked) _directory.Tell(ListProviders.Instance);
        _runtime = _runtime with { DirectoryAsked = true };
    }

    private void StartSearchRound()
    {
        var nonce = Nonce.New();
        var timeout = _settings.DefaultSearchTimeout;
        // The job's soft constraints go with each request: the provider scores itself and sends its scores with the bid.
        var preferences = _job.Preferences.Count == 0 ? null : _job.Preferences.ToArray();
        var asks = new List<RelayedBidRequest>();
        var view = _runtime.View!;
        _runtime = _runtime with
        {
            Search = SearchRound.Start(_job.JobId, _job.Candidates, view.ById, nonce, Now + timeout, (id, provider) =>
                asks.Add(new RelayedBidRequest(provider, new BidRequest(_job.JobId, id, _settings.NodeId, _job.Requirements!, Nonce: nonce, Preferences: preferences))),
                view.Departed),
        };
        // Providers of this member are asked one by one (a local message costs next to nothing); those of another member
        // hosting several candidates in one message to its directory, answered in one (docs/performance.md).
        foreach (var member in asks.GroupBy(a => RemoteMember(a.Provider)))
        {
            if (member.Key is { } address && member.Count() > 1)
                Context.ActorOf(RelayedBidCollector.Props(Context.ActorSelection(new RootActorPath(address) / _directory.Path.Elements),
                    _job.JobId, member.ToArray(), timeout, _settings.LockLease));
            else
                foreach (var ask in member)
                    Context.ActorOf(ProviderExchange.Props(ask.Provider, ask.Request, _job.JobId, ExchangePhase.Bid, timeout, _settings.LockLease));
        }

        FinishSearchIfComplete();
    }

    /// <summary>The member a provider lives on when it is not this one (null: this member, or no cluster).</summary>
    private static Address? RemoteMember(IActorRef provider) =>
        provider.Path.Address is { HasGlobalScope: true } address && !address.Equals(((ExtendedActorSystem)Context.System).Provider.DefaultAddress)
            ? address
            : null;

    private void FinishSearchIfComplete()
    {
        if (_runtime.Search is not { IsComplete: true } round) return;
        _runtime = _runtime with { Search = null };
        PersistThen(JobDecisions.CompleteSearch(_job, round.Bids, round.Declines, round.Timeouts, _settings, Now));
    }

    private void CloseContract()
    {
        var job = Current;
        var dropped = JobDecisions.VerifyProvider(job, _trust, _settings, Now);
        if (dropped.Count > 0)
        {
            PersistThen(dropped);
            return;
        }

        var provider = job.Selected!.ProviderId;
        var terms = JobDecisions.ProposeContract(job, _settings, Now);
        Exchange(provider, new ContractProposal(terms, _trust.Sign(Signing.ContractBytes(terms))),
            ExchangePhase.ContractClosure, _settings.ContractTimeout);
    }

    private void Exchange(string providerId, IProviderMessage request, ExchangePhase phase, TimeSpan timeout)
    {
        _runtime = _runtime with { ExchangeInFlight = true };
        if (_runtime.Provider(providerId) is { } provider)
            Context.ActorOf(ProviderExchange.Props(provider, request, _job.JobId, phase, timeout, _settings.LockLease));
        else
            Self.Tell(new ExchangeOutcome(phase, providerId, JobDecisions.Gone(_job.JobId, providerId, phase, _runtime.View?.Departed.GetValueOrDefault(providerId))));
    }

    private void OnOutcome(ExchangeOutcome outcome)
    {
        if (_job.IsTerminal) return;
        switch (outcome.Phase)
        {
            case ExchangePhase.Bid when _job.State == JobState.Searching && _runtime.Search is { } search:
                _runtime = _runtime with { Search = search.Record(JobDecisions.Vetted(outcome.Answer, _trust, search.Nonce, ExchangePhase.Bid, Now)) };
                FinishSearchIfComplete();
                break;
            case ExchangePhase.JobRequest when IsSelected(outcome.ProviderId) && _job.State == JobState.Requested && _runtime.LockConfirmed is null:
                _runtime = _runtime with { ExchangeInFlight = false };
                var answered = JobDecisions.OnJobRequestAnswer(_job,
                    JobDecisions.Vetted(outcome.Answer, _trust, _runtime.RequestNonce, ExchangePhase.JobRequest, Now), _settings, Now);
                if (answered is [ResourcesConfirmed locked])
                {
                    // Straight on to the contract: the lock is journaled with the contract's outcome.
                    _runtime = _runtime with { LockConfirmed = locked };
                    CloseContract();
                }
                else PersistThen(answered);
                break;
            case ExchangePhase.ContractClosure when IsSelected(outcome.ProviderId):
                _runtime = _runtime with { ExchangeInFlight = false };
                PersistThen(JobDecisions.OnContractAnswer(Current, outcome.Answer, _trust, _settings, Now));
                break;
        }
    }

    private bool IsSelected(string providerId) => _job.Selected?.ProviderId == providerId;

    /// <summary>
    /// Persists the events (with the steps that follow from them without waiting for anyone) in one atomic write,
    /// applies each, carries out its effects, then takes the next step.
    /// </summary>
    private void PersistThen(IReadOnlyList<IJobEvent> decided, Action? afterAll = null)
    {
        if (decided.Count == 0) return;
        // A lock confirmation held back goes to the journal with whatever is written next (the contract, or the drop).
        if (_runtime.LockConfirmed is { } confirmed)
        {
            _runtime = _runtime with { LockConfirmed = null };
            decided = [confirmed, .. decided];
        }

        var events = JobDecisions.WithFollowUps(_job, decided, Now);
        // A job request that these events send goes out now, while they are written: the provider's answer is handled
        // once they are durable (Persist stashes commands until then). One journal wait less on the way to a
        // contract; if the write fails, the job resumes from its journal and asks again (the provider answers the same).
        var after = _job.Apply(events);
        if (after is { State: JobState.Requested, ResourcesLocked: false, Selected: not null } && !_runtime.ExchangeInFlight
            && (_job.State != JobState.Requested || _job.Selected?.ProviderId != after.Selected.ProviderId))
            SendJobRequest(after);
        var asked = System.Diagnostics.Stopwatch.GetTimestamp();
        // Several steps decided together are one row (JobStepsRecorded): one row per write, each step with its time.
        IJobEvent written = events.Count == 1 ? events[0] : new JobStepsRecorded(_job.JobId, events);
        Persist(written, _ =>
        {
            OrchestratorMetrics.JournalWriteTook(System.Diagnostics.Stopwatch.GetElapsedTime(asked));
            _journal?.Succeeded();
            foreach (var e in events)
            {
                var before = _job.History.Count;
                _job = _job.Apply(e);
                OrchestratorMetrics.Persisted(e, _job);
                Publish(e);
                if (_job.History.Count > before) Notify();
                Effects(e);
            }

            afterAll?.Invoke();
            Proceed();
        });
    }

    private void Publish(IJobEvent e)
    {
        var before = _runtime.Summary;
        var summary = JobSummaries.Apply(before, e);
        _runtime = _runtime with { Summary = summary };
        if (_listing is not null && summary is not null && !ReferenceEquals(before, summary)) _listing.Tell(new JobListingUpdate(summary));
    }

    private void Effects(IJobEvent e)
    {
        switch (e)
        {
            case SettlementProposed proposed:
                _log.Info("job {0}: proposes to settle {1} for {2} {3} ({4})", _job.JobId, proposed.Settlement.ContractId,
                    Settlements.SettlementTerms.Money(proposed.Settlement.Amount), proposed.Settlement.Currency, proposed.Settlement.Basis);
                if (!_runtime.HasView) AskDirectory();
                Propose(_job.Settlements.First(s => s.ContractId == proposed.Settlement.ContractId).Record);
                if (!Timers.IsTimerActive("settle")) Timers.StartPeriodicTimer("settle", ProposeAgain.Instance, _settings.ExecutionHeartbeat);
                break;
            case ContractSettled settled:
                var entry = _job.Settlements.First(s => s.ContractId == settled.Settlement.ContractId);
                _log.Info("job {0}: {1} settled, signed by both sides: {2} {3}", _job.JobId, settled.Settlement.ContractId,
                    Settlements.SettlementTerms.Money(settled.Settlement.Amount), settled.Settlement.Currency);
                OrchestratorMetrics.ContractSettled(settled.Settlement, settled.At - entry.Record.EndedAt);
                _runtime = _runtime with { SettleWith = _runtime.SettleWith.Remove(settled.Settlement.ContractId) };
                break;
            case SettlementDisputed disputed:
                _log.Warning("job {0}: settlement of {1} disputed by the {2}: {3}", _job.JobId, disputed.ContractId, disputed.DisputedBy, disputed.Reason);
                OrchestratorMetrics.SettlementDisputed(disputed.DisputedBy);
                if (disputed.DisputedBy == Settlements.SettlementDecisions.Requester)
                {
                    if (!_runtime.HasView) AskDirectory();
                    Dispute(_job.Settlements.First(s => s.ContractId == disputed.ContractId).Record);
                }

                break;
            case SearchRetryScheduled retry:
                _log.Info("job {0}: {1}; searching again in {2:0.#} s", _job.JobId, retry.Message, (retry.RetryAt - Now).TotalSeconds);
                ReleaseLockedBids("the job searches again");
                break;
            case CandidateDropped dropped:
                _log.Info("job {0}: {1} dropped out ({2})", _job.JobId, dropped.ProviderId,
                    dropped.Decline?.Detail ?? $"no answer within {dropped.Timeout!.After.TotalSeconds:0.###} s");
                Release(dropped.ProviderId, "dropped from the job");
                break;
            case ContractClosed when !_job.IsTerminal:
                // A job that runs something goes on: its deadline is met, its run is asked for next (Proceed).
                _log.Info("job {0}: {1}", _job.JobId, _job.History[^1].Note);
                Confirm(((ContractClosed)e).Contract);
                ReleaseLockedBids("another provider was contracted");
                foreach (var child in Context.GetChildren()) child.Tell(StopWaiting.Instance);
                Timers.Cancel("deadline");
                break;
            case RunStarted started:
                _log.Info("job {0}: run {1} started on {2}", _job.JobId, started.Run, started.ProviderId);
                Timers.Cancel("run-ask");
                WatchMembers();
                break;
            case RunEnded ended:
                _log.Info("job {0}: {1}", _job.JobId, _job.History[^1].Note);
                Timers.Cancel("run-ask");
                Timers.Cancel("run-silent");
                UnwatchMembers();
                if (ended.Outcome.Failure == RunFailure.Cancelled)
                {
                    // The allocation stops the program and frees the resources; told again each heartbeat until it reports.
                    var stop = new StopAllocation(_job.JobId, ended.ProviderId, ended.ContractId, ended.Outcome.Detail);
                    _runtime = _runtime with { Stopping = (stop, Now) };
                    SendToProvider(ended.ProviderId, stop);
                    Timers.StartPeriodicTimer("run-ask", RunAskAgain.Instance, _settings.ExecutionHeartbeat);
                }
                else if (ended.Outcome.Failure == RunFailure.ProviderLost)
                    // If the provider is there after all, it lets the contract go (it revokes a contract its job does not hold).
                    Release(ended.ProviderId, "the run was lost: " + ended.Outcome.Detail);
                if (ended.Retry) StartDeadline();
                else Context.SetReceiveTimeout(_settings.TerminalJobIdle);
                break;
            case ContractClosed or JobFailed:
                _log.Info("job {0}: {1}", _job.JobId, _job.History[^1].Note);
                // The second phase: the provider holds the contract as unconfirmed until the job says it recorded it.
                if (e is ContractClosed closed) Confirm(closed.Contract);
                ReleaseLockedBids(_job.State == JobState.Contracted ? "another provider was contracted" : "the job failed");
                // Ended mid-search (cancelled, or its deadline): a provider that locked with its bid is not in the
                // job's bids yet, so every candidate of the round is told.
                if (_runtime.Search is not null)
                    foreach (var candidate in _job.Candidates) Release(candidate, "the job ended during its search");
                _runtime = _runtime with { Search = null };
                // Collectors stop waiting; those of requests that may lock stay for the lease, to release a late lock.
                foreach (var child in Context.GetChildren()) child.Tell(StopWaiting.Instance);
                Timers.CancelAll();
                Context.SetReceiveTimeout(_settings.TerminalJobIdle);
                break;
        }
    }

    /// <summary>Every bidder other than the contracted provider that may hold resources for this job lets them go.</summary>
    private void ReleaseLockedBids(string reason)
    {
        foreach (var bid in _job.Bids.Where(b => b.ProviderId != _job.Contract?.ProviderId))
            if (bid.ResourcesLocked || bid.ProviderId == _job.Selected?.ProviderId)
                Release(bid.ProviderId, reason);
    }

    private void Confirm(Contract contract)
    {
        _runtime.Provider(contract.ProviderId)?.Tell(new ContractConfirmed(contract.JobId, contract.ProviderId, contract.ContractId));
    }

    private void Release(string providerId, string reason)
    {
        _runtime.Provider(providerId)?.Tell(new ReleaseLock(_job.JobId, providerId, reason));
    }

    private void StartDeadline()
    {
        var wait = _job.Deadline - Now;
        Timers.StartSingleTimer("deadline", DeadlineReached.Instance, wait < TimeSpan.Zero ? TimeSpan.Zero : wait);
    }

    // Under sharding the parent is the shard, which stops the entity once its buffered messages are handled.
    private void Passivate() => Context.Parent.Tell(new Passivate(PoisonPill.Instance));
}
