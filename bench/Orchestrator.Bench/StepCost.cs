using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Orchestrator.Bench;

/// <summary>
/// What a step cost, per job: CPU of the node processes and of the database server, and the bytes and TCP segments
/// that crossed between the nodes (remoting) and to the database. Read from the kernel (<c>ss</c>, the processes' CPU
/// times) before and after, so nothing in the nodes is instrumented and nothing is estimated.
/// </summary>
public sealed record StepCost(double NodeCpuMs, double DatabaseCpuMs, double RemotingBytes, double RemotingSegments, double DatabaseBytes)
{
    public static StepCost PerJob(Reading before, Reading after, int jobs) => jobs == 0
        ? new StepCost(0, 0, 0, 0, 0)
        : new StepCost(
            (after.NodeCpu - before.NodeCpu).TotalMilliseconds / jobs,
            (after.DatabaseCpu - before.DatabaseCpu).TotalMilliseconds / jobs,
            (double)(after.RemotingBytes - before.RemotingBytes) / jobs,
            (double)(after.RemotingSegments - before.RemotingSegments) / jobs,
            (double)(after.DatabaseBytes - before.DatabaseBytes) / jobs);

    public sealed record Reading(TimeSpan NodeCpu, TimeSpan DatabaseCpu, long RemotingBytes, long RemotingSegments, long DatabaseBytes);

    private static readonly Regex Endpoints = new(@"\S+:(\d+)\s+\S+:(\d+)\s*$", RegexOptions.Compiled);
    private static readonly Regex BytesSent = new(@"\bbytes_sent:(\d+)", RegexOptions.Compiled);
    private static readonly Regex SegmentsOut = new(@"\bdata_segs_out:(\d+)", RegexOptions.Compiled);

    /// <summary>Now: CPU so far, and bytes sent so far on every established connection touching the given ports (both ends counted: every byte once per direction).</summary>
    public static Reading Read(IEnumerable<ClusterNode> nodes, IReadOnlySet<int> remotingPorts, int databasePort)
    {
        var nodeCpu = nodes.Aggregate(TimeSpan.Zero, (sum, n) => sum + n.CpuTime());
        var databaseCpu = DatabaseCpu();
        long remotingBytes = 0, remotingSegments = 0, databaseBytes = 0;
        var lines = Sockets();
        for (var i = 0; i + 1 < lines.Length; i++)
        {
            var endpoints = Endpoints.Match(lines[i]);
            if (!endpoints.Success) continue;
            var (local, peer) = (int.Parse(endpoints.Groups[1].Value), int.Parse(endpoints.Groups[2].Value));
            var info = lines[++i];
            var sent = BytesSent.Match(info) is { Success: true } b ? long.Parse(b.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
            var segments = SegmentsOut.Match(info) is { Success: true } s ? long.Parse(s.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
            if (remotingPorts.Contains(local) || remotingPorts.Contains(peer))
            {
                remotingBytes += sent;
                remotingSegments += segments;
            }
            else if (local == databasePort || peer == databasePort) databaseBytes += sent;
        }

        return new Reading(nodeCpu, databaseCpu, remotingBytes, remotingSegments, databaseBytes);
    }

    /// <summary>CPU of every PostgreSQL process on the machine (the bench's own server is the only busy one), from /proc.</summary>
    private static TimeSpan DatabaseCpu()
    {
        long ticks = 0;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var close = stat.LastIndexOf(')');
                if (close < 0 || !stat.AsSpan(0, close).EndsWith("(postgres", StringComparison.Ordinal)) continue;
                // After "pid (comm) ": state is field 3, utime and stime are fields 14 and 15.
                var fields = stat[(close + 2)..].Split(' ');
                ticks += long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
            {
                // a process that ended meanwhile, or not a process directory
            }
        }

        return TimeSpan.FromSeconds(ticks / 100.0); // USER_HZ is 100 on Linux
    }

    private static string[] Sockets()
    {
        try
        {
            using var ss = Process.Start(new ProcessStartInfo("ss", "-tinH state established") { RedirectStandardOutput = true, UseShellExecute = false })!;
            var output = ss.StandardOutput.ReadToEnd();
            ss.WaitForExit();
            return output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return []; // no ss on this machine: traffic is reported as zero
        }
    }
}
