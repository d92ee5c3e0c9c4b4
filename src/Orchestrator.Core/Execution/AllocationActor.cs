using System.Security.Cryptography;
using System.Text.Json;
using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using Orchestrator.Configuration;
using Orchestrator.Protocol.Events;
using Orchestrator.Protocol.Messages;
using Orchestrator.Protocol.Model;
using Orchestrator.Trust;

namespace Orchestrator.Execution;

/// <summary>
/// One contract's run on its provider's node (NuNet's Allocation actor): persistent, named after the contract, a child of
/// its provider. It prepares the run (the module decoded, a scratch folder of its own), starts the executor within the
/// contract's limits, reports every change to the job and its latest report again every heartbeat (delivered at least
/// once: the job applies each sequence number once and acknowledges), and when the run ends writes how, tells its
/// provider (which ends the contract and frees the resources at once) and re-sends the last report until acknowledged.
/// After its node restarts it cannot resume a program (a WebAssembly instance's state is gone): a run that was going on
/// ends <see cref="RunFailure.Interrupted"/>, and a run that had ended reports its end again.
/// </summary>
public sealed class AllocationActor : ReceivePersistentActor, IWithTimers
{
    /// <summary>Allocation → its provider: the run ended (after it was written); the contract can end.</summary>
    public sealed record Finished(string JobId, string ContractId, UsageReceipt? Receipt = null, Proof? ReceiptProof = null);

    private sealed record Heartbeat
    {
        public static readonly Heartbeat Instance = new();
    }

    private sealed record RunDone(ExecutionOutcome Outcome);

    private readonly ParticipantTrust? _trust;

    // What the executor measured of the run (set when it ends; zero for a run that never started or was interrupted).
    private ExecutionOutcome? _measured;

    private readonly string _providerId;
    private readonly Contract _contract;
    private readonly StartAllocation? _start;
    private readonly ExecutorRegistry _executors;
    private readonly OrchestratorSettings _settings;
    private readonly IActorRef _reportTo;
    private readonly string _folder;
    private readonly string _node;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly CancellationTokenSource _cancel = new();
    private IExecutor? _executor;
    private AllocationStarted? _started;
    private AllocationEnded? _ended;
    private AllocationReport? _latest;
    private long _seq;

    /// <param name="start">The job's request, when this is a new run; null when brought back after a restart.</param>
    /// <param name="reportTo">Where the job is reached (the job shard region; the requester in tests without one).</param>
    public AllocationActor(string providerId, Contract contract, StartAllocation? start, ExecutorRegistry executors, OrchestratorSettings settings,
        IActorRef reportTo, ParticipantTrust? trust = null)
    {
        _trust = trust;
        _providerId = providerId;
        _contract = contract;
        _start = start;
        _executors = executors;
        _settings = settings;
        _reportTo = reportTo;
        _folder = RunFolder(settings, contract.ContractId);
        _node = Context.System is ExtendedActorSystem system ? system.Provider.DefaultAddress.ToString() : "";
        PersistenceId = "allocation-" + contract.ContractId;

        Recover<AllocationStarted>(e => _started = e);
        Recover<AllocationEnded>(e => _ended = e);
        Recover<RecoveryCompleted>(_ => Resume());

        Command<RunDone>(done =>
        {
            _measured = done.Outcome;
            End(Outcome(done.Outcome));
        });
        // An uploaded module, fetched: the run starts; not to be had: it ends before it started.
        Command<ModuleReady>(ready => Begin(_executor!, ready.Bytes));
        Command<ModuleMissing>(missing =>
            End(Run.Failed(RunFailure.ExecutorError, $"module {_start?.Execution.ModuleSha256} could not be had: {missing.Detail}")));
        Command<Heartbeat>(_ =>
        {
            if (_latest is not null) _reportTo.Tell(_latest with { At = _latest.State == AllocationState.Ended ? _latest.At : _clock.Now });
        });
        Command<AllocationReportAck>(ack =>
        {
            // The end is recorded by the job: nothing more to say. The logs and outputs stay on disk for whoever reads them.
            if (_ended is not null && _latest is not null && ack.Seq >= _latest.Seq) Context.Stop(Self);
        });
        Command<StartAllocation>(_ =>
        {
            if (_latest is not null) _reportTo.Tell(_latest);
        });
        Command<StopAllocation>(stop =>
        {
            _log.Info("allocation {0}: stopping ({1})", _contract.ContractId, stop.Reason);
            _cancel.Cancel();
            // Not started (still preparing, or brought back ended): nothing runs; a run going on answers through RunDone.
            if (_started is null && _ended is null) End(Run.Failed(RunFailure.Cancelled, "cancelled before it started"));
        });
    }

