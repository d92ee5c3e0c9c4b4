using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Orchestrator.Bench;

/// <summary>
/// The HTTP front door: the real <c>orchestrator</c> executable in its own process (embedded SQLite), jobs posted to
/// <c>POST /orchestrator/postJob</c> by a concurrent client, each followed with <c>GET /orchestrator/jobs/{id}</c>
/// until it is terminal, as an HTTP user would.
/// </summary>
public sealed class HttpDriver : IAsyncDisposable
{
    private const string Job = """{"jobId":"ID","requirements":{"resources":{"cpuCores":1,"ramMb":256,"diskGb":1},"executors":["docker"]}}""";
    private readonly Process _node;
    private readonly HttpClient _http;

    private HttpDriver(Process node, HttpClient http)
    {
        _node = node;
        _http = http;
    }

    public static async Task<HttpDriver> StartAsync(string folder, int providers)
    {
        Directory.CreateDirectory(folder);
        var providersFile = Path.Combine(folder, "providers.json");
        var list = Enumerable.Range(0, providers).Select(i => new JsonObject
        {
            ["id"] = $"cp-{i:D5}",
            ["resources"] = new JsonObject { ["cpuCores"] = 4096, ["ramMb"] = 64L * 1024 * 1024, ["diskGb"] = 1024 * 1024 },
            ["executors"] = new JsonArray("docker"),
            ["pricePerHour"] = 1m + i % 10 / 10m,
        }).ToArray<JsonNode?>();
        await File.WriteAllTextAsync(providersFile, new JsonArray(list).ToJsonString());
        var config = Path.Combine(folder, "bench.conf");
        await File.WriteAllTextAsync(config, "orchestrator.terminalJobIdle = 2s\nakka.loglevel = WARNING\n");

        var port = FreePort();
        var info = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = folder,
        };
        info.ArgumentList.Add(NodeExecutable());
        foreach (var arg in new[] { "--http", $"http://127.0.0.1:{port}", "--data", folder, "--providers", providersFile, "--config", config, "--node-id", "bench" })
            info.ArgumentList.Add(arg);
        info.Environment["Logging__LogLevel__Default"] = "Warning";
        var node = Process.Start(info)!;
        node.OutputDataReceived += (_, _) => { };
        node.ErrorDataReceived += (_, _) => { };
        node.BeginOutputReadLine();
        node.BeginErrorReadLine();

        var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256 })
        {
            BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(60),
        };
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (node.HasExited) throw new InvalidOperationException($"the node exited with {node.ExitCode}");
            try
            {
                if ((await http.GetAsync("/healthz/ready")).IsSuccessStatusCode) break;
            }
            catch (HttpRequestException)
            {
            }

            if (clock.Elapsed > TimeSpan.FromSeconds(90)) throw new TimeoutException("the node did not become ready in 90 s");
            await Task.Delay(200);
        }

        return new HttpDriver(node, http);
    }

    public async Task<LoadResult> RunClosedAsync(string prefix, int jobs, int concurrency)
    {
        var latencies = new ConcurrentBag<double>();
        var outcomes = new ConcurrentBag<string?>();
        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, jobs), new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (i, _) =>
        {
            var started = Stopwatch.GetTimestamp();
            var state = await OneJobAsync($"{prefix}-{i:D7}");
            if (state is not null) latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            outcomes.Add(state);
        });
        clock.Stop();
        return new LoadResult(jobs, outcomes.Count(s => s == "Contracted"), outcomes.Count(s => s == "Failed"), outcomes.Count(s => s is null),
            clock.Elapsed, Percentiles.Of(latencies.ToArray()), new Dictionary<string, Percentiles>());
    }

    /// <summary>Posts, then reads the job back (1 ms, doubling to 50 ms between reads) until it is terminal.</summary>
    private async Task<string?> OneJobAsync(string id)
    {
        try
        {
            using var content = new StringContent(Job.Replace("ID", id), Encoding.UTF8, "application/json");
            using var posted = await _http.PostAsync("/orchestrator/postJob", content);
            if (posted.StatusCode != HttpStatusCode.Accepted) return null;
            var pause = TimeSpan.FromMilliseconds(1);
            var until = DateTime.UtcNow + TimeSpan.FromMinutes(5);
            while (DateTime.UtcNow < until)
            {
                await Task.Delay(pause);
                using var read = await _http.GetAsync($"/orchestrator/jobs/{id}");
                if (read.IsSuccessStatusCode)
                {
                    using var json = JsonDocument.Parse(await read.Content.ReadAsStreamAsync());
                    var state = json.RootElement.GetProperty("state").GetString();
                    if (state is "Contracted" or "Failed") return state;
                }

                pause = TimeSpan.FromMilliseconds(Math.Min(50, pause.TotalMilliseconds * 2));
            }
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
        }

        return null;
    }

    public long ResidentBytes()
    {
        _node.Refresh();
        return _node.WorkingSet64;
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        if (!_node.HasExited)
        {
            _node.Kill(entireProcessTree: true);
            await _node.WaitForExitAsync();
        }

        _node.Dispose();
    }

    private static string NodeExecutable() => ClusterNode.NodeExecutable();

    private static int FreePort() => ClusterNode.FreePort();
}
