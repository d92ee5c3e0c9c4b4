using System.Collections.Immutable;
using Orchestrator.Matching;
using Orchestrator.Protocol.Events;
using Orchestrator.Protocol.Messages;
using Orchestrator.Protocol.Model;
using Orchestrator.Settlements;

namespace Orchestrator.Jobs;

/// <summary>
/// A job's state, built only by applying its events (so recovery and live operation cannot disagree).
/// Decisions about what happens next live in <see cref="JobDecisions"/>.
/// </summary>
public sealed record Job
{
    public required string JobId { get; init; }
    public JobState State { get; init; } = JobState.Posted;
    public JobDescription? Description { get; init; }
    public OrchestrationType OrchestrationType { get; init; }
    public SelectionCriterion Selection { get; init; }
    public IReadOnlyList<Preference> Preferences { get; init; } = [];

    /// <summary>The hard constraints with node defaults filled in (e.g. the duration), as sent to providers.</summary>
    public JobRequirements? Requirements { get; init; }

    public string Requester { get; init; } = "";
    public DateTimeOffset PostedAt { get; init; }
    public DateTimeOffset Deadline { get; init; }
    public ImmutableList<StateChange> History { get; init; } = [];
    public ImmutableList<string> Candidates { get; init; } = [];
    public int Attempt { get; init; }
    public int Considered { get; init; }
    public IReadOnlyDictionary<string, int> Prefiltered { get; init; } = ImmutableDictionary<string, int>.Empty;
    public SearchExplanation? Explanation { get; init; }

    /// <summary>The providers the directory ruled out before the latest search asked anyone, by name (bounded).</summary>
    public ImmutableList<ProviderVerdict> RuledOut { get; init; } = [];

    public int RuledOutUnnamed { get; init; }

    /// <summary>The latest search round's answers: bids, declines and timeouts, per provider.</summary>
    public ImmutableList<ProviderVerdict> RoundVerdicts { get; init; } = [];

    /// <summary>The latest search round's declines (the job's <see cref="Declines"/> hold every round's).</summary>
    public ImmutableList<DeclineMessage> RoundDeclines { get; init; } = [];

    /// <summary>Set while the job waits to search again; cleared when the next search starts.</summary>
    public SearchWait? Waiting { get; init; }

    /// <summary>The EligibleComputeProvidersIndex: every bid, best first.</summary>
    public ImmutableList<Bid> Bids { get; init; } = [];

    public ImmutableList<DeclineMessage> Declines { get; init; } = [];
    public ImmutableList<TimeoutResponse> Timeouts { get; init; } = [];

    /// <summary>Candidates that dropped out after being shortlisted; never shortlisted again.</summary>
    public ImmutableHashSet<string> Dropped { get; init; } = [];

    public Bid? Selected { get; init; }

    /// <summary>The selected provider holds resources for this job (locked at bid time or on job request).</summary>
    public bool ResourcesLocked { get; init; }

    public Contract? Contract { get; init; }
    public ContractSignatures? Signatures { get; init; }
    public JobFailure? Failure { get; init; }

    /// <summary>How many runs were started (each on its own contract).</summary>
    public int Run { get; init; }

    /// <summary>The run under the current contract, once its allocation reported it started; null before, and after it ended.</summary>
    public RunRecord? CurrentRun { get; init; }

    /// <summary>Every run that ended, in order.</summary>
    public ImmutableList<RunRecord> Runs { get; init; } = [];

    /// <summary>Providers that failed a run of this job: never asked again.</summary>
    public ImmutableHashSet<string> Excluded { get; init; } = ImmutableHashSet.Create<string>(StringComparer.Ordinal);

    /// <summary>Every ended contract's settlement, in the order the runs ended (docs/settlement.md).</summary>
    public ImmutableList<ContractSettlement> Settlements { get; init; } = [];

    /// <summary>A settlement waits for the provider's countersignature, or for its transfer: the job has work left though its state is final.</summary>
    public bool SettlementPending => Settlements.Any(s => s.Pending);

