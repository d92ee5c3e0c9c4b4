using System.Diagnostics;

namespace Orchestrator.EndToEnd.Tests.Infrastructure;

/// <summary>Runs the real <c>orchestrator</c> executable with a command, as an operator would, in a folder.</summary>
public static class Cli
{
    public static async Task<(int ExitCode, string Output, string Errors)> RunAsync(string folder, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = folder,
        };
        info.ArgumentList.Add(NodeProcess.NodeExecutable());
        foreach (var arg in args) info.ArgumentList.Add(arg);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }
}
