using System.Runtime.InteropServices;

namespace Orchestrator.Execution;

/// <summary>
/// The CPU time the calling thread has used (user and system), from <c>getrusage(RUSAGE_THREAD)</c> on Linux: what a run
/// on a thread of its own cost, whatever else the process did meanwhile. Null where the call is not available.
/// </summary>
internal static class ThreadCpu
{
    private const int RusageThread = 1;

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeVal
    {
        public long Seconds;
        public long Microseconds;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct RUsage
    {
        public TimeVal User;
        public TimeVal System;
        // The remaining fields (14 longs) are not read, but the kernel writes them.
        public long F0, F1, F2, F3, F4, F5, F6, F7, F8, F9, F10, F11, F12, F13;
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int getrusage(int who, out RUsage usage);

    public static TimeSpan? Now()
    {
        if (!OperatingSystem.IsLinux() || !Environment.Is64BitProcess) return null;
        try
        {
            if (getrusage(RusageThread, out var usage) != 0) return null;
            var micros = usage.User.Seconds * 1_000_000 + usage.User.Microseconds + usage.System.Seconds * 1_000_000 + usage.System.Microseconds;
            return TimeSpan.FromMicroseconds(micros);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }
    }
}
