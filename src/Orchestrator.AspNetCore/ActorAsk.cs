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
            return Silent<T>(who, wait);
        }

        return Judged<T>(answer, who);
    }

    /// <summary>The answer as a <typeparamref name="T"/>, or a 503 naming who answered what instead.</summary>
    private static (T? Answer, ProblemHttpResult? Problem) Judged<T>(object answer, string who) where T : class =>
        answer is T expected
            ? (expected, null)
            : (null, Problems.Unavailable($"{who} answered {answer.GetType().Name}, not {typeof(T).Name}"));

    /// <summary>The 503 for an actor that did not answer within <paramref name="wait"/>.</summary>
    private static (T? Answer, ProblemHttpResult? Problem) Silent<T>(string who, TimeSpan wait) where T : class =>
        (null, Problems.Unavailable($"{who} did not answer within {wait.TotalSeconds} s"));

    /// <summary>How soon a read that has not been answered is sent again, at first, and at most.</summary>
    public static readonly (TimeSpan First, TimeSpan Longest) AskAgain = (TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2));

    /// <summary>
    /// Like <see cref="AskAsync{T}"/>, for a question that may be asked twice (a read): unanswered, it is asked again
    /// after 1 s, then every 2 s, and the first answer wins. A message to an entity whose member has just died is lost
    /// with that member until the cluster removes it and the entity starts elsewhere (about ten seconds): asked once, a
    /// read sent in that window waited the whole askTimeout, although the entity answered from its new home seconds
    /// earlier. Asked again, it answers within two seconds of the entity's return.
    /// </summary>
    public static async Task<(T? Answer, ProblemHttpResult? Problem)> ReadAsync<T>(this ActorSystem system, IActorRef actor, object message, string who,
        CancellationToken ct, TimeSpan? timeout = null) where T : class
    {
        var wait = timeout ?? Timeout(system);
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        using var done = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var asks = new List<Task<object>>();
        var again = AskAgain.First;
        while (System.Diagnostics.Stopwatch.GetElapsedTime(started) is var elapsed && elapsed < wait)
        {
            var left = wait - elapsed;
            asks.Add(actor.Ask<object>(message, left, done.Token));
            var pause = Task.Delay(again < left ? again : left, done.Token);
            while (!pause.IsCompleted)
            {
                var first = await Task.WhenAny([.. asks, pause]);
                if (first == pause) break;
                asks.Remove((Task<object>)first);
                if (first.IsCompletedSuccessfully)
                {
                    await done.CancelAsync();
                    return Judged<T>(((Task<object>)first).Result, who);
                }

                ct.ThrowIfCancellationRequested();
                if (asks.Count == 0) await pause; // every ask so far timed out: the next goes when the pause ends
            }

            again = AskAgain.Longest;
        }

        await done.CancelAsync();
        return Silent<T>(who, wait);
    }

    /// <summary>
    /// A job's status by id: 404 when no job has it (naming the member that said so), 503 when it does not answer. A
    /// read: asked again while unanswered (<see cref="ReadAsync{T}"/>), so a job moving to another member after its own
    /// died answers as soon as it is back.
    /// </summary>
    public static async Task<(JobStatus? Status, ProblemHttpResult? Problem)> JobAsync(this ActorSystem system, IActorRef jobs, string jobId, CancellationToken ct)
    {
        var (answer, problem) = await system.ReadAsync<IJobMessage>(jobs, new GetJob(jobId), $"job '{jobId}'", ct);
        return answer switch
        {
            null => (null, problem),
            JobStatus status => (status, null),
            JobNotFound notFound => (null, Problems.NotFound($"no job with id '{jobId}'" + (notFound.HostedBy is { Length: > 0 } host ? $" (answered on {host})" : ""))),
            _ => (null, Problems.Unavailable($"job '{jobId}' answered {answer.GetType().Name}")),
        };
    }
}
