using System.CommandLine;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Orchestrator.Api;

namespace Orchestrator.Node.Cli;

/// <summary>A command that could not do what it was asked: the message, and the exit code scripts can rely on.</summary>
public sealed class CliFailure(string message, int exitCode, string? problemType = null, TimeSpan? retryAfter = null) : Exception(message)
{
    public int ExitCode { get; } = exitCode;

    /// <summary>The problem's <c>type</c> (<see cref="ProblemTypes"/>), when the node gave one.</summary>
    public string? ProblemType { get; } = problemType;

    /// <summary>When the node said to try again (Retry-After), if it did.</summary>
    public TimeSpan? RetryAfter { get; } = retryAfter;

    /// <summary>
    /// Whether a post that failed this way may have been stored: the node said it does not know, or it was never
    /// heard from (no connection, no answer in time).
    /// </summary>
    public bool OutcomeUnknown => ProblemType == ProblemTypes.PostOutcomeUnknown || (ExitCode == NodeClient.Unreachable && ProblemType != ProblemTypes.PostNotTaken);
}

/// <summary>
/// The operator commands' way to a node: its HTTP API (<c>--node</c>, default the node's own default address), with
/// the API token when the node is exposed. Problem answers become <see cref="CliFailure"/>s: exit 1 when the node
/// said no (unknown job, invalid request, conflict), 3 when it could not be reached or could not answer.
/// </summary>
public sealed class NodeClient : IDisposable
{
    public const int Refused = 1;
    public const int Unreachable = 3;

    public static readonly Option<string> NodeOption = new("--node")
    {
        Description = "the node's HTTP address (or ORCHESTRATOR_NODE)",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("ORCHESTRATOR_NODE") ?? "http://127.0.0.1:9999",
        Recursive = true,
    };

    public static readonly Option<string?> TokenOption = new("--token")
    {
        Description = "the node's API token, needed when it is exposed (or ORCHESTRATOR_API_TOKEN)",
        Recursive = true,
    };

    public static readonly Option<bool> JsonOption = new("--json") { Description = "print the node's JSON answer instead of a table", Recursive = true };

    private readonly HttpClient _http;

    private NodeClient(Uri node, string? token, TimeSpan timeout)
    {
        Node = node;
        _http = new HttpClient { BaseAddress = node, Timeout = timeout };
        if (token is { Length: > 0 }) _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
    }

    public Uri Node { get; }

    /// <summary>Adds the options every operator command takes (they apply to its subcommands too).</summary>
    public static T WithNodeOptions<T>(T command) where T : Command
    {
        command.Options.Add(NodeOption);
        command.Options.Add(TokenOption);
        command.Options.Add(JsonOption);
        return command;
    }

    public static NodeClient From(ParseResult parsed, TimeSpan? timeout = null)
    {
        var text = parsed.GetValue(NodeOption)!;
        if (!Uri.TryCreate(text, UriKind.Absolute, out var node) || node.Scheme is not ("http" or "https"))
            throw new CliFailure($"--node: '{text}' is not an http(s) address", 2);
        var token = parsed.GetValue(TokenOption) ?? Environment.GetEnvironmentVariable("ORCHESTRATOR_API_TOKEN");
        return new NodeClient(node, token, timeout ?? TimeSpan.FromSeconds(30));
    }

    public Task<JsonElement> GetAsync(string path, CancellationToken ct) => SendAsync(HttpMethod.Get, path, null, ct);

    /// <summary>What the last answer says it could not include (e.g. providers on an unreachable member), or null.</summary>
    public string? Partial { get; private set; }

    private static string? PartialAnswer(HttpResponseMessage response)
    {
        static string? Header(HttpResponseMessage r, string name) => r.Headers.TryGetValues(name, out var values) ? string.Join(", ", values) : null;
        var notShown = Header(response, "Orchestrator-Providers-Not-Shown");
        var loading = Header(response, "Orchestrator-Providers-Loading");
        var members = Header(response, "Orchestrator-Unreachable-Members");
        var said = new[]
        {
            notShown is null ? null : $"not shown (no answer): {notShown}",
            members is null ? null : $"unreachable member(s): {members}",
            loading is null ? null : $"the node is still starting: {loading}",
        }.OfType<string>().ToArray();
        return said.Length == 0 ? null : string.Join("; ", said);
    }