    public static Props Props(string providerId, Contract contract, StartAllocation? start, ExecutorRegistry executors, OrchestratorSettings settings,
        IActorRef reportTo, ParticipantTrust? trust = null) =>
        Akka.Actor.Props.Create(() => new AllocationActor(providerId, contract, start, executors, settings, reportTo, trust));

    public override string PersistenceId { get; }

    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>The allocation's clock is the actor system's scheduler (as the job's and the provider's): its timers run on it.</summary>
    private readonly ITimeProvider _clock = Context.System.Scheduler;

    /// <summary>Where a run's logs, outputs and scratch folder live on its node.</summary>
    public static string RunFolder(OrchestratorSettings settings, string contractId) =>
        Path.Combine(settings.RunsFolder, string.Concat(contractId.Select(ch => char.IsLetterOrDigit(ch) || ch is '-' or '_' or '.' ? ch : '_')));

    private void Resume()
    {
        if (_ended is not null)
        {
            // Written, but perhaps not heard by the job or its provider: both are told again.
            Report(AllocationState.Ended, _ended.Outcome, _ended.At, _ended.Receipt, _ended.ReceiptProof);
            Context.Parent.Tell(new Finished(_contract.JobId, _contract.ContractId, _ended.Receipt, _ended.ReceiptProof));
            return;
        }

        if (_started is not null)
        {
            End(new RunOutcome(null, RunFailure.Interrupted, "the provider's node restarted while the program ran; the run cannot be resumed"));
            return;
        }

        if (_start is null)
        {
            Context.Stop(Self);
            return;
        }

        var executor = _executors.Find(_start.Execution.Executor);
        if (executor is null)
        {
            End(Run.Failed(RunFailure.ExecutorError, $"this node has no {_start.Execution.Executor.ToString().ToLowerInvariant()} executor registered"));
            return;
        }

        if (_start.Execution.Module is null && _start.Execution.ModuleSha256 is { } sha)
        {
            // An uploaded module: from this node's store, or fetched from the node that holds it (reported as starting meanwhile).
            ModuleStore.GetAsync(Context.System, _settings, sha, _cancel.Token).PipeTo(Self,
                success: bytes => new ModuleReady(bytes),
                failure: e => new ModuleMissing((e as AggregateException)?.InnerException?.Message ?? e.Message));
            _executor = executor;
            Report(AllocationState.Starting, null, _clock.Now);
            Timers.StartPeriodicTimer("heartbeat", Heartbeat.Instance, _settings.ExecutionHeartbeat);
            return;
        }

        byte[] module;
        try
        {
            module = _start.Execution.Module is null ? [] : Convert.FromBase64String(_start.Execution.Module);
        }
        catch (FormatException)
        {
            End(Run.Failed(RunFailure.ExecutorError, "execution.module is not base64"));
            return;
        }

        Begin(executor, module);
    }

    private sealed record ModuleReady(byte[] Bytes);

    private sealed record ModuleMissing(string Detail);

