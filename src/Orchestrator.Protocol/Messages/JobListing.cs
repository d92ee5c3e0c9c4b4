using Orchestrator.Protocol.Model;

namespace Orchestrator.Protocol.Messages;

/// <summary>One line of the job listing: what <c>GET /orchestrator/jobs</c> and <c>orchestrator jobs list</c> show.</summary>
public sealed record JobSummary(
    string JobId,
    JobState State,
    string Requester,
    DateTimeOffset PostedAt,
    DateTimeOffset UpdatedAt,
    int Attempt,
    string? ProviderId,
    FailureReason? FailureReason,
    string? Note)
{
    /// <summary>The job runs a program once contracted (Contracted is then a milestone, not its end).</summary>
    public bool RunsProgram { get; init; }

    /// <summary>The job's life ended: see <see cref="JobStates.IsFinal"/>.</summary>
    public bool Final => JobStates.IsFinal(State, RunsProgram);

    /// <summary>Each ended contract's settlement, as a ledger row (docs/settlement.md).</summary>
    public IReadOnlyList<SettlementLine> Settlements { get => _settlements; init => _settlements = Wire.Array(value); }
    private readonly SettlementLine[] _settlements = [];

    /// <summary>The node that requested the job's contracts (the paying party of its settlements), once it has one.</summary>
    public string? RequesterNodeId { get; init; }

    /// <summary>A settlement waits for the provider's countersignature or its transfer: the resume sweep wakes the job until it is done.</summary>
    public bool SettlementPending { get; init; }
}

/// <summary>
/// The settlement ledger as this node knows it (from every job's line): rows matching every filter given (provider,
/// requester, state, the run ended in [<see cref="From"/>, <see cref="Until"/>)), newest first, from <see cref="Offset"/>.
/// Answered with <see cref="SettlementPage"/>.
/// </summary>
public sealed record ListSettlements(string? ProviderId, string? Requester, SettlementState? State, DateTimeOffset? From, DateTimeOffset? Until, int Offset,
    int Limit) : IOrchestratorMessage;

/// <summary>A ledger row: the settlement line with the job it belongs to and the requester (the node that contracted and pays).</summary>
public sealed record LedgerRow(string ContractId, string JobId, string Requester, string ProviderId, SettlementState State, string Currency, decimal Amount,
    DateTimeOffset UpdatedAt);

/// <summary>Per currency: how many rows matched and the sum of their settled amounts (proposed and disputed rows count, but add nothing).</summary>
public sealed record CurrencyTotal(string Currency, int Rows, int Settled, decimal Amount);

/// <summary>Which job holds a contract, as this node's index knows it (answered with <see cref="ContractLocation"/>).</summary>
public sealed record WhereIsContract(string ContractId) : IOrchestratorMessage;

public sealed record ContractLocation(string ContractId, string? JobId) : IOrchestratorMessage;

public sealed record SettlementPage(int Total, int Offset, IReadOnlyList<LedgerRow> Rows, IReadOnlyList<CurrencyTotal> Totals) : IOrchestratorMessage;

/// <summary>
/// A page of the job listing, newest first: jobs in <see cref="State"/> (any when null) posted at or after
/// <see cref="PostedSince"/>. Answered by a node's job index with <see cref="JobPage"/>.
/// </summary>
public sealed record ListJobs(JobState? State, DateTimeOffset? PostedSince, int Offset, int Limit) : IOrchestratorMessage
{
    /// <summary>Only jobs posted before this time: a reader paging back through the listing pins it, so jobs posted meanwhile do not shift its pages.</summary>
    public DateTimeOffset? PostedBefore { get; init; }

    /// <summary>Only jobs whose id, or whose provider's id, contains this text (case-insensitively).</summary>
    public string? Search { get; init; }
}

/// <summary><see cref="Total"/> jobs match; <see cref="Jobs"/> are those from the requested offset.</summary>
public sealed record JobPage(int Total, int Offset, IReadOnlyList<JobSummary> Jobs) : IOrchestratorMessage
{
    /// <summary>
    /// Finished jobs this node's listing no longer holds (it keeps the latest <c>orchestrator.listedFinishedJobs</c>):
    /// not counted in <see cref="Total"/>, still readable by id.
    /// </summary>
    public long NotListed { get; init; }

    /// <summary>
    /// How many listed jobs are in each state, among those matching every filter of the query but its state (what a
    /// filter by state would find): a console's filter links and a cluster's overview, without a listing per state.
    /// States with no job are left out.
    /// </summary>
    public IReadOnlyDictionary<string, int> ByState { get => _byState; init => _byState = value as Dictionary<string, int> ?? new(value, StringComparer.Ordinal); }
    private readonly Dictionary<string, int> _byState = new(StringComparer.Ordinal);
}

/// <summary>
/// A job's line changed: published by the job (cluster-wide, over distributed pub-sub) as its events are
/// persisted, so every node's listing follows without reading the journal.
/// </summary>
public sealed record JobListingUpdate(JobSummary Summary) : IOrchestratorMessage
{
    public const string Topic = "orchestrator-job-listing";
}

/// <summary>
/// Several lines at once, the latest of each job: what a node's jobs published within a short window
/// (<see cref="JobListingUpdate.Topic"/>). One message to every member per window rather than one per change: a job
/// changes its line three or four times within milliseconds, and every change went to every member.
/// </summary>
public sealed record JobListingUpdates(IReadOnlyList<JobSummary> Summaries) : IOrchestratorMessage
{
    // Stored as an array whatever the caller passed (see Wire).
    public IReadOnlyList<JobSummary> Summaries { get => _summaries; init => _summaries = Wire.Array(value); }
    private readonly JobSummary[] _summaries = Wire.Array(Summaries);
}
