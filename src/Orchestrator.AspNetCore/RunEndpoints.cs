using Akka.Actor;
using Akka.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using Orchestrator.Execution;
using Orchestrator.Hosting;
using Orchestrator.Protocol.Messages;
using Orchestrator.Protocol.Model;

namespace Orchestrator.Api;

/// <summary>
/// What a job's program printed and left behind, read from the node its run is on, whichever node is asked:
/// <c>…/result</c> (how the run ended, the outputs kept), <c>…/logs</c> (stdout or stderr, followed live while the program
/// runs) and <c>…/outputs/{name}</c> (a file the program left).
/// </summary>
public static class RunEndpoints
{
    private static readonly TimeSpan FollowPoll = TimeSpan.FromMilliseconds(250);

    public static IEndpointRouteBuilder MapRunEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/orchestrator/jobs/{jobId}/result", Result).WithName("GetJobResult")
            .WithSummary("How the job's run ended (exit code, failure, how much it printed) and the outputs it kept; every run before it too.")
            .Produces<RunResult>()
            .ProducesProblems(400, 404, 409, 503);
        app.MapGet("/orchestrator/jobs/{jobId}/logs", Logs).WithName("GetJobLogs")
            .WithSummary("The program's stdout (or stderr: ?stream=stderr) from ?offset=, as text; ?follow=true waits for the program to start, keeps " +
                         "the response open and sends what it prints until it ends. ?run=N reads an earlier run's.")
            .Produces<string>(StatusCodes.Status200OK, "text/plain")
            .ProducesProblems(400, 404, 409, 503);
        app.MapGet("/orchestrator/jobs/{jobId}/outputs/{name}", Output).WithName("GetJobOutput")
            .WithSummary("A file the program left in /scratch and the job kept (execution.outputs), as bytes; its sha256 is in the result.")
            .Produces<byte[]>(StatusCodes.Status200OK, "application/octet-stream")
            .ProducesProblems(400, 404, 409, 503);
        return app;
    }

    /// <summary>The job's runs: the latest (going on or ended), and every one before it.</summary>
    private static async Task<Results<Ok<RunResult>, ProblemHttpResult>> Result(string jobId, IRequiredActor<JobRegion> jobs, ActorSystem system, CancellationToken ct)
    {
        var (status, problem) = await Status(jobId, jobs.ActorRef, system, ct);
        if (problem is not null) return problem;
        var latest = status!.CurrentRun ?? (status.Runs.Count > 0 ? status.Runs[^1] : null);
        return TypedResults.Ok(new RunResult(status.JobId, status.State, status.Final, latest, status.Runs,
            latest?.Outcome?.Outputs.Select(o => $"/orchestrator/jobs/{Uri.EscapeDataString(jobId)}/outputs/{Uri.EscapeDataString(o.Name)}").ToArray() ?? []));
    }

    private static async Task<Results<EmptyHttpResult, ProblemHttpResult>> Logs(string jobId, HttpContext http, IRequiredActor<JobRegion> jobs,
        ActorSystem system, CancellationToken ct, string? stream = null, long offset = 0, bool follow = false, int? run = null)
    {
        LogStream which;
        switch (stream)
        {
            case null or "stdout":
                which = LogStream.Stdout;
                break;
            case "stderr":
                which = LogStream.Stderr;
                break;
            default:
                return Problems.Invalid(new Dictionary<string, string[]> { ["stream"] = [$"must be stdout or stderr, was '{stream}'"] });
        }

        if (offset < 0) return Problems.Invalid(new Dictionary<string, string[]> { ["offset"] = [$"must be 0 or more, was {offset}"] });
        RunRecord? record;
        while (true)
        {
            var (status, problem) = await Status(jobId, jobs.ActorRef, system, ct);
            if (problem is not null) return problem;
            (record, var missing) = Pick(status!, run);
            if (record is not null) break;
            // Following a job whose program has not started yet: wait for it (a follow right after the post shows the output).
            if (!follow || status!.Final || status.Description.Execution is null || run is not null) return missing!;
            try
            {
                await Task.Delay(FollowPoll, ct);
            }
            catch (OperationCanceledException)
            {
                return TypedResults.Empty;
            }
        }

        var store = system.ActorSelection(record!.Node + RunStore.Path);
        http.Response.ContentType = "text/plain; charset=utf-8";
        http.Response.Headers.CacheControl = "no-cache";
        var started = false;
        while (!ct.IsCancellationRequested)
        {
            object answer;
            try
            {
                answer = await store.Ask<object>(new GetRunLog(record.ContractId, which, offset, RunStore.MaxChunk), ActorAsk.Timeout(system), ct);
            }
            catch (AskTimeoutException)
            {
                if (!started) return Problems.Unavailable($"the node of run {record.Run} ({record.Node}) did not answer within {ActorAsk.Timeout(system).TotalSeconds} s");
                break;
            }

            if (answer is RunNotFound notFound)
            {
                if (!started) return Problems.NotFound(notFound.Detail);
                break;
            }

            var chunk = (RunLogChunk)answer;
            if (!started)
            {
                started = true;
                await http.Response.StartAsync(ct);
            }

            if (chunk.Data.Length > 0)
            {
                await http.Response.Body.WriteAsync(chunk.Data, ct);
                await http.Response.Body.FlushAsync(ct);
                offset += chunk.Data.Length;
                continue;
            }

            // Nothing more now: done, unless following a run that goes on.
            if (!follow || chunk.Ended) break;
            await Task.Delay(FollowPoll, ct).ContinueWith(_ => { }, CancellationToken.None);
        }

        return TypedResults.Empty;
    }

    private static async Task<Results<EmptyHttpResult, ProblemHttpResult>> Output(string jobId, string name, HttpContext http, IRequiredActor<JobRegion> jobs,
        ActorSystem system, CancellationToken ct, int? run = null)
    {
        var (status, problem) = await Status(jobId, jobs.ActorRef, system, ct);
        if (problem is not null) return problem;
        var (record, missing) = Pick(status!, run);
        if (missing is not null) return missing;
        var kept = record!.Outcome?.Outputs.FirstOrDefault(o => o.Name == name);
        if (kept is null)
            return Problems.NotFound(record.Outcome is null
                ? $"run {record.Run} of job '{jobId}' has not ended: its outputs are kept when it ends"
                : $"run {record.Run} of job '{jobId}' kept no output '{name}' (it kept: {(record.Outcome.Outputs.Count == 0 ? "none" : string.Join(", ", record.Outcome.Outputs.Select(o => o.Name)))})");

        var store = system.ActorSelection(record.Node + RunStore.Path);
        long offset = 0;
        var started = false;
        while (offset < kept.Bytes && !ct.IsCancellationRequested)
        {
            object answer;
            try
            {
                answer = await store.Ask<object>(new GetRunOutput(record.ContractId, name, offset, RunStore.MaxChunk), ActorAsk.Timeout(system), ct);
            }
            catch (AskTimeoutException)
            {
                if (!started) return Problems.Unavailable($"the node of run {record.Run} ({record.Node}) did not answer within {ActorAsk.Timeout(system).TotalSeconds} s");
                break;
            }

            if (answer is RunNotFound notFound)
            {
                if (!started) return Problems.NotFound(notFound.Detail);
                break;
            }

            var chunk = (RunOutputChunk)answer;
            if (!started)
            {
                started = true;
                http.Response.ContentType = "application/octet-stream";
                http.Response.ContentLength = chunk.Length;
                http.Response.Headers["X-Content-SHA256"] = kept.Sha256;
                await http.Response.StartAsync(ct);
            }

            if (chunk.Data.Length == 0) break;
            await http.Response.Body.WriteAsync(chunk.Data, ct);
            offset += chunk.Data.Length;
        }

        if (!started)
        {
            http.Response.ContentType = "application/octet-stream";
            http.Response.ContentLength = 0;
        }

        return TypedResults.Empty;
    }

    /// <summary>The run asked for (<paramref name="run"/>), or the latest; a problem when there is none.</summary>
    private static (RunRecord? Run, ProblemHttpResult? Problem) Pick(JobStatus status, int? run)
    {
        var all = status.CurrentRun is null ? status.Runs : [.. status.Runs, status.CurrentRun];
        if (run is not null)
        {
            var asked = all.FirstOrDefault(r => r.Run == run);
            return asked is null
                ? (null, Problems.NotFound($"job '{status.JobId}' has no run {run} (it has {(all.Count == 0 ? "none" : string.Join(", ", all.Select(r => r.Run)))})"))
                : (asked, null);
        }

        if (all.Count > 0) return (all[^1], null);
        return (null, Problems.Conflict(status.Description.Execution is null
            ? $"job '{status.JobId}' is a reservation: it runs no program, so it has no logs or outputs"
            : $"job '{status.JobId}' has not started its program yet (it is {status.State})", "The job has no run."));
    }

    private static async Task<(JobStatus? Status, ProblemHttpResult? Problem)> Status(string jobId, IActorRef jobs, ActorSystem system, CancellationToken ct) =>
        Problems.InvalidJobId(jobId) is { } invalid ? (null, invalid) : await system.JobAsync(jobs, jobId, ct);
}

/// <summary>A job's runs: the latest (<see cref="Run"/>, going on or ended) with links to its outputs, and every run before it.</summary>
public sealed record RunResult(string JobId, JobState State, bool Final, RunRecord? Run, IReadOnlyList<RunRecord> Runs, IReadOnlyList<string> Outputs);
