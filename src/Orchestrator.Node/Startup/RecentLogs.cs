using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;

namespace Orchestrator.Node.Startup;

/// <summary>One line of the node's log as <c>GET /ops/logs</c> and <c>orchestrator log tail</c> show it.</summary>
public sealed record LogLineView(long Seq, DateTimeOffset At, string Level, string Category, string Message);

/// <summary>Lines after the requested one, and the number to ask after next.</summary>
public sealed record LogPage(IReadOnlyList<LogLineView> Lines, long Next, int Capacity);

/// <summary>
/// The node's recent log lines, in memory only: a ring of the last <see cref="Capacity"/> lines of every logger (Akka's
/// included, with the actor's path as the category), each numbered so a follower asks for what came after the last it
/// saw. Nothing is written to disk for it; the oldest lines are overwritten.
/// </summary>
public sealed partial class RecentLogs(int capacity = RecentLogs.DefaultCapacity) : ILoggerProvider
{
    public const int DefaultCapacity = 2000;

    private readonly LogLineView?[] _ring = new LogLineView?[capacity];
    private readonly Lock _gate = new();
    private long _next = 1;

    public int Capacity => capacity;

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    public void Add(DateTimeOffset at, LogLevel level, string category, string message)
    {
        lock (_gate)
        {
            var seq = _next++;
            _ring[seq % capacity] = new LogLineView(seq, at, Name(level), category, message);
        }
    }

    /// <summary>
    /// The lines numbered after <paramref name="after"/> at <paramref name="minimum"/> or above, oldest first, at most the
    /// <paramref name="last"/> newest of them.
    /// </summary>
    public LogPage Read(long after, LogLevel minimum, int last)
    {
        lock (_gate)
        {
            var from = Math.Max(after + 1, Math.Max(1, _next - capacity));
            var lines = new List<LogLineView>();
            for (var seq = from; seq < _next; seq++)
                if (_ring[seq % capacity] is { } line && Level(line.Level) >= minimum) lines.Add(line);
            return new LogPage(lines.Count > last ? lines[^last..] : lines, _next - 1, capacity);
        }
    }

    public static string Name(LogLevel level) => level switch
    {
        LogLevel.Trace => "trace",
        LogLevel.Debug => "debug",
        LogLevel.Information => "info",
        LogLevel.Warning => "warning",
        LogLevel.Error => "error",
        LogLevel.Critical => "critical",
        _ => "none",
    };

    public static LogLevel Level(string name) => name switch
    {
        "trace" => LogLevel.Trace,
        "debug" => LogLevel.Debug,
        "info" or "information" => LogLevel.Information,
        "warning" or "warn" => LogLevel.Warning,
        "error" => LogLevel.Error,
        "critical" => LogLevel.Critical,
        _ => LogLevel.None,
    };

    private sealed class Logger(RecentLogs logs, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel)) return;
            var message = formatter(state, exception);
            var source = category;
            // Akka's lines arrive formatted ("[INFO][time][Thread 0007][akka://…/job-42] text"): the log source (an
            // actor's path, which names the job) is the category worth showing, the text the message.
            if (AkkaLine().Match(message) is { Success: true } akka)
            {
                source = akka.Groups["source"].Value;
                message = akka.Groups["text"].Value;
            }

            if (exception is not null) message += $" ({exception.GetType().Name}: {exception.Message})";
            logs.Add(DateTimeOffset.UtcNow, logLevel, source, message);
        }
    }

    [GeneratedRegex(@"^\[[A-Z]+\]\[[^\]]*\]\[Thread \d+\]\[(?<source>[^\]]*)\] (?<text>.*)$", RegexOptions.Singleline)]
    private static partial Regex AkkaLine();
}
