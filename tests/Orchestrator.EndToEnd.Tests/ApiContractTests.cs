using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Orchestrator.EndToEnd.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Orchestrator.EndToEnd.Tests;

/// <summary>
/// The OpenAPI document is the contract, proved against the running node: it passes an established linter's
/// recommended rules (Redocly CLI, from the npm registry), and every answer of every operation — good requests, unknown
/// and malformed ids, each query parameter right and wrong, one it does not take, no token where one is needed, and
/// bodies fuzzed from the document's own schemas — has a status, content type and body the document gives it.
/// </summary>
public sealed class ApiContractTests(ApiContractTests.Node fixture, ITestOutputHelper output) : IClassFixture<ApiContractTests.Node>
{
    public const string Token = "api-contract-token-0123456789abcdef";

    /// <summary>A node with a token, a run that kept an output, a contract, an uploaded module.</summary>
    public sealed class Node : IAsyncLifetime
    {
        public NodeProcess Process { get; private set; } = null!;
        public byte[] Module { get; } = Wasmtime.Module.ConvertText(Repository.Read("examples/wasm/echo.wat"));
        public string ModuleSha256 { get; private set; } = "";
        public string ContractId { get; private set; } = "";

        public async Task InitializeAsync()
        {
            var setup = NodeSetup.Create(RunTests.Providers, "orchestrator.execution { heartbeat = 300ms, lostAfter = 3s, restart.mode = never }");
            setup.Environment["ORCHESTRATOR_API_TOKEN"] = Token;
            Process = await NodeProcess.StartAsync(setup);
            var echo = new JsonObject { ["executor"] = "wasm", ["module"] = Convert.ToBase64String(Module), ["stdin"] = "kept", ["outputs"] = new JsonArray("echo.txt") };
            using var post = await Send(HttpMethod.Post, "/orchestrator/postJob", OpenApiConformance.Json(RunTests.RunJob("ran", echo)));
            Assert.Equal(HttpStatusCode.Accepted, post.StatusCode);
            var job = await Process.Http.AwaitTerminalAsync("ran");
            Assert.Equal("Completed", job.State());
            ContractId = job["contract"]!["contractId"]!.GetValue<string>();
            // A run long enough to be cancelled when the walk gets to it.
            using var running = await Send(HttpMethod.Post, "/orchestrator/postJob", OpenApiConformance.Json(RunTests.RunJob("to-cancel", RunTests.Simulated("sleep-ms=600000"))));
            Assert.Equal(HttpStatusCode.Accepted, running.StatusCode);
            using var upload = await Send(HttpMethod.Post, "/orchestrator/modules", Binary(Module, "application/wasm"));
            ModuleSha256 = JsonNode.Parse(await upload.Content.ReadAsStringAsync())!["sha256"]!.GetValue<string>();
        }

        public Task<HttpResponseMessage> Send(HttpMethod method, string uri, HttpContent? content = null, bool token = true)
        {
            var request = new HttpRequestMessage(method, uri) { Content = content };
            if (token) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token);
            return Process.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        }

