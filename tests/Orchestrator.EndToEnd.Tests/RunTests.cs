using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Orchestrator.EndToEnd.Tests.Infrastructure;
using Orchestrator.Testing;
using Xunit.Abstractions;

namespace Orchestrator.EndToEnd.Tests;

/// <summary>
/// Running what was contracted, against the real executable: WebAssembly programs (built here from the text in
/// examples/wasm) posted with their module, run by a provider through Wasmtime, their output read back over HTTP.
/// </summary>
public sealed class RunTests(ITestOutputHelper output) : IAsyncLifetime
{
    internal const string Providers = """
        [
          {"id":"cp-run","resources":{"cpuCores":4,"ramMb":2048,"diskGb":10},"executors":["wasm","simulated"],"pricePerHour":1.0},
          {"id":"cp-reserve","resources":{"cpuCores":4,"ramMb":2048,"diskGb":10},"executors":["docker"],"pricePerHour":2.0}
        ]
        """;

    private NodeProcess _node = null!;

    public async Task InitializeAsync() =>
        _node = await NodeProcess.StartAsync(NodeSetup.Create(Providers, "orchestrator.execution { heartbeat = 300ms, lostAfter = 3s, restart.mode = never }"));

    public async Task DisposeAsync() => await _node.DisposeAsync();

    internal static string Module(string program) => Convert.ToBase64String(Wasmtime.Module.ConvertText(Repository.Read($"examples/wasm/{program}.wat")));

    internal static string RunJob(string id, JsonObject execution, int ramMb = 256) => new JsonObject
    {
        ["jobId"] = id,
        ["requirements"] = new JsonObject { ["resources"] = new JsonObject { ["cpuCores"] = 1, ["ramMb"] = ramMb, ["diskGb"] = 1 } },
        ["execution"] = execution,
    }.ToJsonString();

    internal static JsonObject Wasm(string program, params string[] args) =>
        new() { ["executor"] = "wasm", ["module"] = Module(program), ["args"] = new JsonArray(args.Select(a => (JsonNode)a!).ToArray()) };

    internal static JsonObject Simulated(params string[] args) =>
        new() { ["executor"] = "simulated", ["args"] = new JsonArray(args.Select(a => (JsonNode)a!).ToArray()) };

    private async Task<string> Text(string path)
    {
        using var response = await _node.Http.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {path}: {(int)response.StatusCode} {body}");
        return body;
    }

    private async Task<JsonObject> Json(string path) => JsonNode.Parse(await Text(path))!.AsObject();

    private async Task AwaitProviderFree(string providerId) => await Poll.UntilAsync(async () =>
    {
        var provider = (await _node.Http.GetProvidersAsync()).Single(p => p!["capability"]!["id"]!.GetValue<string>() == providerId)!;
        Assert.Empty(provider["contracts"]!.AsArray());
        Assert.Equal(4, provider["free"]!["cpuCores"]!.GetValue<int>());
    }, TimeSpan.FromSeconds(10));

    [Fact]
    public async Task A_webassembly_program_runs_and_its_output_and_exit_code_come_back()
    {
        await _node.Http.PostJobOkAsync(RunJob("primes-30", Wasm("primes", "30")));
        var job = await _node.Http.AwaitTerminalAsync("primes-30");
        Assert.Equal("Completed", job.State());
        Assert.Equal(["Posted", "Searching", "Matched", "Requested", "Contracted", "Running", "Completed"], job.HistoryStates().Distinct());

        var result = await Json("/orchestrator/jobs/primes-30/result");
        Assert.True(result["final"]!.GetValue<bool>());
        Assert.Equal(0, result["run"]!["outcome"]!["exitCode"]!.GetValue<int>());
        Assert.Null(result["run"]!["outcome"]!["failure"]);
        Assert.Equal("cp-run", result["run"]!["providerId"]!.GetValue<string>());
        Assert.Equal("2\n3\n5\n7\n11\n13\n17\n19\n23\n29\n", await Text("/orchestrator/jobs/primes-30/logs"));
        Assert.Equal("", await Text("/orchestrator/jobs/primes-30/logs?stream=stderr"));
        Assert.Equal("5\n7\n11\n13\n17\n19\n23\n29\n", await Text("/orchestrator/jobs/primes-30/logs?offset=4"));
        // The contract ended with the run: the provider is free at once, not at the end of its hour.
        await AwaitProviderFree("cp-run");
    }

