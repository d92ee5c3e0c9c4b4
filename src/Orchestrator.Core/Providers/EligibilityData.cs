using Orchestrator.Matching;
using Orchestrator.Protocol.Messages;
using Orchestrator.Protocol.Model;

namespace Orchestrator.Providers;

/// <summary>
/// A provider's EligibleComputeProvidersData (the seed's data at rest on the compute provider): one entry per job it was
/// asked about, the latest ask winning. Bounded both ways — the latest <c>keptAtMost</c> jobs (least recently asked go
/// first) and none asked about longer than <c>keptFor</c> ago — because a busy provider is asked about far more jobs
/// than anyone will read, and an old comparison describes the provider as it was, not as it is.
/// <para>
/// Each entry keeps what the comparison was made on (the capability, what was free, the job's requirements: shared
/// references, a few hundred bytes an entry) and renders the per-constraint comparison when read, with the same code
/// every time; the soft scores are kept as they were sent with the bid.
/// </para>
/// </summary>
public sealed class EligibilityData(int keptAtMost, TimeSpan keptFor)
{
    private sealed class Entry
    {
        public required string JobId { get; init; }
        public required DateTimeOffset FirstAskedAt { get; init; }
        public required string RequesterNodeId { get; set; }
        public required ExchangePhase Phase { get; set; }
        public required bool DryRun { get; set; }
        public required DateTimeOffset LastAskedAt { get; set; }
        public int Asked { get; set; } = 1;
        public required string Answer { get; set; }
        public DeclineReason? DeclinedFor { get; set; }
        public ProviderCapability? Capability { get; set; }
        public FreeResources? Free { get; set; }
        public JobRequirements? Requirements { get; set; }
        public IReadOnlyList<SoftConstraintScore> SoftConstraints { get; set; } = [];

        /// <summary>An entry read back from the journal (with its contract): kept as it was written.</summary>
        public EligibilityEntry? Restored { get; init; }
    }

    private readonly Dictionary<string, LinkedListNode<Entry>> _byJob = new(StringComparer.Ordinal);

    // Least recently asked first.
    private readonly LinkedList<Entry> _order = new();

    public int KeptAtMost => keptAtMost;
    public TimeSpan KeptFor => keptFor;
    public int Count => _byJob.Count;

    /// <summary>Entries let go by either bound since the provider started.</summary>
    public long Forgotten { get; private set; }

    /// <summary>
    /// The provider compared itself with a job and answered (<c>bid</c>, <c>locked</c>, <c>declined</c>).
    /// <paramref name="capability"/>, <paramref name="free"/> and <paramref name="requirements"/> are what it compared;
    /// null when it answered without comparing (it is being offboarded). <paramref name="softConstraints"/> null: the
    /// request carried no preferences (a job request), and the scores of the job's bid request stay.
    /// </summary>
    public void Record(string jobId, string requesterNodeId, ExchangePhase phase, bool dryRun, DateTimeOffset now, string answer,
        DeclineReason? declinedFor, ProviderCapability? capability, FreeResources? free, JobRequirements? requirements,
        IReadOnlyList<SoftConstraintScore>? softConstraints)
    {
        if (keptAtMost <= 0) return;
        var entry = Touch(jobId, now, () => new Entry
        {
            JobId = jobId, FirstAskedAt = now, LastAskedAt = now, RequesterNodeId = requesterNodeId, Phase = phase, DryRun = dryRun, Answer = answer,
        });
        entry.RequesterNodeId = requesterNodeId;
        entry.Phase = phase;
        entry.DryRun = dryRun;
        entry.Answer = answer;
        entry.DeclinedFor = declinedFor;
        entry.Capability = capability;
        entry.Free = free;
        entry.Requirements = requirements;
        if (softConstraints is not null) entry.SoftConstraints = softConstraints;
        Trim(now);
    }

    /// <summary>
    /// Asked again about a job it already holds resources for: the same answer as before (its comparison is the one it
    /// made then, against what was free before it took them), counted and moved to the newest.
    /// </summary>
    public void AskedAgain(string jobId, ExchangePhase phase, DateTimeOffset now)
    {
        if (!_byJob.TryGetValue(jobId, out var node)) return;
        Touch(jobId, now, () => node.Value).Phase = phase;
        Trim(now);
    }

    /// <summary>
    /// An entry written with a contract, read back when the provider recovers: in again, unless a newer ask replaced it or
    /// the bounds let it go.
    /// </summary>
    public void Restore(EligibilityEntry entry, DateTimeOffset now)
    {
        if (keptAtMost <= 0 || _byJob.ContainsKey(entry.JobId)) return;
        var node = new LinkedListNode<Entry>(new Entry
        {
            JobId = entry.JobId, FirstAskedAt = entry.FirstAskedAt, LastAskedAt = entry.LastAskedAt, RequesterNodeId = entry.RequesterNodeId,
            Phase = entry.Phase, DryRun = entry.DryRun, Answer = entry.Answer, Asked = entry.Asked, DeclinedFor = entry.DeclinedFor, Restored = entry,
        });
        // In the order they were last asked about, as if never gone.
        var after = _order.Last;
        while (after is not null && after.Value.LastAskedAt > entry.LastAskedAt) after = after.Previous;
        if (after is null) _order.AddFirst(node);
        else _order.AddAfter(after, node);
        _byJob[entry.JobId] = node;
        Trim(now);
    }

    /// <summary>Newest first; one job's entry only when <paramref name="jobId"/> is given.</summary>
    public IReadOnlyList<EligibilityEntry> Read(DateTimeOffset now, string? jobId = null)
    {
        Trim(now);
        if (jobId is not null)
            return _byJob.TryGetValue(jobId, out var one) ? [Render(one.Value)] : [];
        var entries = new List<EligibilityEntry>(_byJob.Count);
        for (var node = _order.Last; node is not null; node = node.Previous) entries.Add(Render(node.Value));
        return entries;
    }

    private Entry Touch(string jobId, DateTimeOffset now, Func<Entry> create)
    {
        if (_byJob.TryGetValue(jobId, out var node))
        {
            _order.Remove(node);
            node.Value.Asked++;
            node.Value.LastAskedAt = now;
        }
        else
        {
            node = new LinkedListNode<Entry>(create());
            _byJob[jobId] = node;
        }

        _order.AddLast(node);
        return node.Value;
    }

    private void Trim(DateTimeOffset now)
    {
        var oldest = now - keptFor;
        while (_order.First is { } first && (_byJob.Count > keptAtMost || first.Value.LastAskedAt < oldest))
        {
            _order.RemoveFirst();
            _byJob.Remove(first.Value.JobId);
            Forgotten++;
        }
    }

    private static EligibilityEntry Render(Entry e)
    {
        if (e.Restored is { } restored) return restored;
        var hard = e.Capability is null || e.Free is null || e.Requirements is null
            ? []
            : EligibilityComparison.HardConstraints(e.Capability, e.Free, e.Requirements);
        return new EligibilityEntry(e.JobId, e.RequesterNodeId, e.Phase, e.DryRun, e.FirstAskedAt, e.LastAskedAt, e.Asked,
            hard.Count > 0 && hard.All(c => c.Passed), e.Answer, e.DeclinedFor, hard, e.SoftConstraints);
    }
}
