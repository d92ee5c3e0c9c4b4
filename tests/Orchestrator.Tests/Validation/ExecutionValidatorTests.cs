using Orchestrator.Execution;
using Orchestrator.Protocol.Model;
using Orchestrator.Validation;
using static Orchestrator.Tests.Fixtures;

namespace Orchestrator.Tests.Validation;

/// <summary>Every rule of a job's execution part: the field it names and the sentence the user reads, exactly.</summary>
public class ExecutionValidatorTests
{
    private const long Limit = 64;
    private static readonly byte[] EmptyModule = Wasmtime.Module.ConvertText("(module)");
    private static readonly string Module = Convert.ToBase64String(EmptyModule);

    private static JobDescription Runs(JobExecution execution, JobRequirements? needs = null) => JobOf(needs) with { Execution = execution };

    private static JobExecution Wasm(string? module = null) => new() { Executor = ExecutorType.Wasm, Module = module ?? Module };

    private static JobExecution Docker => new() { Executor = ExecutorType.Docker };

    private static string[] Problems(JobDescription job) =>
        JobDescriptionValidator.Validate(job, inlineModuleLimit: Limit).ToDictionary().SelectMany(kv => kv.Value.Select(m => $"{kv.Key}: {m}")).ToArray();

    /// <summary>A valid module of exactly this many bytes: the header and one custom section ("x") padded to size.</summary>
    private static string Base64Of(long bytes)
    {
        var size = (int)bytes - 14;
        byte[] leb = [(byte)(size & 0x7f | 0x80), (byte)(size >> 7 & 0x7f | 0x80), (byte)(size >> 14 & 0x7f | 0x80), (byte)(size >> 21 & 0x7f | 0x80), (byte)(size >> 28)];
        return Convert.ToBase64String([.. EmptyModule, 0, .. leb, 1, (byte)'x', .. new byte[size - 2]]);
    }

    private static readonly byte[] Truncated = Wasmtime.Module.ConvertText("(module (func (export \"_start\")))")[..12];

    private static Dictionary<string, string> Env(int count) => Enumerable.Range(0, count).ToDictionary(i => $"V{i}", i => "x");

