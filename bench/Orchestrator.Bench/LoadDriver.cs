using System.Collections.Concurrent;
using System.Diagnostics;
using Akka.Actor;
using Orchestrator.Protocol.Messages;
using Orchestrator.Protocol.Model;

namespace Orchestrator.Bench;

/// <summary>Latency percentiles of a set of samples, in milliseconds.</summary>
public sealed record Percentiles(double P50, double P95, double P99, double Max)
{
    public static Percentiles Of(IReadOnlyCollection<double> samples)
    {
        if (samples.Count == 0) return new Percentiles(0, 0, 0, 0);
        var sorted = samples.Order().ToArray();
        double At(double q) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];
        return new Percentiles(At(0.50), At(0.95), At(0.99), sorted[^1]);
    }
}

/// <summary><see cref="Unfinished"/>: jobs not accepted within 60 s or not terminal within 5 minutes.</summary>
public sealed record LoadResult(int Jobs, int Contracted, int Failed, int Unfinished, TimeSpan Elapsed, Percentiles EndToEnd,
    IReadOnlyDictionary<string, Percentiles> Phases)
{
    public double JobsPerSecond => Jobs / Elapsed.TotalSeconds;
}

/// <summary>
/// Posts jobs through the actor interface (the shard region) and follows each to its terminal state through a
/// subscription, so every figure is posted→terminal as a client would see it.
/// </summary>
public sealed class LoadDriver
{
    private static readonly JobDescription Job = new()
    {
        Requirements = new JobRequirements
        {
            Resources = new ResourceRequirements { CpuCores = 1, RamMb = 256, DiskGb = 1 },
            Executors = [ExecutorType.Docker],
        },
    };

    private readonly BenchNode _node;
    private readonly ConcurrentDictionary<string, TaskCompletionSource<JobStateChanged>> _waiting = new();
    private readonly IActorRef _tracker;

    private readonly JobDescription _job;

    /// <param name="execution">A program each job runs once contracted (then a job is done when its run ends); none: reservations.</param>
    public LoadDriver(BenchNode node, string name, int? durationMinutes = null, JobExecution? execution = null)
    {
        _node = node;
        _job = Job with
        {
            Requirements = Job.Requirements with { DurationMinutes = durationMinutes, Executors = execution is null ? Job.Requirements.Executors : [] },
            Execution = execution,
        };
        _tracker = node.System.ActorOf(Props.Create(() => new Tracker(_waiting)), "tracker-" + name);
    }

