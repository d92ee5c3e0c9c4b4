using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Orchestrator.Testing;

/// <summary>
/// A PostgreSQL server of its own (initdb in a temporary folder, its own port), so a test or the benchmark's chaos
/// soak can stop and start it without disturbing the shared server. Uses the installed server binaries
/// (scripts/postgres.sh installs them); run as root it runs them as the postgres user. Linked into the test projects
/// and the benchmark.
/// </summary>
public sealed class PrivatePostgres : IAsyncDisposable
{
    private readonly string _dir;
    private readonly string _bin;
    private readonly string _settings;

    private PrivatePostgres(string dir, string bin, int port, string settings)
    {
        _dir = dir;
        _bin = bin;
        Port = port;
        _settings = settings;
    }

    public int Port { get; }

    public string ConnectionString =>
        $"Host=127.0.0.1;Port={Port};Username=postgres;Database=postgres;Timeout=3;Command Timeout=10";

    /// <param name="durable">
    /// Whether commits reach the disk (fsync), as in production: the benchmark wants that; tests, which stop the
    /// server only to see the nodes cope, are faster without.
    /// </param>
    /// <param name="maxConnections">Several nodes, each with its connection pools, need more than the default 100.</param>
    public static async Task<PrivatePostgres> StartAsync(bool durable = false, int maxConnections = 100)
    {
        var root = "/usr/lib/postgresql";
        var version = Directory.Exists(root)
            ? Directory.GetDirectories(root).Select(Path.GetFileName).OrderBy(v => int.TryParse(v, out var n) ? n : 0).LastOrDefault()
            : null;
        if (version is null) throw new InvalidOperationException("no PostgreSQL server binaries under /usr/lib/postgresql (run scripts/postgres.sh)");
        var dir = Path.Combine(Path.GetTempPath(), "orch-pg-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        var pg = new PrivatePostgres(dir, Path.Combine(root, version, "bin"), FreePort(),
            $"-c max_connections={maxConnections}" + (durable ? "" : " -c fsync=off"));
        await pg.RunAsync("chown postgres " + dir, asPostgres: false);
        await pg.RunAsync($"{pg._bin}/initdb -D {dir}/data -A trust -U postgres{(durable ? "" : " --no-sync")} > {dir}/initdb.log 2>&1");
        await pg.StartServerAsync();
        return pg;
    }

    public Task StartServerAsync() =>
        RunAsync($"{_bin}/pg_ctl -D {_dir}/data -l {_dir}/server.log -w -o \"-p {Port} -k {_dir} -c listen_addresses=127.0.0.1 {_settings}\" start");

    /// <summary>An outage: the server stops at once, dropping every connection.</summary>
    public Task StopServerAsync() => RunAsync($"{_bin}/pg_ctl -D {_dir}/data -m immediate -w stop");

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopServerAsync();
        }
        catch (InvalidOperationException)
        {
            // Already stopped.
        }

        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private async Task RunAsync(string command, bool asPostgres = true)
    {
        var asRoot = Environment.UserName == "root";
        var info = asPostgres && asRoot
            ? new ProcessStartInfo("su", ["postgres", "-c", command])
            : new ProcessStartInfo("/bin/sh", ["-c", command]);
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        using var process = Process.Start(info)!;
        var output = await process.StandardOutput.ReadToEndAsync() + await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0) throw new InvalidOperationException($"'{command}' exited with {process.ExitCode}: {output}");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
