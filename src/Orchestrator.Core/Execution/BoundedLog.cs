using Orchestrator.Protocol.Model;

namespace Orchestrator.Execution;

/// <summary>
/// A run's stdout and stderr, each kept to a bound: the first <see cref="Bound"/> bytes of a stream are kept, the rest is
/// counted and dropped (the program is not stopped: a chatty program is not a failed one), and the log says so at its end.
/// Written to two files in the allocation's folder as the program writes, so a node restart keeps what was printed, and
/// readable while it grows (following a running job reads from an offset).
/// </summary>
public sealed class BoundedLog : IExecutionLog, IDisposable
{
    private readonly object _gate = new();
    private readonly FileStream _stdout;
    private readonly FileStream _stderr;
    private long _stdoutDropped;
    private long _stderrDropped;

    public BoundedLog(string folder, long bound)
    {
        Directory.CreateDirectory(folder);
        Bound = bound;
        StdoutPath = Path.Combine(folder, "stdout");
        StderrPath = Path.Combine(folder, "stderr");
        _stdout = Open(StdoutPath);
        _stderr = Open(StderrPath);
    }

    /// <summary>The most bytes kept of each stream.</summary>
    public long Bound { get; }

    public string StdoutPath { get; }

    public string StderrPath { get; }

    /// <summary>Raised (outside the lock) after bytes were kept: a follower reads on from where it was.</summary>
    public event Action? Written;

    public long Kept(LogStream stream)
    {
        lock (_gate) return Of(stream).Length;
    }

    public long Dropped(LogStream stream)
    {
        lock (_gate) return stream == LogStream.Stdout ? _stdoutDropped : _stderrDropped;
    }

    public void Write(LogStream stream, ReadOnlySpan<byte> data)
    {
        var kept = false;
        lock (_gate)
        {
            var file = Of(stream);
            var room = (int)Math.Max(0, Math.Min(data.Length, Bound - file.Length));
            if (room > 0)
            {
                file.Write(data[..room]);
                file.Flush();
                kept = true;
            }

            if (room < data.Length)
            {
                if (stream == LogStream.Stdout) _stdoutDropped += data.Length - room;
                else _stderrDropped += data.Length - room;
            }
        }

        if (kept) Written?.Invoke();
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _stdout.Dispose();
            _stderr.Dispose();
        }
    }

    private FileStream Of(LogStream stream) => stream == LogStream.Stdout ? _stdout : _stderr;

    private static FileStream Open(string path) =>
        new(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.None);
}
