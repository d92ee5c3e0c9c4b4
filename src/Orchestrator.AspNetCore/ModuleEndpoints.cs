using Akka.Actor;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Execution;
using Orchestrator.Hosting;

namespace Orchestrator.Api;

/// <summary>
/// Content-addressed modules: a program too big to send inline in a job description is uploaded once, and jobs name it by
/// its sha256 (<c>execution.moduleSha256</c>). Kept on the node it was uploaded to; a provider's node fetches it from there.
/// </summary>
public static class ModuleEndpoints
{
    /// <summary>The largest module an upload takes.</summary>
    public const long MaxModuleBytes = 64L << 20;

    public static IEndpointRouteBuilder MapModuleEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/orchestrator/modules", Upload).WithName("UploadModule")
            .WithSummary("Upload a module (the raw bytes, application/wasm or application/octet-stream, at most 64 MiB): answers its sha256, " +
                         "which a job names as execution.moduleSha256. Uploading the same bytes again changes nothing.")
            .WithBody<byte[]>("application/wasm", "application/octet-stream")
            .Produces<ModuleUploaded>(StatusCodes.Status201Created)
            .ProducesProblems(400, 413, 415);
        app.MapGet("/orchestrator/modules/{sha256}", Download).WithName("GetModule")
            .WithSummary("An uploaded module's bytes, if this node holds it.")
            .Produces<byte[]>(StatusCodes.Status200OK, "application/octet-stream")
            .ProducesProblems(400, 404);
        return app;
    }

    private static async Task<Results<Created<ModuleUploaded>, ProblemHttpResult>> Upload(HttpContext http, ActorSystem system, CancellationToken ct)
    {
        if (!MediaTypes.Accepts(http.Request.ContentType, "application/wasm", "application/octet-stream")) return Problems.UnsupportedMediaType(http.Request.ContentType, "application/wasm", "application/octet-stream");
        if (http.Request.ContentLength > MaxModuleBytes) return Problems.TooLarge((int)MaxModuleBytes);
        var settings = OrchestratorNode.Get(system).Settings;
        var kept = await ModuleStore.PutAsync(settings, http.Request.Body, MaxModuleBytes, ct);
        if (kept is not { } module) return Problems.TooLarge((int)MaxModuleBytes);
        if (module.Bytes == 0) return Problems.Invalid(new Dictionary<string, string[]> { ["body"] = ["is empty: the module's bytes are expected"] });
        return TypedResults.Created($"/orchestrator/modules/{module.Sha256}", new ModuleUploaded(module.Sha256, module.Bytes));
    }

    private static Results<PhysicalFileHttpResult, ProblemHttpResult> Download(string sha256, ActorSystem system)
    {
        if (!ModuleStore.IsHash(sha256))
            return Problems.Invalid(new Dictionary<string, string[]> { ["sha256"] = ["must be 64 lowercase hex digits"] });
        var path = ModuleStore.Find(OrchestratorNode.Get(system).Settings, sha256);
        return path is null ? Problems.NotFound($"this node holds no module {sha256}") : TypedResults.PhysicalFile(path, "application/octet-stream");
    }
}

/// <summary>An uploaded module: how jobs name it, and its size.</summary>
public sealed record ModuleUploaded(string Sha256, long Bytes);
