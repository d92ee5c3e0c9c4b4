using Akka.Actor;
using Microsoft.AspNetCore.Http.HttpResults;
using Orchestrator.Hosting;
using Orchestrator.Protocol.Messages;

namespace Orchestrator.Api;

/// <summary>
/// The one way a handler asks an actor: it waits <c>orchestrator.api.askTimeout</c> (and no longer than the request
/// lives); an actor that does not answer in time, or answers with something other than what was asked for, becomes
/// a 503 naming who — instead of a try/catch and an "unexpected answer" branch in every handler, and instead of an
/// unanswered ask escaping as a 500.
/// </summary>
public static class ActorAsk
{
    /// <summary>How long a request waits for the actor it asks (<c>orchestrator.api.askTimeout</c>).</summary>
    public static TimeSpan Timeout(ActorSystem system) => OrchestratorNode.Get(system).Settings.ApiAskTimeout;

    /// <summary>
    /// The answer of <paramref name="actor"/> to <paramref name="message"/> as a <typeparamref name="T"/>, or the problem
    /// to answer with; <paramref name="who"/> names the actor in it ("job 'render-42'", "the job listing").
    /// </summary>
    public static async Task<(T? Answer, ProblemHttpResult? Problem)> AskAsync<T>(this ActorSystem system, IActorRef actor, object message, string who,
        CancellationToken ct, TimeSpan? timeout = null) where T : class
    {
        var wait = timeout ?? Timeout(system);
        object answer;
        try
        {
            answer = await actor.Ask<object>(message, wait, ct);
        }
        catch (AskTimeoutException)
        {
            return (null, Problems.Unavailable($"{who} did not answer within {wait.TotalSeconds} s"));
        }

        return answer is T expected
            ? (expected, null)
            : (null, Problems.Unavailable($"{who} answered {answer.GetType().Name}, not {typeof(T).Name}"));
    }

    /// <summary>A job's status by id: 404 when no job has it (naming the member that said so), 503 when it does not answer.</summary>
    public static async Task<(JobStatus? Status, ProblemHttpResult? Problem)> JobAsync(this ActorSystem system, IActorRef jobs, string jobId, CancellationToken ct)
    {
        var (answer, problem) = await system.AskAsync<IJobMessage>(jobs, new GetJob(jobId), $"job '{jobId}'", ct);
        return answer switch
        {
            null => (null, problem),
            JobStatus status => (status, null),
            JobNotFound notFound => (null, Problems.NotFound($"no job with id '{jobId}'" + (notFound.HostedBy is { Length: > 0 } host ? $" (answered on {host})" : ""))),
            _ => (null, Problems.Unavailable($"job '{jobId}' answered {answer.GetType().Name}")),
        };
    }
}
