using System.Text.Json.Nodes;
using Orchestrator.Execution;
using Orchestrator.Protocol.Model;
using Orchestrator.Testing;

namespace Orchestrator.Tests.Execution;

/// <summary>
/// The example job that runs a program (examples/job-wasm-primes.json, used by the README's walk-through) carries the
/// module compiled from examples/wasm/primes.wat: the text is the source, the job file never drifts from it.
/// <c>ORCHESTRATOR_WRITE_EXAMPLES=1 dotnet test --filter ExampleProgramsTests</c> writes it again after a change.
/// </summary>
public sealed class ExampleProgramsTests
{
    private const string JobFile = "examples/job-wasm-primes.json";

    [Fact]
    public async Task The_example_job_runs_the_primes_program_compiled_from_its_text()
    {
        var module = Convert.ToBase64String(WasmExecutorTests.Program("primes"));
        var path = Path.Combine(Repository.Root, JobFile);
        if (Environment.GetEnvironmentVariable("ORCHESTRATOR_WRITE_EXAMPLES") == "1")
        {
            var job = new JsonObject
            {
                ["jobId"] = "walk-primes",
                ["requirements"] = new JsonObject
                {
                    ["resources"] = new JsonObject { ["cpuCores"] = 1, ["ramMb"] = 64, ["diskGb"] = 1 },
                    ["maxPricePerHour"] = 0.5,
                },
                ["execution"] = new JsonObject
                {
                    ["executor"] = "wasm",
                    ["module"] = module,
                    ["args"] = new JsonArray("50"),
                    ["timeoutSeconds"] = 30,
                },
            };
            await File.WriteAllTextAsync(path, job.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }) + "\n");
        }

        var written = JsonNode.Parse(await File.ReadAllTextAsync(path))!;
        Assert.Equal(module, written["execution"]!["module"]!.GetValue<string>());

        // And it runs as the walk-through says it prints.
        using var executor = new WasmExecutor();
        var folder = Directory.CreateTempSubdirectory("orchestrator-example-").FullName;
        try
        {
            using var log = new BoundedLog(folder, 1 << 16);
            var outcome = await executor.RunAsync(new ExecutionRequest("example", new JobExecution { Executor = ExecutorType.Wasm, Args = ["50"] },
                Convert.FromBase64String(module), new ExecutionLimits(64L << 20, 1, TimeSpan.FromSeconds(30)), folder, log), CancellationToken.None);
            Assert.True(outcome.Succeeded, outcome.Detail);
            Assert.Equal("2\n3\n5\n7\n11\n13\n17\n19\n23\n29\n31\n37\n41\n43\n47\n", await File.ReadAllTextAsync(log.StdoutPath));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