    [Fact]
    public async Task A_program_that_traps_fails_naming_the_trap()
    {
        await _node.Http.PostJobOkAsync(RunJob("traps", Wasm("trap")));
        var job = await _node.Http.AwaitTerminalAsync("traps");
        Assert.Equal("Failed", job.State());
        Assert.Equal("executor-error", job["failure"]!["reason"]!.GetValue<string>());
        Assert.Contains("trap: integer-division-by-zero", job["failure"]!["message"]!.GetValue<string>());
        Assert.Equal("executor-error", (await Json("/orchestrator/jobs/traps/result"))["run"]!["outcome"]!["failure"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_endless_loop_is_stopped_at_its_timeout_and_the_capacity_is_free_again_at_once()
    {
        var spin = Wasm("spin");
        spin["timeoutSeconds"] = 2;
        await _node.Http.PostJobOkAsync(RunJob("spins", spin));
        var job = await _node.Http.AwaitTerminalAsync("spins", TimeSpan.FromSeconds(60));
        Assert.Equal("Failed", job.State());
        Assert.Equal("duration-exceeded", job["failure"]!["reason"]!.GetValue<string>());
        await AwaitProviderFree("cp-run");
    }

    [Fact]
    public async Task A_program_that_grows_past_the_contracts_ram_fails_with_memory_limit()
    {
        await _node.Http.PostJobOkAsync(RunJob("hungry", Wasm("hungry"), ramMb: 16));
        var job = await _node.Http.AwaitTerminalAsync("hungry");
        Assert.Equal("Failed", job.State());
        Assert.Equal("memory-limit", job["failure"]!["reason"]!.GetValue<string>());
        Assert.Contains("16 MiB", job["failure"]!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_running_job_is_followed_live_and_cancelled_and_a_finished_one_says_there_is_nothing_to_cancel()
    {
        await _node.Http.PostJobOkAsync(RunJob("sleeper", Simulated("print=started", "sleep-ms=60000", "print=never")));
        await Poll.UntilAsync(async () => Assert.Equal("Running", (await _node.Http.GetJobAsync("sleeper")).State()), TimeSpan.FromSeconds(30));

        // Following: what it printed so far comes at once, and the response stays open while it runs.
        using var follow = await _node.Http.GetAsync("/orchestrator/jobs/sleeper/logs?follow=true", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, follow.StatusCode);
        var stream = await follow.Content.ReadAsStreamAsync();
        var buffer = new byte[64];
        var read = await stream.ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("started\n", Encoding.UTF8.GetString(buffer, 0, read));

        using var cancelled = await _node.Http.PostAsync("/orchestrator/jobs/sleeper/cancel", null);
        Assert.Equal(HttpStatusCode.OK, cancelled.StatusCode);
        var job = JsonNode.Parse(await cancelled.Content.ReadAsStringAsync())!.AsObject();
        Assert.Equal("Cancelled", job.State());
        // The follow ends once the stopped program's end is written.
        Assert.Equal(0, await stream.ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(15)));
        await AwaitProviderFree("cp-run");

        using var again = await _node.Http.PostAsync("/orchestrator/jobs/sleeper/cancel", null);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Contains("is Cancelled already", await again.Content.ReadAsStringAsync());

        await _node.Http.PostJobOkAsync(RunJob("quick", Simulated("print=done")));
        Assert.Equal("Completed", (await _node.Http.AwaitTerminalAsync("quick")).State());
        using var late = await _node.Http.PostAsync("/orchestrator/jobs/quick/cancel", null);
        Assert.Equal(HttpStatusCode.Conflict, late.StatusCode);
        Assert.Contains("is Completed already", await late.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Outputs_the_program_leaves_are_kept_and_served_with_their_hash()
    {
        var echo = Wasm("echo");
        echo["stdin"] = "kept for later";
        echo["outputs"] = new JsonArray("echo.txt");
        await _node.Http.PostJobOkAsync(RunJob("echoes", echo));
        Assert.Equal("Completed", (await _node.Http.AwaitTerminalAsync("echoes")).State());

        var result = await Json("/orchestrator/jobs/echoes/result");
        var kept = result["run"]!["outcome"]!["outputs"]!.AsArray().Single()!;
        Assert.Equal(("echo.txt", 14), (kept["name"]!.GetValue<string>(), kept["bytes"]!.GetValue<int>()));
        Assert.Equal("/orchestrator/jobs/echoes/outputs/echo.txt", result["outputs"]![0]!.GetValue<string>());
        using var file = await _node.Http.GetAsync("/orchestrator/jobs/echoes/outputs/echo.txt");
        var bytes = await file.Content.ReadAsByteArrayAsync();
        Assert.Equal("kept for later", Encoding.UTF8.GetString(bytes));
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes)), kept["sha256"]!.GetValue<string>());
        Assert.Equal(kept["sha256"]!.GetValue<string>(), file.Headers.GetValues("X-Content-SHA256").Single());

        using var missing = await _node.Http.GetAsync("/orchestrator/jobs/echoes/outputs/other.txt");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Contains("kept no output 'other.txt' (it kept: echo.txt)", await missing.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_reservation_runs_nothing_and_says_so()
    {
        await _node.Http.PostJobOkAsync("""{"jobId":"reserved","requirements":{"resources":{"cpuCores":1,"ramMb":256,"diskGb":1},"executors":["docker"]}}""");
        var job = await _node.Http.AwaitTerminalAsync("reserved");
        Assert.Equal("Contracted", job.State());
        Assert.True(job["final"]!.GetValue<bool>());
        using var logs = await _node.Http.GetAsync("/orchestrator/jobs/reserved/logs");
        Assert.Equal(HttpStatusCode.Conflict, logs.StatusCode);
        Assert.Contains("is a reservation: it runs no program", await logs.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("""{"executor":"wasm","module":"not base64!"}""", "execution.module", "is not base64")]
    [InlineData("""{"executor":"wasm"}""", "execution.module", "is required for a wasm job")]
    [InlineData("""{"executor":"wasm","module":"aGVsbG8gd29ybGQ="}""", "execution.module", "is not a WebAssembly module")]
    [InlineData("""{"executor":"teleport"}""", "execution.executor", "")]
    [InlineData("""{"executor":"simulated","args":["dance"]}""", "execution.args[0]", "'dance' is not one of")]
    [InlineData("""{"executor":"simulated","timeoutSeconds":0}""", "execution.timeoutSeconds", "must be between 1 and")]
    [InlineData("""{"executor":"simulated","outputs":["../etc/passwd"]}""", "execution.outputs[0]", "must be a file name in the scratch folder")]
    [InlineData("""{"executor":"simulated","restart":{"mode":"always","maxAttempts":2}}""", "execution.restart.mode", "")]
    public async Task A_bad_execution_part_is_refused_naming_the_field_and_nothing_is_posted(string execution, string field, string saying)
    {
        var body = """{"jobId":"bad-run","requirements":{"resources":{"cpuCores":1,"ramMb":256,"diskGb":1}},"execution":""" + execution + "}";
        using var response = await _node.Http.PostJobAsync(body);
        var problem = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, problem);
        var errors = JsonNode.Parse(problem)!["errors"]!.AsObject();
        Assert.True(errors.ContainsKey(field), problem);
        Assert.Contains(saying, errors[field]![0]!.GetValue<string>());
        using var absent = await _node.Http.GetAsync("/orchestrator/jobs/bad-run");
        Assert.Equal(HttpStatusCode.NotFound, absent.StatusCode);
    }

    [Fact]
    public async Task A_program_needing_an_executor_no_provider_registered_is_declined_with_its_own_reason()
    {
        // cp-reserve declares docker only; cp-run has no docker executor registered on its node (nor declares it): nobody can run a docker program.
        var job = JsonNode.Parse(RunJob("needs-docker", new JsonObject { ["executor"] = "docker" }))!.AsObject();
        job["deadlineSeconds"] = 8;
        await _node.Http.PostJobOkAsync(job.ToJsonString());
        var failed = await _node.Http.AwaitTerminalAsync("needs-docker", TimeSpan.FromSeconds(60));
        Assert.Equal("Failed", failed.State());
        var declines = failed["declines"]!.AsArray().Select(d => (d!["providerId"]!.GetValue<string>(), d["reason"]!.GetValue<string>())).Distinct().ToArray();
        Assert.Contains(("cp-reserve", "executor-not-registered"), declines);
        output.WriteLine(failed["failure"]!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_module_too_big_to_inline_is_uploaded_once_and_named_by_its_hash()
    {
        var bytes = Wasmtime.Module.ConvertText(Repository.Read("examples/wasm/primes.wat"));
        using var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/wasm");
        using var uploaded = await _node.Http.PostAsync("/orchestrator/modules", content);
        Assert.Equal(HttpStatusCode.Created, uploaded.StatusCode);
        var module = JsonNode.Parse(await uploaded.Content.ReadAsStringAsync())!;
        var sha = module["sha256"]!.GetValue<string>();
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes)), sha);
        Assert.Equal(bytes.Length, module["bytes"]!.GetValue<int>());
        Assert.Equal($"/orchestrator/modules/{sha}", uploaded.Headers.Location!.ToString());
        Assert.Equal(bytes, await _node.Http.GetByteArrayAsync($"/orchestrator/modules/{sha}"));

        await _node.Http.PostJobOkAsync(RunJob("uploaded", new JsonObject { ["executor"] = "wasm", ["moduleSha256"] = sha, ["args"] = new JsonArray("12") }));
        Assert.Equal("Completed", (await _node.Http.AwaitTerminalAsync("uploaded")).State());
        Assert.Equal("2\n3\n5\n7\n11\n", await Text("/orchestrator/jobs/uploaded/logs"));

        // A hash nobody uploaded here is refused naming the field; so is an upload that is not one.
        using var unknown = await _node.Http.PostJobAsync(RunJob("unknown-module", new JsonObject { ["executor"] = "wasm", ["moduleSha256"] = new string('0', 64) }));
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Contains("no module 0000", await unknown.Content.ReadAsStringAsync());
        using var text = await _node.Http.PostAsync("/orchestrator/modules", new StringContent("hello"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, text.StatusCode);
        using var missing = await _node.Http.GetAsync($"/orchestrator/modules/{new string('1', 64)}");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }
}
