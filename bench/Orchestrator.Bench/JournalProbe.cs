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

        return (rowsPerSecond, count / clock.Elapsed.TotalSeconds);
    }

    private sealed class Writer : ReceivePersistentActor
    {
        public Writer(string id, DateTime until, long[] written, TaskCompletionSource done)
        {
            PersistenceId = id;
            Command<string>(_ => Persist(new CandidateDropped(id, "p", null, null, DateTimeOffset.UtcNow), _ =>
            {
                Interlocked.Increment(ref written[0]);
                if (DateTime.UtcNow < until) Self.Tell("next");
                else
                {
                    done.TrySetResult();
                    Context.Stop(Self);
                }
            }));
            Recover<CandidateDropped>(_ => { });

        }

        public override string PersistenceId { get; }

        protected override void PreStart()
        {
            base.PreStart();
            Self.Tell("first");
        }
    }
}
