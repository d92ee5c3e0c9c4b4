using Orchestrator.Execution;
using Orchestrator.Protocol.Model;

namespace Orchestrator.Tests.Execution;

public sealed class SimulatedExecutorTests : IDisposable
{
    private static readonly ExecutionLimits Roomy = new(64L << 20, 1, TimeSpan.FromSeconds(60));
    private readonly string _folder = Directory.CreateTempSubdirectory("orchestrator-sim-test-").FullName;

    private async Task<(ExecutionOutcome, string Stdout, string Stderr)> Run(string[] args, ExecutionLimits? limits = null, CancellationToken cancel = default)
    {
        using var log = new BoundedLog(Path.Combine(_folder, "log"), 1 << 20);
        var outcome = await new SimulatedExecutor().RunAsync(
            new ExecutionRequest("a-1", new JobExecution { Executor = ExecutorType.Simulated, Args = args }, ReadOnlyMemory<byte>.Empty, limits ?? Roomy,
                _folder, log), cancel);
        return (outcome, File.ReadAllText(log.StdoutPath), File.ReadAllText(log.StderrPath));
    }

    [Fact]
    public async Task It_prints_writes_and_exits_as_told_in_order()
    {
        var (outcome, stdout, stderr) = await Run(["print=one", "sleep-ms=10", "stderr=two", "write=out.txt:three", "print=four", "exit=3"]);
        Assert.Equal(new ExecutionOutcome(3, RunFailure.ExitCode, "exited with 3"), outcome);
        Assert.Equal("one\nfour\n", stdout);
        Assert.Equal("two\n", stderr);
        Assert.Equal("three", File.ReadAllText(Path.Combine(_folder, "out.txt")));
        Assert.True((await Run([])).Item1.Succeeded);
    }

    [Fact]
    public async Task It_is_stopped_at_its_duration_or_when_cancelled()
    {
        var (stopped, _, _) = await Run(["sleep-ms=60000"], Roomy with { Duration = TimeSpan.FromMilliseconds(100) });
        Assert.Equal(ExecutionOutcome.Failed(RunFailure.DurationExceeded, "still running after 0.1 s: stopped"), stopped);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        var (cancelled, _, _) = await Run(["sleep-ms=60000"], cancel: cancel.Token);
        Assert.Equal(ExecutionOutcome.Failed(RunFailure.Cancelled, "cancelled while sleeping"), cancelled);
    }

    [Theory]
    [InlineData("sleep-ms=-1")]
    [InlineData("sleep-ms=86400001")]
    [InlineData("sleep-ms=x")]
    [InlineData("exit=two")]
    [InlineData("write=nocolon")]
    [InlineData("write=:empty-name")]
    [InlineData("dance")]
    public async Task An_argument_it_does_not_understand_is_named(string arg)
    {
        var expected = $"args[1]: '{arg}' is not one of sleep-ms=N (0 to 86400000), print=TEXT, stderr=TEXT, write=NAME:TEXT, exit=N";
        Assert.Equal(expected, SimulatedExecutor.Invalid(["print=ok", arg]));
        var (outcome, stdout, _) = await Run(["print=ok", arg]);
        Assert.Equal(ExecutionOutcome.Failed(RunFailure.ExecutorError, expected), outcome);
        Assert.Equal("", stdout);
    }

    [Fact]
    public void Every_verb_it_documents_is_understood()
    {
        Assert.Null(SimulatedExecutor.Invalid(["sleep-ms=0", "sleep-ms=86400000", "exit=-1", "exit=0", "print=", "stderr=x=y", "write=a:b"]));
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
