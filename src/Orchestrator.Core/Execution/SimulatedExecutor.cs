using System.Globalization;
using System.Text;
using Orchestrator.Protocol.Model;

namespace Orchestrator.Execution;

/// <summary>
/// An executor that runs nothing: it waits, prints and exits as its arguments say (<c>sleep-ms=N</c>, <c>print=TEXT</c>,
/// <c>stderr=TEXT</c>, <c>exit=N</c>, <c>write=NAME:TEXT</c> for an output file, applied in order). For tests and the
/// benchmark: a run of known length and outcome, costing no CPU. It honours the duration and cancellation like a real one.
/// </summary>
public sealed class SimulatedExecutor : IExecutor
{
    public ExecutorType Type => ExecutorType.Simulated;

    /// <summary>The first argument this executor does not understand, in words; null when all are understood.</summary>
    public static string? Invalid(IReadOnlyList<string> args)
    {
        for (var i = 0; i < args.Count; i++)
        {
            var (verb, value) = Split(args[i]);
            var ok = verb switch
            {
                "sleep-ms" => int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var ms) && ms <= 86_400_000,
                "exit" => int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _),
                "print" or "stderr" => true,
                "write" => value.IndexOf(':') > 0,
                _ => false,
            };
            if (!ok)
                return $"args[{i}]: '{args[i]}' is not one of sleep-ms=N (0 to 86400000), print=TEXT, stderr=TEXT, write=NAME:TEXT, exit=N";
        }

        return null;
    }

    public async Task<ExecutionOutcome> RunAsync(ExecutionRequest request, CancellationToken cancel)
    {
        var invalid = Invalid(request.Execution.Args);
        if (invalid is not null) return ExecutionOutcome.Failed(RunFailure.ExecutorError, invalid);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        timeout.CancelAfter(request.Limits.Duration);
        var code = 0;
        try
        {
            foreach (var arg in request.Execution.Args)
            {
                var (verb, value) = Split(arg);
                switch (verb)
                {
                    case "sleep-ms":
                        await Task.Delay(int.Parse(value, CultureInfo.InvariantCulture), timeout.Token).ConfigureAwait(false);
                        break;
                    case "print":
                        request.Log.Write(LogStream.Stdout, Encoding.UTF8.GetBytes(value + "\n"));
                        break;
                    case "stderr":
                        request.Log.Write(LogStream.Stderr, Encoding.UTF8.GetBytes(value + "\n"));
                        break;
                    case "write":
                        var colon = value.IndexOf(':');
                        await File.WriteAllTextAsync(Path.Combine(request.ScratchDirectory, Path.GetFileName(value[..colon])), value[(colon + 1)..],
                            CancellationToken.None).ConfigureAwait(false);
                        break;
                    case "exit":
                        code = int.Parse(value, CultureInfo.InvariantCulture);
                        break;
                }
            }
        }
        catch (OperationCanceledException)
        {
            return cancel.IsCancellationRequested
                ? ExecutionOutcome.Failed(RunFailure.Cancelled, "cancelled while sleeping")
                : ExecutionOutcome.Failed(RunFailure.DurationExceeded,
                    $"still running after {request.Limits.Duration.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s: stopped");
        }

        return ExecutionOutcome.Exited(code);
    }

    private static (string Verb, string Value) Split(string arg)
    {
        var eq = arg.IndexOf('=');
        return eq < 0 ? (arg, "") : (arg[..eq], arg[(eq + 1)..]);
    }
}
