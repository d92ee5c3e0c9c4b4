using Orchestrator.Protocol.Events;
using Orchestrator.Protocol.Messages;
using Orchestrator.Protocol.Model;

namespace Orchestrator.ReadModel;

/// <summary>
/// Every unfinished job's current line and the latest <c>maxFinished</c> finished ones, kept up to date from the
/// tagged events, and the listing's query over them.
/// </summary>
/// <remarks>
/// The listing is bounded as Nomad's job garbage collection bounds its state: a node that has run for months must not
/// hold a line for every job it ever saw (a million lines cost about 300 MB of heap, measured by the benchmark). A
/// finished job that fell out of the listing is still read by id (<c>GET /orchestrator/jobs/{id}</c>, from its
/// journal); the page says how many fell out (<see cref="JobPage.NotListed"/>). Unfinished jobs are never dropped: the
/// resume sweep wakes them from here.
/// </remarks>
public sealed class JobIndex(int maxFinished = JobIndex.DefaultMaxFinished)
{
    public const int DefaultMaxFinished = 100_000;

    private readonly Dictionary<string, JobSummary> _jobs = new(StringComparer.Ordinal);
    private readonly HashSet<string> _unfinished = new(StringComparer.Ordinal);

    /// <summary>Finished jobs in the order they finished (a job may be in it twice; the older entry is skipped).</summary>
    private readonly Queue<(string JobId, DateTimeOffset FinishedAt)> _finished = new();

    /// <summary>The same provider and requester ids, held once (the lines read from the journal bring a copy each).</summary>
    private readonly Dictionary<string, string> _names = new(StringComparer.Ordinal);

    public int Count => _jobs.Count;

    /// <summary>Finished jobs dropped from the listing since this node started.</summary>
    public long NotListed { get; private set; }

    /// <summary>The jobs not yet contracted or failed, as far as this index knows: what a resume sweep wakes.</summary>
    public IReadOnlyCollection<string> Unfinished => _unfinished;

    /// <summary>The settlement ledger: every contract's row, by contract id (kept when its job's line falls out of the listing).</summary>
    private readonly Dictionary<string, LedgerRow> _ledger = new(StringComparer.Ordinal);

    private void Set(JobSummary summary)
    {
        foreach (var line in summary.Settlements)
            _ledger[line.ContractId] = new LedgerRow(line.ContractId, summary.JobId, Name(summary.RequesterNodeId ?? ""), Name(line.ProviderId), line.State, line.Currency,
                line.Amount, line.UpdatedAt);
        if (summary.Final && !summary.SettlementPending)
        {
            summary = Compact(summary);
            _jobs[summary.JobId] = summary;
            _unfinished.Remove(summary.JobId);
            _finished.Enqueue((summary.JobId, summary.UpdatedAt));
            DropOldestFinished();
        }
        else
        {
            _jobs[summary.JobId] = summary;
            _unfinished.Add(summary.JobId);
        }
    }

    private void DropOldestFinished()
    {
        while (_jobs.Count - _unfinished.Count > maxFinished && _finished.TryDequeue(out var oldest))
        {
            // Skip an entry made stale by a newer line of the same job (it is queued again with its newer time).
            if (!_jobs.TryGetValue(oldest.JobId, out var line) || _unfinished.Contains(oldest.JobId) || line.UpdatedAt != oldest.FinishedAt) continue;
            _jobs.Remove(oldest.JobId);
            NotListed++;
        }

        // Stale entries can pile up when lines are re-published; keep the queue within twice the listing.
        if (_finished.Count > 2 * Math.Max(maxFinished, 1024))
        {
            var live = _finished.Where(f => _jobs.TryGetValue(f.JobId, out var line) && line.UpdatedAt == f.FinishedAt && !_unfinished.Contains(f.JobId)).ToArray();
            _finished.Clear();
            foreach (var f in live) _finished.Enqueue(f);
        }
    }

    /// <summary>A finished job's line as it is kept: shared id strings, and a contract's note rebuilt when read.</summary>
    private JobSummary Compact(JobSummary s) => s with
    {
        Requester = Name(s.Requester),
        ProviderId = s.ProviderId is null ? null : Name(s.ProviderId),
        Note = s.State == JobState.Contracted && s.ProviderId is not null && s.Note == ContractNote(s.JobId, s.ProviderId) ? null : s.Note,
    };

