using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Orchestrator.Jobs;
using Orchestrator.Protocol.Events;
using Orchestrator.Protocol.Messages;
using Orchestrator.Protocol.Model;

namespace Orchestrator.Telemetry;

/// <summary>
/// The orchestrator's metrics (System.Diagnostics.Metrics, exported by OpenTelemetry): jobs posted, contracted and
/// failed by reason; how long each phase took; bids, declines and timeouts per search; provider utilisation; how
/// long journal writes take. Recorded from events as they are persisted (never during recovery, so a restart does
/// not count a job twice).
/// </summary>
public static class OrchestratorMetrics
{
    public const string MeterName = "Orchestrator";

    private static readonly Meter Meter = new(MeterName);
    private static readonly Counter<long> Posted = Meter.CreateCounter<long>("orchestrator.jobs.posted", "{job}", "jobs accepted");
    private static readonly Counter<long> Contracted = Meter.CreateCounter<long>("orchestrator.jobs.contracted", "{job}", "jobs that closed a contract");
    private static readonly Counter<long> Failed = Meter.CreateCounter<long>("orchestrator.jobs.failed", "{job}", "jobs that failed, by reason");
    private static readonly Counter<long> Declines = Meter.CreateCounter<long>("orchestrator.declines", "{decline}", "provider declines, by phase and reason");
    private static readonly Counter<long> Timeouts = Meter.CreateCounter<long>("orchestrator.timeouts", "{timeout}", "provider timeouts, by phase");
    private static readonly Counter<long> LateLocks = Meter.CreateCounter<long>("orchestrator.late_locks.released", "{lock}",
        "locks taken with an answer that came after its exchange gave up, released at once");
    private static readonly Counter<long> RunsEnded = Meter.CreateCounter<long>("orchestrator.runs.ended", "{run}",
        "runs of contracted jobs that ended, by outcome (completed, or the failure: exit-code, memory-limit, provider-lost, …) and whether retried");
    private static readonly Counter<long> Revoked = Meter.CreateCounter<long>("orchestrator.contracts.revoked", "{contract}",
        "contracts a provider of this node reverted because their job does not hold them (released, or disowned when the provider asked)");
    private static readonly Counter<double> Settled = Meter.CreateCounter<double>("orchestrator.settlements.amount", "{amount}",
        "amounts settled (signed by both sides), by currency, as recorded by the requester's side");
    private static readonly Counter<long> SettledCount = Meter.CreateCounter<long>("orchestrator.settlements.settled", "{settlement}",
        "contracts settled (signed by both sides), by currency");
    private static readonly Counter<long> Disputes = Meter.CreateCounter<long>("orchestrator.settlements.disputed", "{settlement}",
        "settlements disputed, by the side that disputed (requester or provider), as recorded by the requester's side");
    // Seconds, from a journal write (milliseconds) to a job that searched until its deadline (minutes).
    private static readonly InstrumentAdvice<double> SecondsBuckets = new()
    {
        HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
    };

