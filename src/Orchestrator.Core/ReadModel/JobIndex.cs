using Orchestrator.Protocol.Events;
using Orchestrator.Protocol.Messages;

namespace Orchestrator.ReadModel;

/// <summary>Every job's current line, kept up to date from the tagged events, and the listing's query over them.</summary>
public sealed class JobIndex
{
    private readonly Dictionary<string, JobSummary> _jobs = new(StringComparer.Ordinal);

    public int Count => _jobs.Count;

    public void Apply(IJobEvent e)
    {
        _jobs.TryGetValue(e.JobId, out var before);
        if (JobSummaries.Apply(before, e) is { } after) _jobs[e.JobId] = after;
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
