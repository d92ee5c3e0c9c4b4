using System.Diagnostics;

namespace Orchestrator.EndToEnd.Tests.Infrastructure;

/// <summary>Runs the real <c>orchestrator</c> executable with a command, as an operator would, in a folder.</summary>
public static class Cli
{
    /// <summary>An operator command against <paramref name="node"/> (its HTTP address as --node).</summary>
    public static Task<(int ExitCode, string Output, string Errors)> OperateAsync(NodeProcess node, params string[] args) =>
        RunAsync(Path.GetTempPath(), [.. args, "--node", node.BaseAddress.ToString()]);

    /// <summary>A long-running command (e.g. <c>jobs watch</c>), its output readable while it runs.</summary>
    public static RunningCommand Start(NodeProcess node, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = Path.GetTempPath(),
        };
        info.ArgumentList.Add(NodeProcess.NodeExecutable());
        foreach (var arg in args) info.ArgumentList.Add(arg);
        info.ArgumentList.Add("--node");
        info.ArgumentList.Add(node.BaseAddress.ToString());
        return new RunningCommand(Process.Start(info)!);
    }

    public static Task<(int ExitCode, string Output, string Errors)> RunAsync(string folder, params string[] args) => RunAsync(folder, null, args);

    /// <summary>An operator command against <paramref name="node"/> reading <paramref name="input"/> as its standard input (e.g. the shell).</summary>
    public static Task<(int ExitCode, string Output, string Errors)> OperateWithInputAsync(NodeProcess node, string input, params string[] args) =>
        RunAsync(Path.GetTempPath(), input, [.. args, "--node", node.BaseAddress.ToString()]);

    private static async Task<(int ExitCode, string Output, string Errors)> RunAsync(string folder, string? input, string[] args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = input is not null, UseShellExecute = false,
            WorkingDirectory = folder,
        };
        info.ArgumentList.Add(NodeProcess.NodeExecutable());
        foreach (var arg in args) info.ArgumentList.Add(arg);
        using var process = Process.Start(info)!;
        if (input is not null)
        {
            await process.StandardInput.WriteAsync(input);
            process.StandardInput.Close();
        }

        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }
}

/// <summary>A command still running: what it printed so far, and its end.</summary>
public sealed class RunningCommand : IDisposable
{
    private readonly Process _process;
    private readonly System.Text.StringBuilder _output = new();
    private readonly System.Text.StringBuilder _errors = new();

    public RunningCommand(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) => { lock (_output) _output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (_errors) _errors.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string Output
    {
        get { lock (_output) return _output.ToString(); }
    }

    public async Task<(int ExitCode, string Output, string Errors)> WaitAsync(TimeSpan within)
    {
        using var timeout = new CancellationTokenSource(within);
        await _process.WaitForExitAsync(timeout.Token);
        lock (_errors) return (_process.ExitCode, Output, _errors.ToString());
    }

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.Dispose();
    }
}
