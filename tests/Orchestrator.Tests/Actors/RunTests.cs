using Akka.Actor;
using Orchestrator.Configuration;
using Orchestrator.Providers;
using Orchestrator.Protocol.Messages;
using Orchestrator.Protocol.Model;
using Orchestrator.Tests.Execution;
using Xunit.Abstractions;
using static Orchestrator.Tests.Fixtures;

namespace Orchestrator.Tests.Actors;

/// <summary>
/// A contracted job's run, between a real job actor and real providers with their allocations and executors (WebAssembly
/// through Wasmtime, and the simulated one): started, reported, ended, retried, cancelled, lost.
/// </summary>
public sealed class RunTests(ITestOutputHelper output) : ActorTestBase(output), IDisposable
{
    private readonly string _runs = System.IO.Directory.CreateTempSubdirectory("orchestrator-runs-test-").FullName;

    private OrchestratorSettings RunSettings() => Settings() with
    {
        ExecutionDirectory = _runs,
        ExecutionHeartbeat = TimeSpan.FromMilliseconds(200),
        ExecutionLostAfter = TimeSpan.FromSeconds(2),
        DefaultRestart = new RestartPolicy(RestartMode.Never, 1),
    };

    private static ProviderCapability Runner(string id) => Provider(id, executors: [ExecutorType.Wasm, ExecutorType.Simulated]);

    internal static JobExecution Wasm(string program, params string[] args) =>
        new() { Executor = ExecutorType.Wasm, Module = Convert.ToBase64String(WasmExecutorTests.Program(program)), Args = args };

    internal static JobExecution Simulated(params string[] args) => new() { Executor = ExecutorType.Simulated, Args = args };

    private IActorRef Post(string jobId, OrchestratorSettings settings, JobExecution execution, params string[] providers)
    {
        Directory.Tell(ListProviders.Instance, TestActor);
        ExpectMsg<KnownProviders>();
        var job = StartJob(jobId, settings, Approve(settings, providers));
        job.Tell(new PostJob(jobId, JobOf() with { Execution = execution }, "test"), TestActor);
        Assert.True(ExpectMsg<JobAccepted>().Created);
        return job;
    }

    private void AwaitFree(IActorRef provider) => AwaitAssert(() =>
    {
        var status = StatusOfProvider(provider);
        Assert.Empty(status.Contracts);
        Assert.Empty(status.Locks);
    }, TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(50));

    [Fact]
    public void A_webassembly_program_runs_to_completion_and_the_provider_is_free_at_once()
    {
        var settings = RunSettings();
        var provider = RealProvider(Runner("cp-wasm"), settings);
        var job = Post("job-primes", settings, Wasm("primes", "20"), "cp-wasm");

        var done = AwaitState(job, JobState.Completed);
        var run = Assert.Single(done.Runs);
        Assert.Equal((1, 0, (RunFailure?)null), (run.Run, run.Outcome!.ExitCode, run.Outcome.Failure));
        Assert.Equal("2\n3\n5\n7\n11\n13\n17\n19\n".Length, run.Outcome.StdoutBytes);
        Assert.Equal("cp-wasm", run.ProviderId);
        Assert.Equal(done.Contract!.ContractId, run.ContractId);
        Assert.Null(done.CurrentRun);
        Assert.True(done.Final);
        Assert.Equal([JobState.Contracted, JobState.Running, JobState.Completed], done.History.Select(h => h.State).SkipWhile(s => s != JobState.Contracted));
        Assert.Equal("2\n3\n5\n7\n11\n13\n17\n19\n", File.ReadAllText(Path.Combine(_runs, run.ContractId.Replace('@', '_'), "stdout")));
        // The contract ended with the run, long before its hour was up.
        AwaitFree(provider);
    }

    [Fact]
    public void A_trap_fails_the_job_naming_it_and_frees_the_provider()
    {
        var settings = RunSettings();
        var provider = RealProvider(Runner("cp-trap"), settings);
        var job = Post("job-trap", settings, Wasm("trap"), "cp-trap");

        var failed = AwaitState(job, JobState.Failed);
        Assert.Equal(FailureReason.ExecutorError, failed.Failure!.Reason);
        Assert.Contains("trap: integer-division-by-zero", failed.Failure.Message);
        Assert.StartsWith("run 1 on cp-trap failed (executor-error)", failed.Failure.Message);
        AwaitFree(provider);
    }

    [Fact]
    public void An_endless_program_is_stopped_at_its_timeout()
    {
        var settings = RunSettings();
        var provider = RealProvider(Runner("cp-spin"), settings);
        var job = Post("job-spin", settings, Wasm("spin") with { TimeoutSeconds = 1 }, "cp-spin");

        AwaitState(job, JobState.Running);
        var failed = AwaitState(job, JobState.Failed);
        Assert.Equal(FailureReason.DurationExceeded, failed.Failure!.Reason);
        AwaitFree(provider);
    }

    [Fact]
    public void A_program_past_the_contracts_ram_fails_with_memory_limit()
    {
        var settings = RunSettings();
        RealProvider(Runner("cp-ram"), settings);
        Directory.Tell(ListProviders.Instance, TestActor);
        ExpectMsg<KnownProviders>();
        var job = StartJob("job-hungry", settings, Approve(settings, "cp-ram"));
        job.Tell(new PostJob("job-hungry", JobOf(Needs(ramMb: 8)) with { Execution = Wasm("hungry") }, "test"), TestActor);
        ExpectMsg<JobAccepted>();

        var failed = AwaitState(job, JobState.Failed);
        Assert.Equal(FailureReason.MemoryLimit, failed.Failure!.Reason);
        Assert.Contains("the contract's 8 MiB", failed.Failure.Message);
    }