    /// <summary>The run starts: written first (a restart after this reports it interrupted), then the executor runs it.</summary>
    private void Begin(IExecutor executor, byte[] module)
    {
        if (_ended is not null || _cancel.IsCancellationRequested) return;
        Persist(new AllocationStarted(_providerId, _contract.JobId, _contract.ContractId, _start!.Run, _start.Execution.Executor, _clock.Now), e =>
        {
            _started = e;
            if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
            var scratch = Directory.CreateDirectory(Path.Combine(_folder, "scratch")).FullName;
            var log = new BoundedLog(_folder, _settings.ExecutionLogLimit);
            var request = new ExecutionRequest(_contract.ContractId, _start.Execution, module, Limits(), scratch, log);
            _log.Info("allocation {0}: running job {1} ({2}) for at most {3}", _contract.ContractId, _contract.JobId, executor.Type, request.Limits.Duration);
            var self = Self;
            Task.Run(async () =>
            {
                ExecutionOutcome outcome;
                try
                {
                    outcome = await executor.RunAsync(request, _cancel.Token).ConfigureAwait(false);
                }
                catch (Exception failure)
                {
                    outcome = ExecutionOutcome.Failed(RunFailure.ExecutorError, $"the {executor.Type.ToString().ToLowerInvariant()} executor failed: {failure.Message}");
                }

                _outcomeLog = (log.Kept(LogStream.Stdout), log.Kept(LogStream.Stderr), log.Dropped(LogStream.Stdout), log.Dropped(LogStream.Stderr));
                log.Dispose();
                return new RunDone(outcome);
            }).PipeTo(self);
            Report(AllocationState.Running, null, e.At);
            Timers.StartPeriodicTimer("heartbeat", Heartbeat.Instance, _settings.ExecutionHeartbeat);
        });
    }

    // What the log held when the run ended (set on the run's thread before RunDone is sent, read after it arrives).
    private (long Stdout, long Stderr, long StdoutDropped, long StderrDropped) _outcomeLog;

    /// <summary>The contract's limits: its RAM, its cores, and the job's timeout within the contract's time left.</summary>
    private ExecutionLimits Limits()
    {
        var left = _contract.EndsAt - _clock.Now;
        var asked = _start!.Execution.TimeoutSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : left;
        var duration = asked < left ? asked : left;
        return new ExecutionLimits(_contract.Resources.RamMb << 20, Math.Max(1, _contract.Resources.CpuCores), duration > TimeSpan.Zero ? duration : TimeSpan.Zero);
    }

    /// <summary>The executor's outcome with what the log held and the outputs kept.</summary>
    private RunOutcome Outcome(ExecutionOutcome outcome) => new(outcome.ExitCode, outcome.Failure, outcome.Detail)
    {
        StdoutBytes = _outcomeLog.Stdout,
        StderrBytes = _outcomeLog.Stderr,
        StdoutDropped = _outcomeLog.StdoutDropped,
        StderrDropped = _outcomeLog.StderrDropped,
        Outputs = KeepOutputs(),
    };

    /// <summary>
    /// The files the job named, moved from the scratch folder to the outputs (bounded in all by the node's outputLimit:
    /// one that would pass it is not kept); then the scratch folder goes.
    /// </summary>
    private OutputFile[] KeepOutputs()
    {
        var scratch = Path.Combine(_folder, "scratch");
        var kept = new List<OutputFile>();
        long total = 0;
        try
        {
            var outputs = Directory.CreateDirectory(Path.Combine(_folder, "outputs")).FullName;
            foreach (var name in _start?.Execution.Outputs ?? [])
            {
                var file = new FileInfo(Path.Combine(scratch, name));
                if (!file.Exists || file.Length + total > _settings.ExecutionOutputLimit) continue;
                total += file.Length;
                var target = Path.Combine(outputs, name);
                file.MoveTo(target, overwrite: true);
                using var stream = File.OpenRead(target);
                kept.Add(new OutputFile(name, file.Length, Convert.ToHexStringLower(SHA256.HashData(stream))));
            }

            if (Directory.Exists(scratch)) Directory.Delete(scratch, recursive: true);
        }
        catch (IOException e)
        {
            _log.Warning("allocation {0}: outputs not all kept ({1})", _contract.ContractId, e.Message);
        }

        return kept.ToArray();
    }