    public static TheoryData<string, JobDescription, string[]> Invalid => new()
    {
        { "unknown executor", Runs(new JobExecution { Executor = (ExecutorType)9, Module = "!" }),
            ["execution.executor: must be one of docker, firecracker, wasm, simulated"] },
        { "executor not among the required", Runs(Wasm(), Needs(executors: [ExecutorType.Docker, ExecutorType.Firecracker])),
            ["execution.executor: is wasm, which requirements.executors does not list (it lists docker, firecracker)"] },
        { "wasm without a module", Runs(new JobExecution { Executor = ExecutorType.Wasm }),
            ["execution.module: is required for a wasm job: the WebAssembly module's bytes, base64 (or execution.moduleSha256 of an uploaded one)"] },
        { "module not base64", Runs(Wasm("not base64!")), ["execution.module: is not base64"] },
        { "module past the limit, seen before decoding", Runs(Wasm(Base64Of(67))),
            ["execution.module: must be at most 64 bytes decoded (about 85 characters of base64), was about 69"] },
        { "module past the limit, seen decoded", Runs(Wasm(Base64Of(65))), ["execution.module: must be at most 64 bytes decoded, was 65"] },
        { "not a module", Runs(Wasm(Convert.ToBase64String("hello, world"u8))),
            ["execution.module: is not a WebAssembly module (it must start with \\0asm)"] },
        { "a broken module", Runs(Wasm(Convert.ToBase64String(Truncated))), ["execution.module: " + WasmExecutor.Invalid(Truncated)] },
        { "simulated with a module", Runs(new JobExecution { Executor = ExecutorType.Simulated, Module = Module }),
            ["execution.module: must be absent for the simulated executor (its args say what it does)"] },
        { "simulated with an uploaded module", Runs(new JobExecution { Executor = ExecutorType.Simulated, ModuleSha256 = new string('a', 64) }),
            ["execution.module: must be absent for the simulated executor (its args say what it does)"] },
        { "a hash that is not one", Runs(new JobExecution { Executor = ExecutorType.Wasm, ModuleSha256 = new string('A', 64) }),
            ["execution.moduleSha256: must be a sha256 as POST /orchestrator/modules answers it: 64 lowercase hex digits"] },
        { "a short hash", Runs(new JobExecution { Executor = ExecutorType.Wasm, ModuleSha256 = new string('a', 63) }),
            ["execution.moduleSha256: must be a sha256 as POST /orchestrator/modules answers it: 64 lowercase hex digits"] },
        { "a hash with a letter past f", Runs(new JobExecution { Executor = ExecutorType.Wasm, ModuleSha256 = new string('a', 63) + "g" }),
            ["execution.moduleSha256: must be a sha256 as POST /orchestrator/modules answers it: 64 lowercase hex digits"] },
        { "both inline and uploaded", Runs(Wasm() with { ModuleSha256 = new string('0', 64) }),
            ["execution.moduleSha256: must be absent when execution.module carries the module inline (one or the other)"] },
        { "simulated with a bad arg", Runs(new JobExecution { Executor = ExecutorType.Simulated, Args = ["print=x", "dance"] }),
            ["execution.args[1]: 'dance' is not one of sleep-ms=N (0 to 86400000), print=TEXT, stderr=TEXT, write=NAME:TEXT, exit=N"] },
        { "too many args", Runs(Docker with { Args = [.. Enumerable.Repeat("a", 257)] }), ["execution.args: must list at most 256 arguments, listed 257"] },
        { "a long arg", Runs(Docker with { Args = ["a", new string('x', 4097)] }), ["execution.args[1]: must be at most 4096 characters, was 4097"] },
        { "a NUL in an arg", Runs(Docker with { Args = ["a\0b"] }), ["execution.args[0]: must not contain a NUL character"] },
        { "a null arg", Runs(Docker with { Args = [null!] }), ["execution.args[0]: must not be null"] },
        { "too many variables", Runs(Docker with { Env = Env(257) }), ["execution.env: must hold at most 256 variables, held 257"] },
        { "an empty name", Runs(Docker with { Env = new Dictionary<string, string> { [""] = "x" } }),
            ["execution.env: '' is not a variable name (1 to 256 characters, no = or NUL)"] },
        { "a name with =", Runs(Docker with { Env = new Dictionary<string, string> { ["A=B"] = "x" } }),
            ["execution.env: 'A=B' is not a variable name (1 to 256 characters, no = or NUL)"] },
        { "a name with NUL", Runs(Docker with { Env = new Dictionary<string, string> { ["A\0"] = "x" } }),
            ["execution.env: 'A\0' is not a variable name (1 to 256 characters, no = or NUL)"] },
        { "a long name", Runs(Docker with { Env = new Dictionary<string, string> { [new string('N', 257)] = "x" } }),
            [$"execution.env: '{new string('N', 40)}…' is not a variable name (1 to 256 characters, no = or NUL)"] },
        { "a null value", Runs(Docker with { Env = new Dictionary<string, string> { ["A"] = null! } }),
            ["execution.env.A: must not be null (an empty string sets it empty)"] },
        { "a long value", Runs(Docker with { Env = new Dictionary<string, string> { ["A"] = new string('v', 4097) } }),
            ["execution.env.A: must be at most 4096 characters, was 4097"] },
        { "a NUL in a value", Runs(Docker with { Env = new Dictionary<string, string> { ["A"] = "\0" } }),
            ["execution.env.A: must not contain a NUL character"] },
        { "a large stdin", Runs(Docker with { Stdin = new string('é', 524_289) }), ["execution.stdin: must be at most 1048576 bytes (UTF-8), was 1048578"] },
        { "too many outputs", Runs(Docker with { Outputs = [.. Enumerable.Range(0, 65).Select(i => $"f{i}")] }),
            ["execution.outputs: must list at most 64 files, listed 65"] },
        { "an output in a folder", Runs(Docker with { Outputs = ["ok", "a/b"] }),
            ["execution.outputs[1]: must be a file name in the scratch folder (1 to 255 characters, no / or \\, not . or ..)"] },
        { "an output with a backslash", Runs(Docker with { Outputs = ["a\\b"] }),
            ["execution.outputs[0]: must be a file name in the scratch folder (1 to 255 characters, no / or \\, not . or ..)"] },
        { "an output named ..", Runs(Docker with { Outputs = [".."] }),
            ["execution.outputs[0]: must be a file name in the scratch folder (1 to 255 characters, no / or \\, not . or ..)"] },
        { "an output named .", Runs(Docker with { Outputs = ["."] }),
            ["execution.outputs[0]: must be a file name in the scratch folder (1 to 255 characters, no / or \\, not . or ..)"] },
        { "an empty output", Runs(Docker with { Outputs = [""] }),
            ["execution.outputs[0]: must be a file name in the scratch folder (1 to 255 characters, no / or \\, not . or ..)"] },
        { "a NUL in an output", Runs(Docker with { Outputs = ["a\0"] }),
            ["execution.outputs[0]: must be a file name in the scratch folder (1 to 255 characters, no / or \\, not . or ..)"] },
        { "a long output", Runs(Docker with { Outputs = [new string('o', 256)] }),
            ["execution.outputs[0]: must be a file name in the scratch folder (1 to 255 characters, no / or \\, not . or ..)"] },
        { "an output twice", Runs(Docker with { Outputs = ["a", "b", "a"] }), ["execution.outputs: lists a file more than once"] },
        { "timeout 0", Runs(Docker with { TimeoutSeconds = 0 }), ["execution.timeoutSeconds: must be between 1 and 31622400, was 0"] },
        { "timeout past a year", Runs(Docker with { TimeoutSeconds = 31_622_401 }), ["execution.timeoutSeconds: must be between 1 and 31622400, was 31622401"] },
        { "timeout past the contract", Runs(Docker with { TimeoutSeconds = 121 }, Needs() with { DurationMinutes = 2 }),
            ["execution.timeoutSeconds: must be between 1 and the contract's duration (120 s, requirements.durationMinutes), was 121"] },
        { "restart mode", Runs(Docker with { Restart = new RestartPolicy((RestartMode)5, 2) }), ["execution.restart.mode: must be one of never, on-failure"] },
        { "restart attempts 0", Runs(Docker with { Restart = new RestartPolicy(RestartMode.OnFailure, 0) }),
            ["execution.restart.maxAttempts: must be between 1 and 100, was 0"] },
        { "restart attempts 101", Runs(Docker with { Restart = new RestartPolicy(RestartMode.Never, 101) }),
            ["execution.restart.maxAttempts: must be between 1 and 100, was 101"] },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void Names_the_bad_field_and_says_what_is_wrong(string name, JobDescription job, string[] expected)
    {
        Assert.True(Problems(job).SequenceEqual(expected), $"{name}: got [{string.Join(" | ", Problems(job))}]");
    }

    public static TheoryData<string, JobDescription> Sound => new()
    {
        { "a wasm module", Runs(Wasm()) },
        { "an uploaded wasm module", Runs(new JobExecution { Executor = ExecutorType.Wasm, ModuleSha256 = "0123456789abcdef" + new string('9', 48) }) },
        { "a module at the limit", Runs(Wasm(Base64Of(64))) },
        { "its executor among the required", Runs(Wasm(), Needs(executors: [ExecutorType.Docker, ExecutorType.Wasm])) },
        { "a plugged-in executor needs no module", Runs(Docker) },
        { "simulated", Runs(new JobExecution { Executor = ExecutorType.Simulated, Args = ["sleep-ms=10", "print=hi", "exit=0"] }) },
        { "the most args, each at the longest", Runs(Docker with { Args = [.. Enumerable.Repeat(new string('a', 4096), 256)] }) },
        { "the most variables, at the bounds", Runs(Docker with
            {
                Env = new Dictionary<string, string>(Env(255)) { [new string('N', 256)] = new string('v', 4096), ["EMPTY"] = "" }.Take(256).ToDictionary(),
            }) },
        { "the largest stdin", Runs(Docker with { Stdin = new string('é', 524_288) }) },
        { "the most outputs, at the longest name", Runs(Docker with { Outputs = [.. Enumerable.Range(0, 63).Select(i => $"f{i}.txt"), new string('o', 255)] }) },
        { "a timeout of a second", Runs(Docker with { TimeoutSeconds = 1 }) },
        { "a timeout of the contract's duration", Runs(Docker with { TimeoutSeconds = 120 }, Needs() with { DurationMinutes = 2 }) },
        { "a timeout of a year", Runs(Docker with { TimeoutSeconds = 31_622_400 }) },
        { "restart at the bounds", Runs(Docker with { Restart = new RestartPolicy(RestartMode.OnFailure, 100) }) },
        { "restart once", Runs(Docker with { Restart = new RestartPolicy(RestartMode.Never, 1) }) },
    };

    [Theory]
    [MemberData(nameof(Sound))]
    public void Accepts_every_value_inside_the_bounds(string name, JobDescription job)
    {
        Assert.True(Problems(job).Length == 0, $"{name}: got [{string.Join(" | ", Problems(job))}]");
    }

    [Fact]
    public void The_node_default_inline_limit_applies_when_none_is_given()
    {
        var big = Runs(Wasm(Base64Of(ExecutionValidator.DefaultInlineModuleLimit + 1)));
        Assert.Equal(["must be at most 1048576 bytes decoded, was 1048577"], JobDescriptionValidator.Validate(big).ToDictionary()["execution.module"]);
        Assert.True(JobDescriptionValidator.Validate(Runs(Wasm(Base64Of(ExecutionValidator.DefaultInlineModuleLimit)))).IsEmpty);
    }
}
