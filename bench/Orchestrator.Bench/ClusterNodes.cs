using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;

namespace Orchestrator.Bench;

/// <summary>
/// One node of a benchmark cluster: the real <c>orchestrator</c> executable in its own process, on a fixed remoting
/// port, joining the given seeds, its journal in the shared PostgreSQL. It can be SIGKILLed and started again.
/// </summary>
public sealed class ClusterNode : IAsyncDisposable
{
    private readonly string[] _arguments;
    private readonly string _folder;
    private Process? _process;
    private long _unreachableMarks;
    private long _downings;

    public ClusterNode(int index, string folder, int remotePort, IEnumerable<string> seeds, string postgres, string providersJson, string hocon)
    {
        Index = index;
        _folder = folder;
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "providers.json"), providersJson);
        File.WriteAllText(Path.Combine(folder, "node.conf"), hocon);
        HttpPort = FreePort();
        Address = $"akka.tcp://orchestrator@127.0.0.1:{remotePort}";
        Http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 128 })
        {
            BaseAddress = new Uri($"http://127.0.0.1:{HttpPort}"), Timeout = TimeSpan.FromSeconds(30),
        };
        _arguments =
        [
            "--http", $"http://127.0.0.1:{HttpPort}", "--data", folder, "--providers", Path.Combine(folder, "providers.json"),
            "--config", Path.Combine(folder, "node.conf"), "--node-id", $"node-{index}", "--remote-port", remotePort.ToString(),
            "--seeds", string.Join(",", seeds), "--postgres", postgres,
        ];
    }

    public int Index { get; }
    public int HttpPort { get; }
    public string Address { get; }
    public HttpClient Http { get; }
    public bool IsRunning => _process is { HasExited: false };

    /// <summary>How often this node's failure detector marked a member unreachable, and how often its resolver downed one.</summary>
    public long UnreachableMarks => Interlocked.Read(ref _unreachableMarks);

    public long Downings => Interlocked.Read(ref _downings);

    /// <summary>CPU time the node's process has used so far (zero when it is not running).</summary>
    public TimeSpan CpuTime()
    {
        if (_process is not { HasExited: false } process) return TimeSpan.Zero;
        process.Refresh();
        return process.TotalProcessorTime;
    }

    public long ResidentBytes()
    {
        if (_process is not { HasExited: false } process) return 0;
        process.Refresh();
        return process.WorkingSet64;
    }

    public void Start()
    {
        var info = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = _folder,
        };
        info.ArgumentList.Add(NodeExecutable());
        foreach (var arg in _arguments) info.ArgumentList.Add(arg);
        info.Environment["Logging__LogLevel__Default"] = "Warning";
        _process = Process.Start(info)!;
        _process.OutputDataReceived += (_, e) => Watch(e.Data);
        _process.ErrorDataReceived += (_, e) => Watch(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    private readonly Queue<string> _lastLines = new();

    private void Watch(string? line)
    {
        if (line is null) return;
        lock (_lastLines)
        {
            _lastLines.Enqueue(line);
            if (_lastLines.Count > 20) _lastLines.Dequeue();
        }

        if (line.Contains("Marking node(s) as UNREACHABLE", StringComparison.Ordinal)) Interlocked.Increment(ref _unreachableMarks);
        if (line.Contains("SBR took decision", StringComparison.Ordinal)) Interlocked.Increment(ref _downings);
    }

    public async Task WaitReadyAsync(TimeSpan within)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < within)
        {
            if (_process is { HasExited: true } exited)
            {
                lock (_lastLines)
                    throw new InvalidOperationException($"node-{Index} exited with {exited.ExitCode}:\n{string.Join("\n", _lastLines)}");
            }
            try
            {
                using var ready = await Http.GetAsync("/healthz/ready");
                if (ready.IsSuccessStatusCode) return;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
            }

            await Task.Delay(250);
        }

        throw new TimeoutException($"node-{Index} was not ready within {within.TotalSeconds:0} s");
    }

    /// <summary>A crash: SIGKILL, no chance to leave the cluster or flush anything.</summary>
    public async Task KillAsync()
    {
        if (_process is not { HasExited: false } process) return;
        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
    }

    /// <summary>Reads a job once: the job when it is terminal, null when it is not (yet), unknown, or the node did not answer.</summary>
    public async Task<JsonObject?> ReadTerminalAsync(string id)
    {
        try
        {
            using var read = await Http.GetAsync($"/orchestrator/jobs/{id}");
            if (!read.IsSuccessStatusCode) return null;
            var job = JsonNode.Parse(await read.Content.ReadAsStringAsync())!.AsObject();
            // "final": a reservation once contracted, a job that runs a program once its run has ended, any job that failed.
            return job["final"]?.GetValue<bool>() ?? job["state"]!.GetValue<string>() is "Contracted" or "Failed" ? job : null;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return null;
        }
    }

    public async Task<JsonArray> ProvidersAsync() => JsonNode.Parse(await Http.GetStringAsync("/orchestrator/providers"))!.AsArray();

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process?.Dispose();
        Http.Dispose();
    }

    /// <summary>The node built beside this benchmark (the bench project builds it).</summary>
    public static string NodeExecutable()
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name; // bin/<Configuration>/net10.0/
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Orchestrator.sln")))
                return Path.Combine(dir.FullName, "src", "Orchestrator.Node", "bin", configuration, "net10.0", "orchestrator.dll");
        throw new InvalidOperationException("cannot find the repository (Orchestrator.sln) above " + AppContext.BaseDirectory);
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