    private void End(RunOutcome outcome)
    {
        if (_ended is not null) return;
        var at = Millis(_clock.Now);
        var receipt = Receipt(outcome, at);
        var proof = _trust?.Sign(Trust.Signing.ReceiptBytes(receipt));
        Persist(new AllocationEnded(_providerId, _contract.JobId, _contract.ContractId, outcome, at, receipt, proof), e =>
        {
            _ended = e;
            WriteResult(outcome);
            _log.Info("allocation {0}: ended ({1})", _contract.ContractId, outcome.Detail);
            Report(AllocationState.Ended, outcome, e.At, receipt, proof);
            Context.Parent.Tell(new Finished(_contract.JobId, _contract.ContractId, receipt, proof));
            Timers.StartPeriodicTimer("heartbeat", Heartbeat.Instance, _settings.ExecutionHeartbeat);
        });
    }

    /// <summary>The outcome beside the logs: how a reader on this node knows the run ended (and nothing more will be written).</summary>
    private void WriteResult(RunOutcome outcome)
    {
        try
        {
            Directory.CreateDirectory(_folder);
            File.WriteAllText(Path.Combine(_folder, "ended"), JsonSerializer.Serialize(new { outcome.ExitCode, Failure = outcome.Failure?.ToString(), outcome.Detail }));
        }
        catch (IOException e)
        {
            _log.Warning("allocation {0}: could not write its end marker ({1})", _contract.ContractId, e.Message);
        }
    }

    /// <summary>
    /// The provider's receipt of the run: from the program's start (as written) to its end, the CPU time and peak memory the
    /// executor measured, what it left (logs and outputs), how it ended and the hash of its outputs. A run that never
    /// started used nothing: it starts and ends at its end.
    /// </summary>
    private UsageReceipt Receipt(RunOutcome outcome, DateTimeOffset endedAt)
    {
        var startedAt = _started is null ? endedAt : Millis(_started.At);
        var measured = _measured;
        var outputs = outcome.Outputs.Sum(o => o.Bytes) + outcome.StdoutBytes + outcome.StderrBytes;
        return new UsageReceipt(_contract.ContractId, _contract.JobId, _providerId, _start?.Run ?? _started?.Run ?? 0, startedAt, endedAt,
            (long)(endedAt - startedAt).TotalMilliseconds, (long)(measured?.CpuTime.TotalMilliseconds ?? 0), measured?.PeakMemoryBytes ?? 0, outputs,
            Settlements.SettlementTerms.OutcomeCode(outcome), outcome.ExitCode, Settlements.SettlementTerms.ResultHash(outcome.Outputs));
    }

    private static DateTimeOffset Millis(DateTimeOffset at) => DateTimeOffset.FromUnixTimeMilliseconds(at.ToUnixTimeMilliseconds());

    private void Report(AllocationState state, RunOutcome? outcome, DateTimeOffset at, UsageReceipt? receipt = null, Proof? receiptProof = null)
    {
        _latest = new AllocationReport(_contract.JobId, _providerId, _contract.ContractId, ++_seq, state, outcome, at, _node)
        {
            Receipt = receipt, ReceiptProof = receiptProof,
        };
        _reportTo.Tell(_latest);
    }

    protected override void PostStop()
    {
        // A provider stopping (offboarded, or its actor restarting) takes its allocations with it: their programs stop too.
        _cancel.Cancel();
        _cancel.Dispose();
        base.PostStop();
    }

    private static class Run
    {
        public static RunOutcome Failed(RunFailure failure, string detail) => new(null, failure, detail);
    }
}