    [Fact]
    public void A_failed_run_is_tried_again_on_another_provider_until_the_policy_says_stop()
    {
        var settings = RunSettings();
        var first = RealProvider(Runner("cp-one"), settings);
        var second = RealProvider(Runner("cp-two"), settings);
        var third = RealProvider(Runner("cp-three"), settings);
        var execution = Simulated("print=trying", "exit=3") with { Restart = new RestartPolicy(RestartMode.OnFailure, 2) };
        var job = Post("job-retried", settings, execution, "cp-one", "cp-two", "cp-three");

        var failed = AwaitState(job, JobState.Failed);
        Assert.Equal(FailureReason.ExitCode, failed.Failure!.Reason);
        Assert.Equal(2, failed.Runs.Count);
        Assert.Equal([1, 2], failed.Runs.Select(r => r.Run));
        Assert.All(failed.Runs, r => Assert.Equal(3, r.Outcome!.ExitCode));
        // Each run on its own contract, with a provider that had not failed the job before.
        Assert.Equal(2, failed.Runs.Select(r => r.ProviderId).Distinct().Count());
        Assert.Equal(2, failed.Runs.Select(r => r.ContractId).Distinct().Count());
        Assert.Contains(failed.History, h => h.State == JobState.Searching && h.Note!.Contains("searching again without it"));
        AwaitFree(first);
        AwaitFree(second);
        AwaitFree(third);
    }

    [Fact]
    public void A_run_lost_with_its_provider_completes_on_another()
    {
        var settings = RunSettings() with { DefaultRestart = new RestartPolicy(RestartMode.OnFailure, 3) };
        var providers = new Dictionary<string, IActorRef>
        {
            ["cp-left"] = RealProvider(Runner("cp-left"), settings),
            ["cp-right"] = RealProvider(Runner("cp-right"), settings),
        };
        var job = Post("job-moves", settings, Simulated("sleep-ms=1500", "print=done"), "cp-left", "cp-right");
        var running = AwaitState(job, JobState.Running);
        var lost = running.CurrentRun!.ProviderId;
        Sys.Stop(providers[lost]);

        var done = AwaitState(job, JobState.Completed, TimeSpan.FromSeconds(30));
        Assert.Equal(2, done.Runs.Count);
        Assert.Equal((lost, RunFailure.ProviderLost), (done.Runs[0].ProviderId, done.Runs[0].Outcome!.Failure));
        Assert.NotEqual(lost, done.Runs[1].ProviderId);
        Assert.True(done.Runs[1].Outcome!.Succeeded);
        Assert.Equal(done.Contract!.ContractId, done.Runs[1].ContractId);
        AwaitFree(providers[done.Runs[1].ProviderId]);
    }

    [Fact]
    public void Cancelling_a_running_job_stops_its_program_and_frees_the_provider()
    {
        var settings = RunSettings();
        var provider = RealProvider(Runner("cp-cancel"), settings);
        var job = Post("job-cancel-run", settings, Simulated("print=started", "sleep-ms=60000"), "cp-cancel");
        AwaitState(job, JobState.Running);

        job.Tell(new CancelJob("job-cancel-run", "not needed any more"), TestActor);
        ExpectMsg<JobCancelled>();
        var cancelled = StatusOf(job);
        Assert.Equal(JobState.Cancelled, cancelled.State);
        Assert.Equal(RunFailure.Cancelled, Assert.Single(cancelled.Runs).Outcome!.Failure);
        AwaitFree(provider);

        // Cancelling it again is a clear no.
        job.Tell(new CancelJob("job-cancel-run", "again"), TestActor);
        Assert.Equal(JobState.Cancelled, ExpectMsg<JobNotCancellable>().State);
    }

    [Fact]
    public void A_completed_job_cannot_be_cancelled()
    {
        var settings = RunSettings();
        RealProvider(Runner("cp-quick"), settings);
        var job = Post("job-quick", settings, Simulated("print=done"), "cp-quick");
        AwaitState(job, JobState.Completed);
        job.Tell(new CancelJob("job-quick", "too late"), TestActor);
        var refused = ExpectMsg<JobNotCancellable>();
        Assert.Equal(JobState.Completed, refused.State);
    }

    [Fact]
    public void A_provider_that_goes_silent_while_running_fails_the_run_as_provider_lost()
    {
        var settings = RunSettings();
        var provider = RealProvider(Runner("cp-vanishing"), settings);
        var job = Post("job-lost", settings, Simulated("sleep-ms=60000"), "cp-vanishing");
        AwaitState(job, JobState.Running);

        Sys.Stop(provider);
        var failed = AwaitState(job, JobState.Failed);
        Assert.Equal(FailureReason.ProviderLost, failed.Failure!.Reason);
        Assert.Contains("no word from provider cp-vanishing", failed.Failure.Message);
    }

    [Fact]
    public void A_reservation_keeps_its_meaning_contracted_is_where_it_ends()
    {
        var settings = RunSettings();
        var provider = RealProvider(Runner("cp-reserve"), settings);
        var job = PostJob("job-reserve", settings, Approve(settings, "cp-reserve"));
        var status = AwaitState(job, JobState.Contracted);
        Assert.True(status.Final);
        Assert.Empty(status.Runs);
        Assert.Single(StatusOfProvider(provider).Contracts);
    }

    public new void Dispose()
    {
        base.Dispose();
        try
        {
            System.IO.Directory.Delete(_runs, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
