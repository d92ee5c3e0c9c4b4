using Akka.Actor;
using Akka.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using Orchestrator.Hosting;
using Orchestrator.Jobs;
using Orchestrator.Providers;
using Orchestrator.Protocol.Messages;
using Orchestrator.Protocol.Model;
using Orchestrator.Validation;

namespace Orchestrator.Api;

/// <summary>The job API: post a job (the seed's /orchestrator/postJob) and read it back.</summary>
public static class JobEndpoints
{
    public static IEndpointRouteBuilder MapJobEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/orchestrator/postJob", PostJob).WithName("PostJob")
            .WithSummary("Post a job: validated, persisted, then searched for and contracted.")
            .WithBody<JobDescription>("application/json")
            .ProducesProblems(400, 409, 413, 415, 503);
        app.MapPost("/orchestrator/plan", Plan).WithName("PlanJob")
            .WithSummary("A dry run: the candidates' bids, ranked and explained; nothing is locked, no job is created.")
            .WithBody<JobDescription>("application/json")
            .ProducesProblems(400, 413, 415, 503);
        app.MapGet("/orchestrator/jobs/{jobId}", GetJob).WithName("GetJob")
            .WithSummary("A job: its state, history, bids, declines, selected provider and contract.")
            .ProducesProblems(400, 404, 503);
        return app;
    }

    /// <summary>
    /// Reads and checks a job description: JSON shape, values, and that push targets name known providers.
    /// Returns the problem to answer with, or the description.
    /// </summary>
    private static async Task<(JobDescription? Job, ProblemHttpResult? Problem)> ReadJobAsync(
        HttpContext http, ActorSystem system, IRequiredActor<ProviderDirectory> directory, CancellationToken ct)
    {
        // A description may carry a program's module inline (base64): the body may hold that beside the usual 64 KiB.
        var settings = OrchestratorNode.Get(system).Settings;
        var limit = (int)Math.Min(int.MaxValue, Limits.MaxBodyBytes + (settings.InlineModuleLimit + 2) / 3 * 4);
        var (read, problem) = await JsonBodyReader.ReadRequestAsync<JobDescription>(http.Request, limit, ct);
        if (problem is not null) return (null, problem);

        // Ids as the API keeps them (NFC), before they are checked: "o" + U+0308 and "ö" are one id.
        var description = read! with
        {
            JobId = Limits.NormalizeId(read!.JobId),
            TargetProviders = read.TargetProviders.Select(t => Limits.NormalizeId(t)!).ToArray(),
        };
        var errors = JobDescriptionValidator.Validate(description, settings.DefaultOrchestrationType, settings.InlineModuleLimit);
        // An uploaded module must be on this node (where it was uploaded); a WebAssembly one must be valid.
        var sha = description.Execution?.ModuleSha256;
        if (errors.IsEmpty && sha is not null)
        {
            var path = Orchestrator.Execution.ModuleStore.Find(settings, sha);
            if (path is null)
                errors.Add("execution.moduleSha256", $"no module {sha} was uploaded to this node (POST /orchestrator/modules, then post the job to the same node)");
            else if (description.Execution!.Executor == ExecutorType.Wasm &&
                     Orchestrator.Execution.WasmExecutor.Invalid(await File.ReadAllBytesAsync(path, ct)) is { } invalid)
                errors.Add("execution.moduleSha256", "names a module that " + invalid);
        }
        if (errors.IsEmpty && description.TargetProviders.Count > 0)
        {
            var (known, unanswered) = await system.AskAsync<KnownProviders>(directory.ActorRef, ListProviders.Instance, "the provider directory", ct);
            if (unanswered is not null) return (null, unanswered);
            var ids = known!.Providers.Select(p => p.Capability.Id).ToHashSet(StringComparer.Ordinal);
            for (var i = 0; i < description.TargetProviders.Count; i++)
                if (!ids.Contains(description.TargetProviders[i]))
                    errors.Add($"targetProviders[{i}]", $"no provider '{description.TargetProviders[i]}' is known to this node (see GET /orchestrator/providers)");
        }

        return errors.IsEmpty ? (description, null) : (null, Problems.Invalid(errors));
    }

    private static async Task<Results<Ok<PlanResult>, ProblemHttpResult>> Plan(
        HttpContext http, ActorSystem system, IRequiredActor<Planner> planner, IRequiredActor<ProviderDirectory> directory, CancellationToken ct)
    {
        var (description, problem) = await ReadJobAsync(http, system, directory, ct);
        if (problem is not null) return problem;

        var jobId = description!.JobId ?? "plan-" + Guid.CreateVersion7().ToString("N");
        var (reply, unanswered) = await system.AskAsync<IOrchestratorMessage>(planner.ActorRef, new PlanJob(jobId, description), "the planner", ct);
        return reply switch
        {
            null => unanswered!,
            PlanResult result => TypedResults.Ok(result),
            JobRejected rejected => Problems.Invalid(rejected.Errors),
            _ => Problems.Unavailable($"the planner answered {reply.GetType().Name}"),
        };
    }

    private static async Task<Results<Accepted<PostJobResponse>, ProblemHttpResult>> PostJob(
        HttpContext http, ActorSystem system, IRequiredActor<JobRegion> jobs, IRequiredActor<ProviderDirectory> directory, CancellationToken ct)
    {
        var (description, problem) = await ReadJobAsync(http, system, directory, ct);
        if (problem is not null) return problem;

        var jobId = description!.JobId ?? "job-" + Guid.CreateVersion7().ToString("N");
        var requester = "http:" + (http.Connection.RemoteIpAddress?.ToString() ?? "unknown");
        if (await Refusal(system, jobId, ct) is { } refused) return refused;
        // Not ActorAsk: a post that is not answered may still have been taken, which is a different problem (outcome unknown).
        var timeout = ActorAsk.Timeout(system);
        try
        {
            var asked = jobs.ActorRef.Ask<IJobMessage>(new PostJob(jobId, description, requester), timeout, ct);
            if (await UnlessCutOff(asked, system, ct) is not { } reply)
                return Problems.PostOutcomeUnknown(jobId, $"this member was cut off from the cluster's majority while job '{jobId}' was being posted",
                    "This node is cut off from the cluster's majority.");
            return reply switch
            {
                JobAccepted accepted => TypedResults.Accepted($"/orchestrator/jobs/{Uri.EscapeDataString(accepted.JobId)}",
                    new PostJobResponse(accepted.JobId, accepted.State, accepted.Created, accepted.HostedBy)),
                JobConflict conflict => Problems.Conflict(conflict.Detail),
                // A write the journal failed may still have been committed (its acknowledgement lost): not known.
                JobUnavailable unavailable => Problems.PostOutcomeUnknown(jobId, unavailable.Reason, "The journal is unavailable."),
                JobRejected rejected => Problems.Invalid(rejected.Errors),
                _ => Problems.PostOutcomeUnknown(jobId, $"unexpected answer {reply.GetType().Name}"),
            };
        }
        catch (AskTimeoutException)
        {
            return Problems.PostOutcomeUnknown(jobId, $"job '{jobId}' was not confirmed within {timeout.TotalSeconds} s");
        }
    }

    /// <summary>
    /// A post this node cannot see through is refused at once, before anything is written (503 not taken, with
    /// Retry-After), rather than accepted or left to time out: this member is joining and not up yet, it is cut off
    /// from the majority of the members hosting jobs (it is about to be downed, and its jobs will run elsewhere), or
    /// the journal failed recently and its database does not answer now.
    /// </summary>
    private static async Task<ProblemHttpResult?> Refusal(ActorSystem system, string jobId, CancellationToken ct)
    {
        var node = OrchestratorNode.Get(system);
        if (Majority.Joining(system) is { } joining)
            return Problems.PostNotTaken(jobId, joining, "This node is joining the cluster.");
        if (Majority.CutOff(system, node.JobsRole) is { } cutOff)
            return Problems.PostNotTaken(jobId, cutOff, "This node is cut off from the cluster's majority.");
        if (node.Journal.IsSuspect && await JournalHealth.ProblemAsync(node.Persistence, ct) is { } problem)
            return Problems.PostNotTaken(jobId, $"{problem} (last journal failure: {node.Journal.LastProblem})", "The journal is unavailable.");
        return null;
    }

    /// <summary>
    /// The job's answer, or null if this member finds itself cut off from the majority first: a post waiting for a
    /// shard on the other side would otherwise wait out the whole ask timeout, and then the node is downed anyway.
    /// </summary>
    private static async Task<IJobMessage?> UnlessCutOff(Task<IJobMessage> asked, ActorSystem system, CancellationToken ct)
    {
        var jobsRole = OrchestratorNode.Get(system).JobsRole;
        while (!asked.IsCompleted)
        {
            await Task.WhenAny(asked, Task.Delay(CutOffCheck, ct));
            if (!asked.IsCompleted && Majority.CutOff(system, jobsRole) is not null) return null;
        }

        return await asked;
    }

    private static readonly TimeSpan CutOffCheck = TimeSpan.FromMilliseconds(250);

    private static async Task<Results<Ok<JobStatus>, ProblemHttpResult>> GetJob(string jobId, IRequiredActor<JobRegion> jobs, ActorSystem system, CancellationToken ct)
    {
        if (Problems.InvalidJobId(jobId) is { } problem) return problem;
        var (status, unanswered) = await system.JobAsync(jobs.ActorRef, jobId, ct);
        return status is null ? unanswered! : TypedResults.Ok(status);
    }
}

/// <summary>The answer to a post: the job, the state the post created (or found), and the member its actor runs on.</summary>
public sealed record PostJobResponse(string JobId, JobState State, bool Created, string? HostedBy = null);
