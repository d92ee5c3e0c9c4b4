using System.Diagnostics;
using Akka.Actor;
using Akka.Serialization;
using Orchestrator.Protocol.Events;
using Orchestrator.Protocol.Messages;
using Orchestrator.Protocol.Model;

namespace Orchestrator.Bench;

/// <summary>
/// What the journal's format costs per event, beside Hyperion (the wire's serializer, which wrote the journal before):
/// the largest event a job writes (a search's end with 16 bids, each carrying the provider's capability) and the most
/// common small one. Measured on the node's own serializers, so the mapping to the journal's records is included.
/// </summary>
public static class SerializerCost
{
    public sealed record Cost(string Event, double WriteMicros, double ReadMicros, int Bytes, double HyperionWriteMicros, double HyperionReadMicros, int HyperionBytes);

    public static IReadOnlyList<Cost> Measure(ActorSystem system, int iterations)
    {
        var hyperion = system.Serialization.FindSerializerForType(typeof(Bid));
        var journal = (SerializerWithStringManifest)system.Serialization.FindSerializerForType(typeof(SearchCompleted));
        var completed = Completed();
        // The row a job writes at a search's end: the search, its shortlisting and the job request, together.
        var steps = new JobStepsRecorded(completed.JobId,
            [completed, new ProviderShortlisted(completed.JobId, "cp-000", "ranked 1", At), new JobRequestSent(completed.JobId, "cp-000", At)]);
        return
        [
            Of("SearchCompleted, 16 bids", completed, journal, hyperion, iterations),
            Of("a search's end in one row (JobStepsRecorded)", steps, journal, hyperion, iterations),
            Of("CandidateDropped", Dropped(), journal, hyperion, iterations),
        ];
    }

    private static Cost Of(string name, object e, SerializerWithStringManifest journal, Serializer hyperion, int iterations)
    {
        var (jw, jr, jb) = Time(() => journal.ToBinary(e), bytes => journal.FromBinary(bytes, journal.Manifest(e)), iterations);
        var (hw, hr, hb) = Time(() => hyperion.ToBinary(e), bytes => hyperion.FromBinary(bytes, e.GetType()), iterations);
        return new Cost(name, jw, jr, jb, hw, hr, hb);
    }

    private static (double Write, double Read, int Bytes) Time(Func<byte[]> write, Func<byte[], object> read, int iterations)
    {
        var bytes = write();
        for (var i = 0; i < iterations / 10; i++) read(write()); // warm up
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < iterations; i++) bytes = write();
        var writeMicros = clock.Elapsed.TotalMicroseconds / iterations;
        clock.Restart();
        for (var i = 0; i < iterations; i++) read(bytes);
        return (writeMicros, clock.Elapsed.TotalMicroseconds / iterations, bytes.Length);
    }

    private static readonly DateTimeOffset At = new(2026, 11, 30, 9, 0, 0, TimeSpan.Zero);

    private static SearchCompleted Completed()
    {
        var bids = Enumerable.Range(0, 16).Select(i => new Bid("bench-job", $"cp-{i:000}", 1m + i / 10m, i % 4 == 0, i % 4 == 0 ? At.AddSeconds(30) : null,
            0.5, At, new ProviderCapability
            {
                Id = $"cp-{i:000}",
                Resources = new Resources { CpuCores = 16, RamMb = 65536, DiskGb = 500, Gpus = [new Gpu("nvidia", "a100", 40960)] },
                Executors = [ExecutorType.Docker],
                Localities = [new Locality("country", "DE")],
                PricePerHour = 1m + i / 10m,
                Labels = new Dictionary<string, string> { ["tier"] = "gold" },
            }, [0])).ToArray();
        var ranking = bids.Select((b, i) => new RankedProvider(i + 1, b.ProviderId, 0.9 - i / 100.0, b.PricePerHour, b.ResourcesLocked,
            [new ScoreTerm("lowerPrice", 1, 0.9, 0.9)])).ToArray();
        return new SearchCompleted("bench-job", bids, [], [],
            new SearchExplanation(OrchestrationType.Pull, SelectionCriterion.Score, 1, 100, 16, new Dictionary<string, int> { ["cpu"] = 84 }, 0, 16, ranking), At);
    }

    private static CandidateDropped Dropped() =>
        new("bench-job", "cp-001", new DeclineMessage("bench-job", "cp-001", ExchangePhase.JobRequest, DeclineReason.InsufficientCpu, "needs 2 cores, 1 free"),
            null, At);
}