    public bool Exists => Description is not null;

    /// <summary>The job runs something once contracted (a job without an execution part is a reservation).</summary>
    public bool RunsProgram => Description?.Execution is not null;

    public bool IsTerminal => JobStates.IsFinal(State, RunsProgram);

    public static Job New(string jobId) => new() { JobId = jobId };

    public Job Apply(IJobEvent e) => e switch
    {
        JobStepsRecorded steps => Apply(steps.Steps),
        JobPosted p => this with
        {
            Description = p.Description,
            OrchestrationType = p.OrchestrationType,
            Selection = p.Selection,
            Preferences = p.Preferences,
            Requirements = p.Requirements,
            Requester = p.Requester,
            PostedAt = p.At,
            Deadline = p.Deadline,
            State = JobState.Posted,
            History = History.Add(new StateChange(JobState.Posted, p.At, $"posted by {p.Requester}")),
        },
        SearchStarted s => this with
        {
            State = JobState.Searching,
            Attempt = s.Attempt,
            Candidates = [.. s.Candidates],
            Considered = s.Considered,
            Prefiltered = s.Prefiltered,
            RuledOut = [],
            RuledOutUnnamed = 0,
            RoundVerdicts = [],
            RoundDeclines = [],
            Bids = [],
            Dropped = [],
            Selected = null,
            ResourcesLocked = false,
            Waiting = null,
            History = History.Add(new StateChange(JobState.Searching, s.At,
                (s.Attempt > 1 ? $"search {s.Attempt}: " : "") + $"bid requests sent to {s.Candidates.Count} of {s.Considered} provider(s)")),
        },
        ProvidersRuledOut r => this with { RuledOut = [.. r.Verdicts], RuledOutUnnamed = r.Unnamed },
        SearchCompleted c => this with
        {
            RoundDeclines = [.. c.Declines],
            RoundVerdicts =
            [
                .. c.Bids.Select(b => new ProviderVerdict(b.ProviderId, ProviderOutcomes.Eligible)),
                .. c.Declines.Select(d => new ProviderVerdict(d.ProviderId, ProviderOutcomes.Declined, Reasons.Code(d.Reason), d.Detail)),
                .. c.Timeouts.Select(t => new ProviderVerdict(t.ProviderId, ProviderOutcomes.TimedOut, null,
                    $"no answer within {t.After.TotalSeconds:0.###} s")),
            ],
            Bids = [.. c.Bids],
            Declines = Declines.AddRange(c.Declines),
            Timeouts = Timeouts.AddRange(c.Timeouts),
            Explanation = c.Explanation,
        },
        SearchRetryScheduled r => this with
        {
            State = JobState.Searching,
            Selected = null,
            ResourcesLocked = false,
            Waiting = new SearchWait(r.Attempt, r.RetryAt, r.Reason, r.Message),
            History = State == JobState.Searching
                ? History
                : History.Add(new StateChange(JobState.Searching, r.At, $"{r.Message}; searching again at {r.RetryAt:O}")),
        },
        ProviderShortlisted s => this with
        {
            State = JobState.Matched,
            Selected = Bids.FirstOrDefault(b => b.ProviderId == s.ProviderId),
            ResourcesLocked = Bids.FirstOrDefault(b => b.ProviderId == s.ProviderId)?.ResourcesLocked ?? false,
            History = History.Add(new StateChange(JobState.Matched, s.At, s.Note)),
        },
        JobRequestSent r => this with
        {
            State = JobState.Requested,
            History = History.Add(new StateChange(JobState.Requested, r.At, $"job request sent to {r.ProviderId}")),
        },
        ResourcesConfirmed r => this with { Selected = r.Bid, ResourcesLocked = true },
        CandidateDropped d => this with
        {
            Dropped = Dropped.Add(d.ProviderId),
            // It bid, then did not take the job: "why not this provider?" says so, not "eligible".
            RoundVerdicts = RoundVerdicts.Select(v => v.ProviderId == d.ProviderId ? DroppedVerdict(d) : v).ToImmutableList(),
            Declines = d.Decline is null ? Declines : Declines.Add(d.Decline),
            Timeouts = d.Timeout is null ? Timeouts : Timeouts.Add(d.Timeout),
            Selected = null,
            ResourcesLocked = false,
        },
        ContractClosed c => this with
        {
            State = JobState.Contracted,
            Contract = c.Contract,
            Signatures = c.Signatures,
            History = History.Add(new StateChange(JobState.Contracted, c.At,
                $"contract {c.Contract.ContractId} signed by {c.Contract.RequesterNodeId} and {c.Contract.ProviderId}")),
        },
        RunStarted r => this with
        {
            State = JobState.Running,
            Run = r.Run,
            CurrentRun = new RunRecord(r.Run, r.ContractId, r.ProviderId, r.Node, r.At, null, null),
            History = History.Add(new StateChange(JobState.Running, r.At, $"run {r.Run} started on {r.ProviderId}")),
        },
        RunEnded r => Ended(r),
        SettlementProposed p => Settle(p.Settlement.ContractId, r => r with
        {
            State = SettlementState.Proposed, Settlement = p.Settlement, Receipt = p.Settlement.Usage, ReceiptProof = p.ReceiptProof,
            RequesterProof = p.RequesterProof, UpdatedAt = p.At,
        }),
        ContractSettled s => Settle(s.Settlement.ContractId, r => r with
        {
            State = SettlementState.Settled, Settlement = s.Settlement, Receipt = s.Settlement.Usage, ReceiptProof = s.ReceiptProof,
            RequesterProof = s.RequesterProof, ProviderProof = s.ProviderProof, UpdatedAt = s.At,
        }),
        SettlementDisputed d => Settle(d.ContractId, r => r with
        {
            State = SettlementState.Disputed, DisputedBy = d.DisputedBy, DisputeReason = d.Reason, Receipt = d.Receipt ?? r.Receipt,
            ReceiptProof = d.ReceiptProof ?? r.ReceiptProof, UpdatedAt = d.At,
        }),
        SettlementTransferred t => Settle(t.ContractId, r => r with { Transfer = t.Transfer, UpdatedAt = t.At }),
        JobFailed f => this with
        {
            State = JobState.Failed,
            Waiting = null,
            Failure = new JobFailure(f.Reason, f.Message),
            History = History.Add(new StateChange(JobState.Failed, f.At, f.Message)),
        },
        _ => this,
    };

