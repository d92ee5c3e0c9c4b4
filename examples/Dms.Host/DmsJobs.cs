using Akka.Actor;
using Orchestrator.Protocol.Messages;
using Orchestrator.Protocol.Model;

namespace Dms.Host;

/// <summary>Submit a job through the DMS's own actor; answered with the <see cref="JobAccepted"/> (or the rejection).</summary>
public sealed record Submit(JobDescription Description);

/// <summary>Which states the DMS's actor has been told of for a job, in order.</summary>
public sealed record GetSeen(string JobId);

public sealed record Seen(string JobId, IReadOnlyList<JobState> States, string? ProviderId);

/// <summary>
/// The DMS's own actor: it posts jobs to the orchestrator by message (no HTTP), naming itself as the subscriber, and
/// keeps every state change it is told of — what a DMS would use to start the workload once a job is Contracted.
/// </summary>
public sealed class DmsJobs : ReceiveActor
{
    private readonly Dictionary<string, List<JobState>> _seen = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _providers = new(StringComparer.Ordinal);

    public DmsJobs(IActorRef jobs)
    {
        Receive<Submit>(submit =>
        {
            var jobId = submit.Description.JobId ?? "dms-" + Guid.CreateVersion7().ToString("N");
            _seen.TryAdd(jobId, []);
            jobs.Forward(new PostJob(jobId, submit.Description, "dms:" + Context.System.Name, Self));
        });
        Receive<JobStateChanged>(change =>
        {
            if (!_seen.TryGetValue(change.JobId, out var states)) _seen[change.JobId] = states = [];
            states.Add(change.State);
            if (change.Contract is { } contract) _providers[change.JobId] = contract.ProviderId;
        });
        Receive<GetSeen>(get => Sender.Tell(new Seen(get.JobId,
            _seen.TryGetValue(get.JobId, out var states) ? states.ToArray() : [], _providers.GetValueOrDefault(get.JobId))));
    }

    public static Props Props(IActorRef jobs) => Akka.Actor.Props.Create(() => new DmsJobs(jobs));
}