        public async Task DisposeAsync()
        {
            await Process.DisposeAsync();
            Process.Setup.Dispose();
        }
    }

    /// <summary>Redocly without its telemetry and update notice.</summary>
    private static readonly Dictionary<string, string> Quiet = new() { ["REDOCLY_TELEMETRY"] = "off", ["REDOCLY_SUPPRESS_UPDATE_NOTICE"] = "true" };

    private static ByteArrayContent Binary(byte[] bytes, string type) => new(bytes) { Headers = { ContentType = new MediaTypeHeaderValue(type) } };

    [Fact]
    public async Task The_document_passes_the_linters_recommended_rules()
    {
        var folder = Path.Combine(Repository.Root, "tests", "openapi-lint");
        var redocly = Path.Combine(folder, "node_modules", ".bin", "redocly");
        if (!File.Exists(redocly))
        {
            var (installed, said) = await Processes.TryRunAsync("npm", ["ci", "--no-audit", "--no-fund"], folder);
            Assert.True(installed == 0, $"npm ci in tests/openapi-lint failed:\n{said}");
        }

        var file = Path.Combine(fixture.Process.Setup.DataDirectory, "openapi.json");
        await File.WriteAllTextAsync(file, await fixture.Process.Http.GetStringAsync("/openapi/v1.json"));
        var (exit, text) = await Processes.TryRunAsync(redocly, ["lint", file, "--config", Path.Combine(folder, "redocly.yaml"), "--format", "json"], folder, Quiet);
        var json = text[text.IndexOf('{')..(text.LastIndexOf('}') + 1)];
        var problems = JsonNode.Parse(json)!["problems"]!.AsArray()
            .Select(p => $"{p!["severity"]} {p["ruleId"]} at {p["location"]![0]!["pointer"]}: {p["message"]}").ToList();
        Assert.True(problems.Count == 0 && exit == 0, $"redocly lint ({exit}):\n{string.Join("\n", problems)}");
    }

    [Fact]
    public async Task Every_answer_of_every_operation_is_what_the_document_says()
    {
        var document = JsonNode.Parse(await fixture.Process.Http.GetStringAsync("/openapi/v1.json"))!.AsObject();
        var contract = new OpenApiConformance(document);
        var statuses = new Dictionary<string, HashSet<int>>();
        foreach (var (path, method, operation) in contract.Operations().ToList())
        {
            var seen = statuses[$"{method} {path}"] = [];
            foreach (var (variant, uri, content, token) in Requests(path, method, operation, contract))
            {
                using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                using var response = await fixture.Send(new HttpMethod(method), uri, content, token);
                seen.Add((int)response.StatusCode);
                await contract.CheckAsync(path, method, variant, response);
            }
        }

        output.WriteLine($"{contract.Checked} answers to {statuses.Count} operations checked");
        foreach (var (operation, codes) in statuses) output.WriteLine($"  {operation}: {string.Join(", ", codes.Order())}");
        Assert.True(contract.Mismatches.Count == 0, $"{contract.Mismatches.Count} of {contract.Checked} answers contradict the document:\n" + string.Join("\n", contract.Mismatches.Take(40)));
        // The walk reached each operation's success and its refusals; the commands on members it sends only to an address
        // that is not one (their success would change the cluster, or join another).
        string[] unsafeToSucceed = ["POST /ops/cluster/join", "POST /ops/cluster/leave", "POST /ops/cluster/down", "POST /ops/faults/blackhole", "POST /ops/faults/restore"];
        Assert.All(statuses.Where(s => !unsafeToSucceed.Contains(s.Key)), s => Assert.True(s.Value.Any(code => code < 300), $"{s.Key}: no success among {string.Join(", ", s.Value)}"));
        Assert.All(statuses, s => Assert.True(s.Value.Any(code => code is >= 400 and < 500), $"{s.Key}: no refusal among {string.Join(", ", s.Value)}"));
        Assert.True(contract.Checked > 600, $"only {contract.Checked} answers checked");
    }

    private const string Resources = "\"requirements\":{\"resources\":{\"cpuCores\":1,\"ramMb\":64,\"diskGb\":1}}";

    /// <summary>The edges a new user found, each answered as problem details naming what is wrong.</summary>
    public static TheoryData<string, string, string, string?, string?, int, string> Edges => new()
    {
        { "a job id '.'", "POST", "/orchestrator/postJob", "application/json", "{\"jobId\":\".\"," + Resources + "}", 400, "jobId: must not be '.' alone" },
        { "a job id '..'", "POST", "/orchestrator/postJob", "application/json", "{\"jobId\":\"..\"," + Resources + "}", 400, "jobId: must not be '..' alone" },
        { "a key given twice", "POST", "/orchestrator/postJob", "application/json", "{\"jobId\":\"a\",\"jobId\":\"b\"," + Resources + "}", 400, "jobId: is given twice" },
        { "truncated JSON", "POST", "/orchestrator/postJob", "application/json", "{\"jobId\":\"a\",\"requirements\":{\"resources\":{\"cpu", 400, "body: is not valid JSON: it ends at byte 46, before every string, object and list is closed (was it cut short?)" },
        { "three fields wrong at once", "POST", "/orchestrator/postJob", "application/json",
          "{\"jobId\":5,\"requirements\":{\"resources\":{\"cpuCores\":\"two\",\"ramMb\":1,\"diskGb\":1,\"colour\":\"red\"}}}", 400,
          "jobId: must be a string; requirements.resources.cpuCores: must be a whole number, not text; requirements.resources.colour: is not a known field" },
        { "null in a list of strings", "POST", "/orchestrator/postJob", "application/json",
          "{" + Resources + ",\"preferences\":[{\"weight\":1,\"label\":{\"key\":\"tier\",\"op\":\"in\",\"values\":[\"gold\",null]}}]}", 400,
          "preferences[0].label.values[1]: must be a string, not null" },
        { "a wrong content type on a job", "POST", "/orchestrator/postJob", "text/plain", "{}", 415, "Content-Type: expected application/json, got 'text/plain'" },
        { "a wrong content type on a module", "POST", "/orchestrator/modules", "text/plain", "x", 415, "Content-Type: expected application/wasm or application/octet-stream, got 'text/plain'" },
        { "a wrong content type on an ops command", "POST", "/ops/cluster/leave", "text/plain", "{}", 415, "Content-Type: expected application/json" },
        { "an ops command without its address", "POST", "/ops/cluster/down", "application/json", "{}", 400, "address: is required" },
        { "an ops command with a bad address", "POST", "/ops/cluster/leave", "application/json", "{\"address\":\"nonsense\"}", 400, "address: 'nonsense' is not an actor system address" },
        { "an ops command with an unknown field", "POST", "/ops/faults/blackhole", "application/json", "{\"address\":\"akka.tcp://o@h:1\",\"force\":true}", 400, "force: is not a known field" },
        { "a misspelt query parameter", "GET", "/orchestrator/jobs?limt=5", null, null, 400, "limt: is not a parameter of this route; did you mean 'limit'? (it takes state, since, until, search, offset, limit)" },
        { "an empty search", "GET", "/orchestrator/jobs?search=", null, null, 400, "search: must be 1 to 128 characters, was 0" },
        { "a search longer than any id", "GET", "/orchestrator/jobs?search=" + new string('x', 129), null, null, 400, "search: must be 1 to 128 characters, was 129" },
        { "a listing that ends before it starts", "GET", "/orchestrator/jobs?since=2026-12-01T00:00:00Z&until=2026-11-01T00:00:00Z", null, null, 400, "until: must be after since" },
        { "a listing pinned to no time", "GET", "/orchestrator/jobs?until=yesterday", null, null, 400, "until: 'yesterday' is not a date and time" },
        { "a query parameter on a route that takes none", "GET", "/healthz/live?verbose=1", null, null, 400, "verbose: is not a parameter of this route (it takes none)" },
        { "a query parameter on the metrics", "GET", "/metrics?x=1", null, null, 400, "x: is not a parameter of this route (it takes none)" },
        { "a 10 KB path segment", "GET", "/orchestrator/jobs/" + new string('a', 10_000), null, null, 414, "path and query: at most 8192 bytes, was 10019" },
        { "a malformed job id in a path", "GET", "/orchestrator/jobs/a%20b", null, null, 400, "jobId: may contain only letters and digits" },
    };

    [Theory]
    [MemberData(nameof(Edges))]
    public async Task An_edge_is_answered_as_problem_details_naming_what_is_wrong(string edge, string method, string uri, string? contentType, string? body, int status, string detail)
    {
        using var response = await fixture.Send(new HttpMethod(method), uri, body is null ? null : OpenApiConformance.Json(body, contentType!));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == status, $"{edge}: {(int)response.StatusCode} {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.True(JsonNode.Parse(text)!["detail"]!.GetValue<string>().Contains(detail, StringComparison.Ordinal), $"{edge}: {text}");
    }

    [Theory]
    [InlineData("a decomposed ö (o + U+0308)", "jo\u0308b-decomposed", "jöb-decomposed")]
    [InlineData("letters outside the Basic Multilingual Plane", "\U0001D49C\U0002000B-job", "\U0001D49C\U0002000B-job")]
    [InlineData("Devanagari with its vowel signs", "नमस्ते-job", "नमस्ते-job")]
    public async Task An_accepted_id_is_kept_normalised_and_reads_back_at_its_location(string what, string given, string kept)
    {
        var body = new JsonObject { ["jobId"] = given, ["requirements"] = JsonNode.Parse("""{"resources":{"cpuCores":1,"ramMb":64,"diskGb":1}}""") };
        using var post = await fixture.Send(HttpMethod.Post, "/orchestrator/postJob", OpenApiConformance.Json(body.ToJsonString()));
        var text = await post.Content.ReadAsStringAsync();
        Assert.True(post.StatusCode == HttpStatusCode.Accepted, $"{what}: {(int)post.StatusCode} {text}");
        Assert.Equal(kept, JsonNode.Parse(text)!["jobId"]!.GetValue<string>());
        using var atLocation = await fixture.Send(HttpMethod.Get, post.Headers.Location!.OriginalString);
        Assert.Equal(kept, JsonNode.Parse(await atLocation.Content.ReadAsStringAsync())!["jobId"]!.GetValue<string>());
        // The form it was given in names the same job.
        using var asGiven = await fixture.Send(HttpMethod.Get, "/orchestrator/jobs/" + Uri.EscapeDataString(given));
        Assert.Equal(HttpStatusCode.OK, asGiven.StatusCode);
    }

    [Fact]
    public async Task The_root_leads_a_browser_to_the_console()
    {
        // The client follows the redirect, as a browser does.
        using var response = await fixture.Send(HttpMethod.Get, "/");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("/ui/", response.RequestMessage!.RequestUri!.AbsolutePath);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Headers_beyond_the_nodes_limit_are_answered_as_problem_details()
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/healthz/live");
        request.Headers.Add("X-Padding", new string('a', 40_000));
        using var response = await fixture.Process.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.RequestHeaderFieldsTooLarge, response.StatusCode);
        Assert.Contains("headers: at most 32768 bytes in all", await response.Content.ReadAsStringAsync());
    }

    /// <summary>The requests made for one operation: each with a name for the report.</summary>
    private IEnumerable<(string Variant, string Uri, HttpContent? Content, bool Token)> Requests(string path, string method, JsonObject operation, OpenApiConformance contract)
    {
        var parameters = operation["parameters"]?.AsArray().Select(p => p!.AsObject()).ToList() ?? [];
        var pathNames = parameters.Where(p => p["in"]!.GetValue<string>() == "path").Select(p => p["name"]!.GetValue<string>()).ToList();
        var queries = parameters.Where(p => p["in"]!.GetValue<string>() == "query").ToList();
        var good = pathNames.ToDictionary(n => n, n => Sample(path, method, n));
        string Uri(Dictionary<string, string> values, string query = "") =>
            values.Aggregate(path, (p, v) => p.Replace("{" + v.Key + "}", System.Uri.EscapeDataString(v.Value))) + query;
        HttpContent? Body() => GoodBody(path);

        if (operation["security"] is JsonArray { Count: > 0 })
            yield return ("no token", Uri(good), Body(), false);
        if (path != "/ops/cluster/join") yield return ("good", Uri(good), Body(), true);
        yield return ("a query parameter it does not take", Uri(good, "?bogus=1"), Body(), true);
        foreach (var name in pathNames)
        {
            yield return ($"unknown {name}", Uri(new(good) { [name] = Unknown(name) }), Body(), true);
            yield return ($"malformed {name}", Uri(new(good) { [name] = "a b/c" }), Body(), true);
        }

        foreach (var query in queries)
        {
            var name = query["name"]!.GetValue<string>();
            var schema = query["schema"]!;
            var (right, wrong) = QueryValues(name, schema);
            yield return ($"{name}={right}", Uri(good, $"?{name}={System.Uri.EscapeDataString(right)}"), Body(), true);
            yield return ($"{name}={wrong}", Uri(good, $"?{name}={System.Uri.EscapeDataString(wrong)}"), Body(), true);
        }

        var body = operation["requestBody"]?["content"]?.AsObject();
        if (body is null) yield break;
        if (body.ContainsKey("application/json"))
        {
            yield return ("as text/plain", Uri(good), OpenApiConformance.Json(GoodJson(path).ToJsonString(), "text/plain"), true);
            yield return ("no body", Uri(good), null, true);
            yield return ("an empty JSON body", Uri(good), OpenApiConformance.Json(""), true);
            yield return ("a JSON null", Uri(good), OpenApiConformance.Json("null"), true);
            yield return ("a JSON list", Uri(good), OpenApiConformance.Json("[]"), true);
            var text = GoodJson(path).ToJsonString();
            yield return ("truncated", Uri(good), OpenApiConformance.Json(text[..(text.Length / 2)]), true);
            yield return ("a key given twice", Uri(good), OpenApiConformance.Json("{\"x\":1,\"x\":2," + text[1..]), true);
            yield return ("over 1 MiB", Uri(good), OpenApiConformance.Json(text[..^1] + ",\"pad\":\"" + new string('x', 1 << 20) + "\"}"), true);
            foreach (var (name, mutated) in SchemaFuzzer.Mutations(GoodJson(path), body["application/json"]!["schema"]!, contract))
                yield return (name, Uri(good), OpenApiConformance.Json(mutated), true);
        }
        else
        {
            yield return ("as text/plain", Uri(good), OpenApiConformance.Json("x", "text/plain"), true);
            yield return ("not WebAssembly", Uri(good), Binary("not a module"u8.ToArray(), "application/wasm"), true);
            yield return ("empty", Uri(good), Binary([], "application/octet-stream"), true);
        }
    }

    private string Sample(string path, string method, string name) => (name, method) switch
    {
        ("jobId", _) when path.EndsWith("/cancel", StringComparison.Ordinal) => "to-cancel",
        ("jobId", _) => "ran",
        ("providerId", "DELETE") => "cp-reserve",
        ("providerId", _) => "cp-run",
        ("contractId", _) => fixture.ContractId,
        ("sha256", _) => fixture.ModuleSha256,
        ("region", _) => "job",
        ("name", _) => "echo.txt",
        _ => throw new InvalidOperationException($"no sample for the path parameter '{name}': add one"),
    };

    private static string Unknown(string name) => name switch
    {
        "sha256" => new string('0', 64),
        "contractId" => "no-such-job@cp-run",
        _ => "no-such-" + name.ToLowerInvariant(),
    };

    private (string Right, string Wrong) QueryValues(string name, JsonNode schema)
    {
        if (schema["enum"] is JsonArray words) return (words[0]!.GetValue<string>(), "no-such-word");
        var type = schema["type"]?.ToString() ?? "string";
        return (name, type) switch
        {
            ("jobId", _) => ("ran", "a b"),
            ("provider", _) => ("cp-run", "a b"),
            ("requester", _) => ("sp-e2e", "a b"),
            (_, _) when schema["format"]?.GetValue<string>() == "date-time" => ("2026-01-01T00:00:00Z", "yesterday"),
            (_, var t) when t.Contains("integer") => ("1", "not-a-number"),
            (_, var t) when t.Contains("boolean") => ("true", "maybe"),
            _ => ("x", new string('x', 300)),
        };
    }

    /// <summary>A good body for each route that takes one.</summary>
    private static JsonObject GoodJson(string path) => path switch
    {
        "/orchestrator/postJob" or "/orchestrator/plan" => JsonNode.Parse("""
            {"requirements":{"resources":{"cpuCores":1,"ramMb":64,"diskGb":1},"maxPricePerHour":5,"durationMinutes":1,
                             "localities":[{"kind":"continent","name":"Europe"}]},
             "preferences":[{"weight":60,"label":{"key":"tier","op":"in","values":["gold"]}}]}
            """)!.AsObject(),
        "/orchestrator/providers" => JsonNode.Parse("""
            {"id":"cp-fuzz","resources":{"cpuCores":2,"ramMb":1024,"diskGb":10},"executors":["docker"],"pricePerHour":1.5,
             "localities":[{"kind":"country","name":"FI"}],"labels":{"tier":"gold"}}
            """)!.AsObject(),
        _ => new JsonObject { ["address"] = "akka.tcp://orchestrator@127.0.0.1:1" },
    };

    private HttpContent? GoodBody(string path) => path switch
    {
        "/orchestrator/modules" => Binary(fixture.Module, "application/wasm"),
        "/orchestrator/postJob" or "/orchestrator/plan" or "/orchestrator/providers" or "/ops/cluster/leave" or "/ops/cluster/down"
            or "/ops/cluster/join" or "/ops/faults/blackhole" or "/ops/faults/restore" => OpenApiConformance.Json(GoodJson(path).ToJsonString()),
        _ => null,
    };

}
