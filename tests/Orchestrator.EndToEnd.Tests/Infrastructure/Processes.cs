using System.Diagnostics;

namespace Orchestrator.EndToEnd.Tests.Infrastructure;

/// <summary>Runs a program to its end in a folder (git, dotnet, npm, a built tool) and fails the test when it fails.</summary>
public static class Processes
{
    /// <summary>The program's standard output and error, once it exited 0 within five minutes; otherwise the test fails with both.</summary>
    public static async Task<string> RunAsync(string program, string[] arguments, string folder, IReadOnlyDictionary<string, string>? environment = null)
    {
        var (exit, said) = await TryRunAsync(program, arguments, folder, environment);
        Assert.True(exit == 0, $"{program} {string.Join(" ", arguments)} (in {folder}) exited {exit}:\n{said}");
        return said;
    }

    /// <summary>The program's exit code and what it printed (standard output, then error).</summary>
    public static async Task<(int Exit, string Output)> TryRunAsync(string program, string[] arguments, string folder, IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = folder };
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) info.Environment[name] = value;
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }
}
