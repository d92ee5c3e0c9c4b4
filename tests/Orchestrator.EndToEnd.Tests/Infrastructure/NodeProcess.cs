using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;

namespace Orchestrator.EndToEnd.Tests.Infrastructure;

/// <summary>
/// A real <c>orchestrator</c> node in a child process, on a free loopback port, with its own data folder:
/// started as the README starts it, stopped with SIGTERM or killed with SIGKILL.
/// </summary>
public sealed class NodeProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private NodeProcess(Process process, Uri baseAddress, NodeSetup setup)
    {
        _process = process;
        BaseAddress = baseAddress;
        Setup = setup;
        Http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(60) };
    }

    public Uri BaseAddress { get; }
    public NodeSetup Setup { get; }
    public HttpClient Http { get; }
    public bool HasExited => _process.HasExited;

    public string Output
    {
        get
        {
            lock (_output) return _output.ToString();
        }
    }

    public static Task<NodeProcess> StartAsync(NodeSetup setup) => StartAsync(setup, StartTimeout);

    /// <summary>Starts the node and waits only until its HTTP API answers (<c>/healthz/live</c>), ready or not.</summary>
    public static Task<NodeProcess> LaunchAsync(NodeSetup setup) => StartAsync(setup, StartTimeout, "/healthz/live");

    /// <summary>Starts the node and waits until it is ready; one that is not ready in time is killed, then this throws.</summary>
    public static async Task<NodeProcess> StartAsync(NodeSetup setup, TimeSpan readyWithin) => await StartAsync(setup, readyWithin, "/healthz/ready");

    private static async Task<NodeProcess> StartAsync(NodeSetup setup, TimeSpan readyWithin, string readiness)
    {
        var port = FreePort();
        var baseAddress = new Uri($"http://127.0.0.1:{port}");
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = setup.DataDirectory,
        };
        info.ArgumentList.Add(setup.Program ?? NodeExecutable());
        foreach (var arg in setup.Arguments(baseAddress)) info.ArgumentList.Add(arg);
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        foreach (var (key, value) in setup.Environment) info.Environment[key] = value;
        foreach (var (key, value) in setup.EnvironmentFor(baseAddress)) info.Environment[key] = value;

        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start the node");
        var node = new NodeProcess(process, baseAddress, setup);
        process.OutputDataReceived += (_, e) => node.Append(e.Data);
        process.ErrorDataReceived += (_, e) => node.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await node.WaitUntilReadyAsync(readyWithin, readiness);
        }
        catch
        {
            await node.DisposeAsync();
            throw;
        }

        return node;
    }

    /// <summary>The node stops at start with exit code 2, and what it prints says each of <paramref name="saying"/>.</summary>
    public static async Task AssertRefusesToStartAsync(NodeSetup setup, params string[] saying)
    {
        var (exitCode, output) = await RunToExitAsync(setup);
        Assert.True(exitCode == 2, $"expected exit code 2, got {exitCode}:\n{output}");
        foreach (var text in saying) Assert.Contains(text, output);
    }

    /// <summary>Runs the node to completion (for start-up failures) and returns its exit code.</summary>
    public static Task<(int ExitCode, string Output)> RunToExitAsync(NodeSetup setup) =>
        RunAsync(setup, setup.Arguments(new Uri($"http://127.0.0.1:{FreePort()}")), setup.Environment);

    /// <summary>Runs the executable with exactly these arguments (no node options), in the setup's folder, to completion.</summary>
    public static Task<(int ExitCode, string Output)> RunBareAsync(NodeSetup setup, params string[] arguments) => RunAsync(setup, arguments, new Dictionary<string, string>());

    private static async Task<(int ExitCode, string Output)> RunAsync(NodeSetup setup, IEnumerable<string> arguments, IReadOnlyDictionary<string, string> environment)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = setup.DataDirectory,
        };
        foreach (var (key, value) in environment) info.Environment[key] = value;
        info.ArgumentList.Add(setup.Program ?? NodeExecutable());
        foreach (var arg in arguments) info.ArgumentList.Add(arg);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(StartTimeout);
        await process.WaitForExitAsync(cts.Token);
        return (process.ExitCode, await stdout + await stderr);
    }

    public Task<NodeProcess> RestartAsync() => StartAsync(Setup);

    /// <summary>A graceful stop, as an operator's Ctrl-C or a container stop: SIGTERM, then wait for exit.</summary>
    public async Task StopAsync()
    {
        if (_process.HasExited) return;
        _ = kill(_process.Id, 15);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await _process.WaitForExitAsync(cts.Token);
    }

    /// <summary>
    /// Freezes the node (SIGSTOP): it reads, writes and answers nothing, as a machine that hangs, until it is killed (or
    /// SIGCONT). What it had written stays written.
    /// </summary>
    public void Freeze()
    {
        if (!_process.HasExited) _ = kill(_process.Id, 19);
    }

    /// <summary>A crash: SIGKILL, no chance to flush or leave the cluster.</summary>
    public async Task KillAsync()
    {
        if (_process.HasExited) return;
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        Http.Dispose();
        _process.Dispose();
    }

    private async Task WaitUntilReadyAsync(TimeSpan readyWithin, string readiness)
    {
        var started = Stopwatch.StartNew();
        while (started.Elapsed < readyWithin)
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"the node exited with {_process.ExitCode} before it was ready:\n{Output}");
            try
            {
                using var response = await Http.GetAsync(readiness);
                if (response.StatusCode == HttpStatusCode.OK) return;
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"the node was not ready within {readyWithin}:\n{Output}");
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_output) _output.AppendLine(line);
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>The node built alongside the tests, in the same configuration.</summary>
    public static string NodeExecutable() => BuiltProgram("src/Orchestrator.Node", "orchestrator.dll");

    /// <summary>A program of the repository (its project folder), built alongside the tests in the same configuration.</summary>
    public static string BuiltProgram(string project, string? assembly = null)
    {
        var here = new DirectoryInfo(AppContext.BaseDirectory);
        var tfm = here.Name;
        var configuration = here.Parent!.Name;
        var root = here;
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Orchestrator.sln"))) root = root.Parent;
        if (root is null) throw new InvalidOperationException("Orchestrator.sln not found above " + AppContext.BaseDirectory);
        var dll = Path.Combine(root.FullName, project, "bin", configuration, tfm, assembly ?? Path.GetFileName(project) + ".dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException("build the solution first", dll);
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);
}