    private static readonly Histogram<double> PhaseDuration = Meter.CreateHistogram("orchestrator.job.phase.duration", "s",
        "time a job spent in a phase: search (bids requested to ranked), closure (shortlisted to contracted), total (posted to terminal)",
        advice: SecondsBuckets);
    private static readonly Histogram<long> BidsPerSearch = Meter.CreateHistogram("orchestrator.search.bids", "{bid}", "bids received per search",
        advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = [0, 1, 2, 4, 8, 16, 32, 64] });
    private static readonly Histogram<double> SettlementLatency = Meter.CreateHistogram("orchestrator.settlement.duration", "s",
        "from a run's end (as the job recorded it) to its settlement signed by both sides", advice: SecondsBuckets);
    private static readonly Histogram<double> JournalWrite = Meter.CreateHistogram("orchestrator.journal.write.duration", "s",
        "from asking the journal to store a job's events to their confirmation", advice: SecondsBuckets);

    private static readonly ConcurrentDictionary<string, (double Cpu, double Ram)> Utilisation = new(StringComparer.Ordinal);

    // The cluster as this node sees it, read when the metrics are scraped (set by the node at start).
    private static Func<IEnumerable<(string Status, bool Reachable, int Count)>> _members = () => [];

    static OrchestratorMetrics()
    {
        Meter.CreateObservableGauge("orchestrator.provider.utilization", () => Utilisation.SelectMany(kv => new[]
        {
            new Measurement<double>(kv.Value.Cpu, new KeyValuePair<string, object?>("provider", kv.Key), new KeyValuePair<string, object?>("resource", "cpu")),
            new Measurement<double>(kv.Value.Ram, new KeyValuePair<string, object?>("provider", kv.Key), new KeyValuePair<string, object?>("resource", "ram")),
        }), "1", "share of a provider's capacity locked or contracted, per provider hosted on this node");
        Meter.CreateObservableGauge("orchestrator.cluster.members", () => _members().Select(m => new Measurement<int>(m.Count,
                new KeyValuePair<string, object?>("status", m.Status.ToLowerInvariant()), new KeyValuePair<string, object?>("reachable", m.Reachable ? "yes" : "no"))),
            "{member}", "cluster members as this node sees them, by status (up, joining, leaving, exiting, down, …) and reachability");
    }

    /// <summary>Where the cluster members gauge reads from: the node's view of its cluster, by status and reachability.</summary>
    public static void ObserveMembers(Func<IEnumerable<(string Status, bool Reachable, int Count)>> members) => _members = members;

    /// <summary>A job event was persisted; <paramref name="after"/> is the job with it applied.</summary>
    public static void Persisted(IJobEvent e, Job after)
    {
        switch (e)
        {
            case JobPosted:
                Posted.Add(1);
                break;
            case SearchCompleted completed:
                BidsPerSearch.Record(completed.Bids.Count);
                PhaseDuration.Record(Seconds(SinceLast(after, JobState.Searching, completed.At)), Phase("search"));
                foreach (var decline in completed.Declines)
                    Declines.Add(1, new("phase", JobDecisions.Kebab(decline.Phase.ToString())), new("reason", JobDecisions.Kebab(decline.Reason.ToString())));
                if (completed.Timeouts.Count > 0) Timeouts.Add(completed.Timeouts.Count, new KeyValuePair<string, object?>("phase", "bid"));
                break;
            case CandidateDropped { Decline: { } decline }:
                Declines.Add(1, new("phase", JobDecisions.Kebab(decline.Phase.ToString())), new("reason", JobDecisions.Kebab(decline.Reason.ToString())));
                break;
            case CandidateDropped { Timeout: { } timeout }:
                Timeouts.Add(1, new KeyValuePair<string, object?>("phase", JobDecisions.Kebab(timeout.Phase.ToString())));
                break;
            case ContractClosed closed:
                Contracted.Add(1);
                PhaseDuration.Record(Seconds(SinceLast(after, JobState.Matched, closed.At)), Phase("closure"));
                PhaseDuration.Record(Seconds(closed.At - after.PostedAt), Phase("total"));
                break;
            case JobFailed failed:
                Failed.Add(1, new KeyValuePair<string, object?>("reason", JobDecisions.Kebab(failed.Reason.ToString())));
                PhaseDuration.Record(Seconds(failed.At - after.PostedAt), Phase("total"));
                break;
            case RunStarted started:
                PhaseDuration.Record(Seconds(SinceLast(after, JobState.Contracted, started.At)), Phase("start"));
                break;
            case RunEnded ended:
                RunsEnded.Add(1, new("outcome", ended.Outcome.Failure is { } why ? RunFailures.Code(why) : "completed"),
                    new("retried", ended.Retry ? "yes" : "no"));
                var runStart = after.Runs.Count > 0 ? after.Runs[^1].StartedAt : ended.At;
                PhaseDuration.Record(Seconds(ended.At - runStart), Phase("run"));
                if (after.State == JobState.Failed) Failed.Add(1, new KeyValuePair<string, object?>("reason", JobDecisions.Kebab(after.Failure!.Reason.ToString())));
                if (after.IsTerminal) PhaseDuration.Record(Seconds(ended.At - after.PostedAt), Phase("total"));
                break;
        }
    }

    public static void ContractRevoked() => Revoked.Add(1);

    /// <summary>A contract settled on the requester's side: its amount, and how long after the run ended.</summary>
    public static void ContractSettled(Settlement settlement, TimeSpan sinceRunEnded)
    {
        var currency = new KeyValuePair<string, object?>("currency", settlement.Currency);
        Settled.Add((double)settlement.Amount, currency);
        SettledCount.Add(1, currency);
        SettlementLatency.Record(Math.Max(0, sinceRunEnded.TotalSeconds));
    }

    public static void SettlementDisputed(string by) => Disputes.Add(1, new KeyValuePair<string, object?>("by", by));

    public static void LateLockReleased(ExchangePhase phase) => LateLocks.Add(1, new KeyValuePair<string, object?>("phase", JobDecisions.Kebab(phase.ToString())));

    public static void JournalWriteTook(TimeSpan elapsed) => JournalWrite.Record(elapsed.TotalSeconds);

    /// <summary>
    /// Every counter at zero, once the exporter listens (the node's start): a series exists from the start, so a
    /// dashboard shows 0 and an alert on a rate sees it, instead of nothing until the first event. Each failure
    /// reason and each phase gets its series; declines get one per phase (their reasons appear as they happen).
    /// </summary>
    public static void Zero()
    {
        Posted.Add(0);
        Contracted.Add(0);
        Revoked.Add(0);
        foreach (var reason in Enum.GetNames<FailureReason>())
            Failed.Add(0, new KeyValuePair<string, object?>("reason", JobDecisions.Kebab(reason)));
        foreach (var phase in Enum.GetNames<ExchangePhase>())
        {
            Timeouts.Add(0, new KeyValuePair<string, object?>("phase", JobDecisions.Kebab(phase)));
            Declines.Add(0, new("phase", JobDecisions.Kebab(phase)), new("reason", "none"));
        }

        foreach (var phase in new[] { ExchangePhase.Bid, ExchangePhase.JobRequest })
            LateLocks.Add(0, new KeyValuePair<string, object?>("phase", JobDecisions.Kebab(phase.ToString())));
    }

    /// <summary>A provider's ledger changed: its share of capacity in use.</summary>
    public static void ProviderUsage(string providerId, double cpu, double ram) => Utilisation[providerId] = (cpu, ram);

    private static TimeSpan SinceLast(Job job, JobState state, DateTimeOffset at) =>
        job.History.LastOrDefault(h => h.State == state) is { } entered ? at - entered.At : TimeSpan.Zero;

    private static double Seconds(TimeSpan span) => Math.Max(0, span.TotalSeconds);

    private static KeyValuePair<string, object?> Phase(string phase) => new("phase", phase);
}
