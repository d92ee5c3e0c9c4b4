using System.Diagnostics;
using Akka.Actor;
using Akka.Persistence;
using Orchestrator.Protocol.Events;

namespace Orchestrator.Bench;

/// <summary>
/// The journal plugin on its own: many persistent actors, each persisting one small event after another (as a job
/// does), through the node's own persistence set-up. The gap between this and the raw floor is the plugin's cost;
/// the gap between this and the orchestrator is the orchestrator's.
/// </summary>
public static class JournalProbe
{
    public static async Task<(double RowsPerSecond, double NewActorsPerSecond)> RunAsync(ActorSystem system, int actors, TimeSpan duration)
    {
        var written = new long[1];
        var clock = Stopwatch.StartNew();
        var until = DateTime.UtcNow + duration;
        var finished = Enumerable.Range(0, actors).Select(i =>
        {
            var done = new TaskCompletionSource();
            system.ActorOf(Props.Create(() => new Writer($"probe-{Guid.NewGuid():N}", until, written, done)));
            return done.Task;
        }).ToArray();
        await Task.WhenAll(finished);
        var rowsPerSecond = Interlocked.Read(ref written[0]) / clock.Elapsed.TotalSeconds;

        // New persistent actors, each recovering (finding nothing) and writing one event: a job's first step.
        clock.Restart();
        var count = 0;
        var started = new List<Task>();
        while (clock.Elapsed < duration)
        {
            var batch = Enumerable.Range(0, actors).Select(_ =>
            {
                var done = new TaskCompletionSource();
                system.ActorOf(Props.Create(() => new Writer($"new-{Guid.NewGuid():N}", DateTime.MinValue, new long[1], done)));
                return done.Task;
            }).ToArray();
            await Task.WhenAll(batch);
            count += batch.Length;
        }

        foreach (var g in Timings.GroupBy(t => t.Item1)) Console.WriteLine($"{g.Key}: {Percentiles.Of(g.Select(t => t.Item2).ToArray())}");
        Timings.Clear();
        return (rowsPerSecond, count / clock.Elapsed.TotalSeconds);
    }

    public static readonly System.Collections.Concurrent.ConcurrentBag<(string, double)> Timings = new();

    private sealed class Writer : ReceivePersistentActor
    {
        public Writer(string id, DateTime until, long[] written, TaskCompletionSource done)
        {
            PersistenceId = id;
            Command<string>(_ => Persist(new CandidateDropped(id, "p", null, null, DateTimeOffset.UtcNow), _ =>
            {
                Interlocked.Increment(ref written[0]);
                if (until == DateTime.MinValue) Timings.Add(("persisted", Stopwatch.GetElapsedTime(_created).TotalMilliseconds));
                if (DateTime.UtcNow < until) Self.Tell("next");
                else
                {
                    done.TrySetResult();
                    Context.Stop(Self);
                }
            }));
            Recover<CandidateDropped>(_ => { });
            Recover<RecoveryCompleted>(_ => Timings.Add(("recovered", Stopwatch.GetElapsedTime(_created).TotalMilliseconds)));
        }

        public override string PersistenceId { get; }
        private readonly long _created = Stopwatch.GetTimestamp();

        protected override void PreStart()
        {
            base.PreStart();
            Self.Tell("first");
        }
    }
}