    /// <summary>
    /// A run ended: recorded with its outcome. Retried (<see cref="RunEnded.Retry"/>): the job searches again at once, without
    /// the provider that failed it, with as long to find a new contract as it had at first. Otherwise the job ends with it.
    /// </summary>
    private Job Ended(RunEnded r)
    {
        var run = (CurrentRun is not null && CurrentRun.ContractId == r.ContractId
            ? CurrentRun
            : new RunRecord(r.Run, r.ContractId, r.ProviderId, "", r.At, null, null)) with { EndedAt = r.At, Outcome = r.Outcome };
        var ended = this with { CurrentRun = null, Runs = Runs.Add(run), Run = Math.Max(Run, r.Run), Settlements = AwaitingReceipt(r) };
        var failure = RunFailures.Reason(r.Outcome);
        if (r.Retry)
        {
            var note = $"run {r.Run} on {r.ProviderId} failed ({RunFailures.Code(r.Outcome.Failure!.Value)}: {r.Outcome.Detail}); searching again without it";
            return ended with
            {
                State = JobState.Searching,
                Contract = null,
                Signatures = null,
                Selected = null,
                ResourcesLocked = false,
                Excluded = Excluded.Add(r.ProviderId),
                Deadline = r.At + (Deadline - PostedAt),
                Waiting = new SearchWait(Attempt, r.At, failure!.Value, note),
                History = History.Add(new StateChange(JobState.Searching, r.At, note)),
            };
        }

        if (failure is null)
            return ended with { State = JobState.Completed, History = History.Add(new StateChange(JobState.Completed, r.At, $"run {r.Run}: {r.Outcome.Detail}")) };
        if (failure == FailureReason.Cancelled)
            return ended with { State = JobState.Cancelled, History = History.Add(new StateChange(JobState.Cancelled, r.At, $"run {r.Run}: {r.Outcome.Detail}")) };
        var message = $"run {r.Run} on {r.ProviderId} failed ({RunFailures.Code(r.Outcome.Failure!.Value)}): {r.Outcome.Detail}";
        return ended with
        {
            State = JobState.Failed,
            Failure = new JobFailure(failure.Value, message),
            History = History.Add(new StateChange(JobState.Failed, r.At, message)),
        };
    }

