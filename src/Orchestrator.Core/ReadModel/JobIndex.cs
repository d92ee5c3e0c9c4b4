using Orchestrator.Protocol.Events;
using Orchestrator.Protocol.Messages;
using Orchestrator.Protocol.Model;

namespace Orchestrator.ReadModel;

/// <summary>Every job's current line, kept up to date from the tagged events, and the listing's query over them.</summary>
public sealed class JobIndex
{
    private readonly Dictionary<string, JobSummary> _jobs = new(StringComparer.Ordinal);
    private readonly HashSet<string> _unfinished = new(StringComparer.Ordinal);

    public int Count => _jobs.Count;

    /// <summary>The jobs not yet contracted or failed, as far as this index knows: what a resume sweep wakes.</summary>
    public IReadOnlyCollection<string> Unfinished => _unfinished;

    private void Set(JobSummary summary)
    {
        _jobs[summary.JobId] = summary;
        if (summary.State is JobState.Contracted or JobState.Failed) _unfinished.Remove(summary.JobId);
        else _unfinished.Add(summary.JobId);
    }

    /// <summary>An event read from the journal; one older than what the index already knows of the job changes nothing.</summary>
    public void Apply(IJobEvent e)
    {
        _jobs.TryGetValue(e.JobId, out var before);
        if (before is not null && e.At < before.UpdatedAt) return;
        if (JobSummaries.Apply(before, e) is { } after) Set(after);
    }

    /// <summary>A line published by the job itself; the newer of it and what the index knows wins.</summary>
    public void Upsert(JobSummary summary)
    {
        if (_jobs.TryGetValue(summary.JobId, out var known) && summary.UpdatedAt < known.UpdatedAt) return;
        Set(summary);
    }

    /// <summary>Newest first (then by id, so pages are stable while nothing is posted).</summary>
    public JobPage Query(ListJobs query)
    {
        var matching = _jobs.Values
            .Where(j => query.State is not { } state || j.State == state)
            .Where(j => query.PostedSince is not { } since || j.PostedAt >= since)
            .OrderByDescending(j => j.PostedAt).ThenBy(j => j.JobId, StringComparer.Ordinal)
            .ToArray();
        return new JobPage(matching.Length, query.Offset, matching.Skip(query.Offset).Take(query.Limit).ToArray());
    }
}