    public Task<JsonElement> PostAsync(string path, string? json, CancellationToken ct) => SendAsync(HttpMethod.Post, path, json, ct);

    public Task<JsonElement> DeleteAsync(string path, CancellationToken ct) => SendAsync(HttpMethod.Delete, path, null, ct);

    /// <summary>A JSON body from a file, or standard input for '-'; a file that cannot be read is a usage error (2).</summary>
    public static async Task<string> ReadBodyAsync(string path, CancellationToken ct)
    {
        try
        {
            return path == "-" ? await Console.In.ReadToEndAsync(ct) : await File.ReadAllTextAsync(path, ct);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliFailure($"cannot read '{path}': {(e is FileNotFoundException or DirectoryNotFoundException ? "no such file" : e.Message)}", 2);
        }
    }

    public async Task<T> GetAsync<T>(string path, CancellationToken ct) => Read<T>(await GetAsync(path, ct));

    public static T Read<T>(JsonElement json) => json.Deserialize<T>(ApiJson.Reading) ?? throw new CliFailure("the node answered nothing", Unreachable);

    /// <summary>The response stream of a long-lived GET (Server-Sent Events).</summary>
    public async Task<Stream> OpenStreamAsync(string path, CancellationToken ct)
    {
        try
        {
            var response = await _http.SendAsync(new HttpRequestMessage(HttpMethod.Get, path), HttpCompletionOption.ResponseHeadersRead, ct);
            if (!response.IsSuccessStatusCode) Fail(response.StatusCode, await response.Content.ReadAsStringAsync(ct));
            return await response.Content.ReadAsStreamAsync(ct);
        }
        catch (HttpRequestException e)
        {
            throw new CliFailure($"cannot reach the node at {Node}: {e.Message}", Unreachable);
        }
    }

    private async Task<JsonElement> SendAsync(HttpMethod method, string path, string? json, CancellationToken ct)
    {
        HttpResponseMessage response;
        try
        {
            var request = new HttpRequestMessage(method, path);
            if (json is not null) request.Content = new StringContent(json, Encoding.UTF8, "application/json");
            response = await _http.SendAsync(request, ct);
        }
        catch (HttpRequestException e)
        {
            throw new CliFailure($"cannot reach the node at {Node}: {e.Message}", Unreachable);
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new CliFailure($"the node at {Node} did not answer within {_http.Timeout.TotalSeconds:0} s", Unreachable);
        }

        var body = await response.Content.ReadAsStringAsync(ct);
        if (!response.IsSuccessStatusCode) Fail(response.StatusCode, body, response.Headers.RetryAfter?.Delta);
        Partial = PartialAnswer(response);
        using var document = JsonDocument.Parse(body.Length == 0 ? "null" : body);
        return document.RootElement.Clone();
    }

    /// <summary>The node's problem answer as one line: its title and detail.</summary>
    private static void Fail(HttpStatusCode status, string body, TimeSpan? retryAfter = null)
    {
        var message = $"{(int)status} {status}";
        string? type = null;
        try
        {
            using var problem = JsonDocument.Parse(body);
            var title = problem.RootElement.TryGetProperty("title", out var t) ? t.GetString() : null;
            var detail = problem.RootElement.TryGetProperty("detail", out var d) ? d.GetString() : null;
            type = problem.RootElement.TryGetProperty("type", out var ty) && ty.ValueKind == JsonValueKind.String ? ty.GetString() : null;
            message = string.Join(" ", new[] { title, detail }.Where(s => !string.IsNullOrEmpty(s)).DefaultIfEmpty(message));
        }
        catch (JsonException)
        {
        }

        var code = status switch
        {
            HttpStatusCode.Unauthorized => $"{message} (give the node's API token with --token or ORCHESTRATOR_API_TOKEN)",
            _ => message,
        };
        throw new CliFailure(code, (int)status >= 500 ? Unreachable : Refused, type, retryAfter);
    }

    public void Dispose() => _http.Dispose();
}
