using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;

namespace Orchestrator.EndToEnd.Tests.Infrastructure;

/// <summary>
/// Clients posting jobs to a cluster without pause, each job under its own id, as a careful client does: an answer
/// that is not 202 (or no answer) is followed by the same job, same id, to the next node. Every attempt is recorded
/// with when it was sent, on the load's clock, and how the node answered.
/// </summary>
public sealed class PostingLoad : IAsyncDisposable
{
    public const string Job = """{"jobId":"@ID@","requirements":{"resources":{"cpuCores":1,"ramMb":256,"diskGb":1}}}""";

    /// <summary>One post of one job to one node.</summary>
    /// <param name="Status">the HTTP status, or 0 when the node could not be reached or did not answer at all</param>
    /// <param name="ProblemType">the problem's type, for a problem answer that has one</param>
    /// <param name="RetryAfter">whether the answer said when to try again</param>
    public sealed record Attempt(string JobId, int Node, TimeSpan SentAt, TimeSpan Took, int Status, string? ProblemType, bool RetryAfter = false);

    private readonly IReadOnlyList<NodeProcess> _nodes;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task[] _workers;
    private int _next;

    private PostingLoad(IReadOnlyList<NodeProcess> nodes, int workers, string prefix)
    {
        _nodes = nodes;
        _workers = Enumerable.Range(0, workers).Select(w => Task.Run(() => Work(w, prefix))).ToArray();
    }

    /// <summary>The load's clock: attempts' <see cref="Attempt.SentAt"/> are read on it.</summary>
    public Stopwatch Clock { get; } = Stopwatch.StartNew();

    /// <summary>Ids of jobs a node accepted (202), with when the accepted attempt was sent.</summary>
    public ConcurrentDictionary<string, TimeSpan> Acknowledged { get; } = new();

    public ConcurrentQueue<Attempt> Attempts { get; } = new();

    /// <summary>Nodes the load no longer posts to (e.g. one that was killed and is being restarted under another index).</summary>
    public ConcurrentDictionary<int, bool> Skipped { get; } = new();

    /// <summary><paramref name="nodes"/> is read at each post: replacing a node in it (a restart) is seen at once.</summary>
    public static PostingLoad Start(IReadOnlyList<NodeProcess> nodes, int workers, string prefix) => new(nodes, workers, prefix);

    public async Task UntilAcknowledgedAsync(int count, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (Acknowledged.Count < count)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"only {Acknowledged.Count} of {count} posts acknowledged in {within}");
            await Task.Delay(10);
        }
    }

    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_workers);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested) await StopAsync();
        _stop.Dispose();
    }

    private async Task Work(int worker, string prefix)
    {
        while (!_stop.IsCancellationRequested)
        {
            var id = $"{prefix}-{Interlocked.Increment(ref _next):D5}";
            var body = Job.Replace("@ID@", id);
            for (var attempt = 0; !_stop.IsCancellationRequested; attempt++)
            {
                var index = (worker + attempt) % _nodes.Count;
                if (Skipped.ContainsKey(index)) continue;
                var sentAt = Clock.Elapsed;
                int status;
                string? type = null;
                var retryAfter = false;
                try
                {
                    using var response = await _nodes[index].Http.PostJobAsync(body);
                    status = (int)response.StatusCode;
                    retryAfter = response.Headers.RetryAfter is not null;
                    if (status >= 400 && response.Content.Headers.ContentType?.MediaType == "application/problem+json")
                        type = JsonNode.Parse(await response.Content.ReadAsStringAsync())?["type"]?.GetValue<string>();
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    status = 0;
                }

                Attempts.Enqueue(new Attempt(id, index, sentAt, Clock.Elapsed - sentAt, status, type, retryAfter));
                if (status == (int)HttpStatusCode.Accepted)
                {
                    Acknowledged[id] = sentAt;
                    break;
                }

                await Task.Delay(100);
            }
        }
    }
}