    private static JobSummary Expand(JobSummary s) =>
        s.Note is null && s.State == JobState.Contracted && s.ProviderId is not null ? s with { Note = ContractNote(s.JobId, s.ProviderId) } : s;

    /// <summary>The note of a contracted job's line (JobSummaries): its contract's id is the job's and the provider's.</summary>
    private static string ContractNote(string jobId, string providerId) => $"contract {jobId}@{providerId}";

    private string Name(string name)
    {
        if (_names.TryGetValue(name, out var held)) return held;
        if (_names.Count < 100_000) _names[name] = name;
        return name;
    }

    /// <summary>An event read from the journal; one older than what the index already knows of the job changes nothing.</summary>
    public void Apply(IJobEvent e)
    {
        _jobs.TryGetValue(e.JobId, out var before);
        if (before is not null && e.At < before.UpdatedAt) return;
        if (JobSummaries.Apply(before is null ? null : Expand(before), e) is { } after) Set(after);
    }

    /// <summary>A line published by the job itself; the newer of it and what the index knows wins.</summary>
    public void Upsert(JobSummary summary)
    {
        if (_jobs.TryGetValue(summary.JobId, out var known) && summary.UpdatedAt < known.UpdatedAt) return;
        Set(summary);
    }

    /// <summary>The ledger's rows matching the query, newest first, with totals per currency over every matching row.</summary>
    public SettlementPage Query(ListSettlements query)
    {
        var matching = _ledger.Values
            .Where(r => query.ProviderId is null || r.ProviderId == query.ProviderId)
            .Where(r => query.Requester is null || r.Requester == query.Requester)
            .Where(r => query.State is not { } state || r.State == state)
            .Where(r => query.From is not { } from || r.UpdatedAt >= from)
            .Where(r => query.Until is not { } until || r.UpdatedAt < until)
            .OrderByDescending(r => r.UpdatedAt).ThenBy(r => r.ContractId, StringComparer.Ordinal)
            .ToArray();
        var totals = matching.Where(r => r.Currency.Length > 0).GroupBy(r => r.Currency, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new CurrencyTotal(g.Key, g.Count(), g.Count(r => r.State == SettlementState.Settled),
                g.Where(r => r.State == SettlementState.Settled).Sum(r => r.Amount)))
            .ToArray();
        return new SettlementPage(matching.Length, query.Offset, matching.Skip(query.Offset).Take(query.Limit).ToArray(), totals);
    }

    /// <summary>Which job holds the contract, when the ledger knows it.</summary>
    public string? JobOfContract(string contractId) => _ledger.TryGetValue(contractId, out var row) ? row.JobId : null;

    /// <summary>
    /// Newest first, then by id: the order of two jobs never changes between two reads (a page moves only as jobs are
    /// posted before it, which <see cref="ListJobs.PostedBefore"/> pins). With the count of each state among the jobs
    /// every other filter matches.
    /// </summary>
    public JobPage Query(ListJobs query)
    {
        var byState = new Dictionary<string, int>(StringComparer.Ordinal);
        var matching = new List<JobSummary>();
        foreach (var j in _jobs.Values)
        {
            if (query.PostedSince is { } since && j.PostedAt < since) continue;
            if (query.PostedBefore is { } before && j.PostedAt >= before) continue;
            if (!string.IsNullOrEmpty(query.Search) && !j.JobId.Contains(query.Search, StringComparison.OrdinalIgnoreCase)
                && !(j.ProviderId?.Contains(query.Search, StringComparison.OrdinalIgnoreCase) ?? false)) continue;
            var name = j.State.ToString();
            byState[name] = byState.GetValueOrDefault(name) + 1;
            if (query.State is not { } state || j.State == state) matching.Add(j);
        }

        var page = matching.OrderByDescending(j => j.PostedAt).ThenBy(j => j.JobId, StringComparer.Ordinal)
            .Skip(query.Offset).Take(query.Limit).Select(Expand).ToArray();
        return new JobPage(matching.Count, query.Offset, page) { NotListed = NotListed, ByState = byState };
    }
}