    /// <summary>The ended run's contract, awaiting its provider's receipt (once: a contract is settled once, whatever ends it twice).</summary>
    private ImmutableList<ContractSettlement> AwaitingReceipt(RunEnded r)
    {
        if (Contract is null || Contract.ContractId != r.ContractId || Settlements.Any(s => s.ContractId == r.ContractId)) return Settlements;
        // Cancelled and provider-lost are the job's own conclusions; every other outcome is the allocation's report.
        var fromProvider = r.Outcome.Failure is not (RunFailure.Cancelled or RunFailure.ProviderLost);
        return Settlements.Add(new ContractSettlement(Contract, r.Run, r.Outcome, fromProvider,
            new SettlementRecord(r.ContractId, JobId, Contract.RequesterNodeId, r.ProviderId, SettlementState.AwaitingReceipt)
            {
                EndedAt = r.At, UpdatedAt = r.At,
            }));
    }

    private Job Settle(string contractId, Func<SettlementRecord, SettlementRecord> change)
    {
        var index = Settlements.FindIndex(s => s.ContractId == contractId);
        return index < 0 ? this : this with { Settlements = Settlements.SetItem(index, Settlements[index] with { Record = change(Settlements[index].Record) }) };
    }

    public Job Apply(IEnumerable<IJobEvent> events) => events.Aggregate(this, (job, e) => job.Apply(e));

    private static ProviderVerdict DroppedVerdict(CandidateDropped d)
    {
        var step = (d.Decline?.Phase ?? d.Timeout?.Phase) == ExchangePhase.ContractClosure ? "the contract" : "the job request";
        return d.Decline is { } decline
            ? new ProviderVerdict(d.ProviderId, ProviderOutcomes.Declined, Reasons.Code(decline.Reason), $"bid, then declined {step}: {decline.Detail}")
            : new ProviderVerdict(d.ProviderId, ProviderOutcomes.TimedOut, null,
                $"bid, then did not answer {step} within {d.Timeout?.After.TotalSeconds ?? 0:0.###} s");
    }

    /// <summary>Every provider the latest search considered, by name: those ruled out, then those asked, by id.</summary>
    public ProviderVerdict[] Verdicts() =>
        RuledOut.Concat(RoundVerdicts).OrderBy(v => v.ProviderId, StringComparer.Ordinal).ToArray();

    // Plain arrays: the status crosses the network when the job lives on another node.
    public JobStatus ToStatus()
    {
        // The selected provider; a contract is only ever closed with it, so once there is one it names the same provider.
        var provider = Selected is not null ? Selected.ProviderId : Contract?.ProviderId;
        return new JobStatus(JobId, State, Description!, OrchestrationType, Requester, PostedAt, Deadline, History.ToArray(), Candidates.ToArray(),
            Bids.ToArray(), provider, Declines.ToArray(), Timeouts.ToArray(), Contract, Failure, Selection, Preferences.ToArray(), Explanation, Waiting)
        {
            Signatures = Signatures,
            Providers = Verdicts(),
            ProvidersNotNamed = RuledOutUnnamed,
            CurrentRun = CurrentRun,
            Runs = Runs.ToArray(),
            Final = IsTerminal,
            Settlements = Settlements.Select(s => s.Record).ToArray(),
        };
    }
}