    /// <summary>Closed loop: <paramref name="concurrency"/> jobs in flight at all times until all are done.</summary>
    public async Task<LoadResult> RunClosedAsync(string prefix, int jobs, int concurrency)
    {
        var latencies = new ConcurrentBag<double>();
        var outcomes = new ConcurrentBag<JobState?>();
        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, jobs), new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (i, _) =>
        {
            var (state, ms) = await OneJobAsync($"{prefix}-{i:D7}");
            if (state is not null) latencies.Add(ms);
            outcomes.Add(state);
        });
        clock.Stop();
        return await ResultAsync(prefix, jobs, clock.Elapsed, latencies, outcomes);
    }

    /// <summary>Open loop: jobs posted at a fixed rate, whatever the system does, to see latency under that load.</summary>
    public async Task<LoadResult> RunOpenAsync(string prefix, int jobs, double perSecond)
    {
        var latencies = new ConcurrentBag<double>();
        var outcomes = new ConcurrentBag<JobState?>();
        var clock = Stopwatch.StartNew();
        var tasks = new List<Task>(jobs);
        for (var i = 0; i < jobs; i++)
        {
            var due = TimeSpan.FromSeconds(i / perSecond);
            var wait = due - clock.Elapsed;
            if (wait > TimeSpan.FromMilliseconds(1)) await Task.Delay(wait);
            var id = $"{prefix}-{i:D7}";
            tasks.Add(Task.Run(async () =>
            {
                var (state, ms) = await OneJobAsync(id);
                if (state is not null) latencies.Add(ms);
                outcomes.Add(state);
            }));
        }

        await Task.WhenAll(tasks);
        clock.Stop();
        return await ResultAsync(prefix, jobs, clock.Elapsed, latencies, outcomes);
    }

    /// <summary>Posts the jobs (at most <paramref name="concurrency"/> posts in flight) without waiting for their ends.</summary>
    public async Task PostAllAsync(string prefix, int jobs, int concurrency) =>
        await Parallel.ForEachAsync(Enumerable.Range(0, jobs), new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (i, _) =>
            await _node.Jobs.Ask<IJobMessage>(new PostJob($"{prefix}-{i:D7}", _job with { JobId = $"{prefix}-{i:D7}" }, "bench"), TimeSpan.FromSeconds(60)));

    /// <summary>How many of the jobs are in <paramref name="state"/> now.</summary>
    public async Task<int> CountAsync(string prefix, int jobs, JobState state)
    {
        var count = 0;
        for (var i = 0; i < jobs; i++)
            if (await _node.Jobs.Ask<IJobMessage>(new GetJob($"{prefix}-{i:D7}"), TimeSpan.FromSeconds(30)) is JobStatus { } status && status.State == state) count++;
        return count;
    }

    /// <summary>One job from post to terminal; an overloaded system that does not answer in time counts as unfinished.</summary>
    private async Task<(JobState? State, double Milliseconds)> OneJobAsync(string id)
    {
        var done = new TaskCompletionSource<JobStateChanged>(TaskCreationOptions.RunContinuationsAsynchronously);
        _waiting[id] = done;
        var started = Stopwatch.GetTimestamp();
        try
        {
            var reply = await _node.Jobs.Ask<IJobMessage>(new PostJob(id, _job with { JobId = id }, "bench"), TimeSpan.FromSeconds(60));
            if (reply is not JobAccepted) return (null, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            _node.Jobs.Tell(new SubscribeToJob(id, _tracker));
            var terminal = await done.Task.WaitAsync(TimeSpan.FromMinutes(5));
            return (terminal.State, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        catch (Exception e) when (e is AskTimeoutException or TimeoutException)
        {
            _waiting.TryRemove(id, out _);
            return (null, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
    }

    /// <summary>Phases from the jobs' own timestamped histories, on a sample (reading every job would load the run).</summary>
    private async Task<LoadResult> ResultAsync(string prefix, int jobs, TimeSpan elapsed, ConcurrentBag<double> latencies, ConcurrentBag<JobState?> outcomes)
    {
        var phases = new Dictionary<string, List<double>>
        {
            ["posted→searching"] = [], ["search"] = [], ["request+contract"] = [], ["contract→running"] = [], ["run"] = [], ["settle"] = [],
        };
        var step = Math.Max(1, jobs / 500);
        for (var i = 0; i < jobs; i += step)
        {
            if (await _node.Jobs.Ask<IJobMessage>(new GetJob($"{prefix}-{i:D7}"), TimeSpan.FromSeconds(30)) is not JobStatus status) continue;
            // A run's settlement goes on after the job's end: read again until it is settled and transferred (at most 10 s).
            for (var wait = Stopwatch.StartNew(); status.Runs.Count > 0 && wait.Elapsed < TimeSpan.FromSeconds(10)
                 && !status.Settlements.All(s => s is { State: SettlementState.Settled, Transfer: not null }); await Task.Delay(50))
                if (await _node.Jobs.Ask<IJobMessage>(new GetJob($"{prefix}-{i:D7}"), TimeSpan.FromSeconds(30)) is JobStatus again) status = again;
            DateTimeOffset? At(JobState s) => status.History.FirstOrDefault(h => h.State == s)?.At;
            void Add(string phase, DateTimeOffset? from, DateTimeOffset? to)
            {
                if (from is { } a && to is { } b) phases[phase].Add((b - a).TotalMilliseconds);
            }

            Add("posted→searching", At(JobState.Posted), At(JobState.Searching));
            Add("search", At(JobState.Searching), At(JobState.Matched));
            Add("request+contract", At(JobState.Matched), At(JobState.Contracted));
            Add("contract→running", At(JobState.Contracted), At(JobState.Running));
            Add("run", At(JobState.Running), At(JobState.Completed));
            // From the run's end, as the job recorded it, to the settlement signed by both sides and transferred.
            if (status.Settlements is [{ State: SettlementState.Settled, Transfer: { } transfer } settled, ..]) Add("settle", settled.EndedAt, transfer.At);
        }

        return new LoadResult(jobs, outcomes.Count(s => s is JobState.Contracted or JobState.Completed), outcomes.Count(s => s is JobState.Failed or JobState.Cancelled),
            outcomes.Count(s => s is null), elapsed,
            Percentiles.Of(latencies.ToArray()), phases.ToDictionary(kv => kv.Key, kv => Percentiles.Of(kv.Value)));
    }

    private sealed class Tracker : ReceiveActor
    {
        public Tracker(ConcurrentDictionary<string, TaskCompletionSource<JobStateChanged>> waiting) =>
            Receive<JobStateChanged>(change =>
            {
                if (change.Final && waiting.TryRemove(change.JobId, out var done))
                    done.TrySetResult(change);
            });
    }
}
