using System.Net;
using System.Text.Json.Nodes;
using Orchestrator.EndToEnd.Tests.Infrastructure;

namespace Orchestrator.EndToEnd.Tests;

/// <summary>Bad input gets a precise error naming the field, and changes nothing.</summary>
public class BadInputTests(ExampleNodeFixture fixture) : IClassFixture<ExampleNodeFixture>
{
    private HttpClient Http => fixture.Node.Http;

    private const string Ok = "\"resources\":{\"cpuCores\":1,\"ramMb\":256,\"diskGb\":1}";

    /// <summary>Puts a valid resources object where a case writes @RES@, so each case shows only its mistake.</summary>
    private static string R(string body) => body.Replace("@RES@", Ok);

    /// <summary>Each case: a job id carried in the body (to prove afterwards that nothing was stored), the body, the field named.</summary>
    public static TheoryData<string, string, string> Cases => new()
    {
        // Cut short: said of the body, not blamed on the last field read.
        { "bad-01", """{"jobId":"bad-01","requirements":{"resources":{"cpuCores":1,""", "body" },
        { "bad-02", """{"jobId":"bad-02","requirements":{"resources":{"cpuCores":"2","ramMb":256,"diskGb":1}}}""", "requirements.resources.cpuCores" },
        { "bad-03", """{"jobId":"bad-03","requirements":{"resources":{"cpuCores":2.5,"ramMb":256,"diskGb":1}}}""", "requirements.resources.cpuCores" },
        { "bad-04", """{"jobId":"bad-04"}""", "requirements" },
        { "bad-05", """{"jobId":"bad-05","requirements":{}}""", "requirements.resources" },
        { "bad-06", """{"jobId":"bad-06","requirements":{"resources":{"cpuCores":0,"ramMb":256,"diskGb":1}}}""", "requirements.resources.cpuCores" },
        { "bad-07", """{"jobId":"bad-07","requirements":{"resources":{"cpuCores":1,"ramMb":-256,"diskGb":1}}}""", "requirements.resources.ramMb" },
        { "bad-08", """{"jobId":"bad-08","requirements":{"resources":{"cpuCores":1,"ramMb":256,"diskGb":1000000000000}}}""", "requirements.resources.diskGb" },
        { "bad-09", R("""{"jobId":"bad-09","requirements":{@RES@,"executors":["kubernetes"]}}"""), "requirements.executors[0]" },
        { "bad-10", R("""{"jobId":"bad-10","orchestrationType":"broadcast","requirements":{@RES@}}"""), "orchestrationType" },
        { "bad-11", R("""{"jobId":"bad-11-@LONG@","requirements":{@RES@}}""").Replace("@LONG@", new string('x', 200)), "jobId" },
        { "bad-12", R("""{"jobId":"bad-12/../etc","requirements":{@RES@}}"""), "jobId" },
        { "bad-13", R("""{"jobId":"bad-13","priority":7,"requirements":{@RES@}}"""), "priority" },
        { "bad-14", R("""{"jobId":"bad-14","requirements":{@RES@,"maxPricePerHour":-1}}"""), "requirements.maxPricePerHour" },
        { "bad-15", """{"jobId":"bad-15","requirements":{"resources":{"cpuCores":1,"ramMb":256,"diskGb":1,"gpus":[{"vendor":"nvidia","vramMb":0}]}}}""", "requirements.resources.gpus[0].vramMb" },
        { "bad-16", R("""{"jobId":"bad-16","requirements":{@RES@,"localities":[{"kind":"country"}]}}"""), "requirements.localities[0].name" },
        { "bad-17", R("""{"jobId":"bad-17","requirements":{@RES@,"durationMinutes":0}}"""), "requirements.durationMinutes" },
        { "bad-18", """{"jobId":"bad-18","requirements":{"resources":{"cpuCores":null,"ramMb":256,"diskGb":1}}}""", "requirements.resources.cpuCores" },
        { "bad-19", """{"jobId":"bad-19","requirements":{"resources":{"cpuCores":99999999999,"ramMb":256,"diskGb":1}}}""", "requirements.resources.cpuCores" },
        { "bad-20", R("""{"jobId":"bad-20","requirements":{@RES@,"executors":[0]}}"""), "requirements.executors[0]" },
        { "bad-21", R("""{"jobId":"bad-21","orchestrationType":"push","requirements":{@RES@}}"""), "targetProviders" },
        { "bad-22", R("""{"jobId":"bad-22","requirements":{@RES@,"localities":"DE"}}"""), "requirements.localities" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Each_malformed_request_is_400_naming_the_field_and_nothing_is_persisted(string jobId, string body, string field)
    {
        using var response = await Http.PostJobAsync(body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"expected 400, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);

        var problem = JsonNode.Parse(text)!;
        Assert.Equal(400, problem["status"]!.GetValue<int>());
        var errors = problem["errors"]!.AsObject();
        Assert.True(errors.ContainsKey(field), $"expected an error for '{field}', got: {errors.ToJsonString()}");
        Assert.All(errors[field]!.AsArray(), m => Assert.False(string.IsNullOrWhiteSpace(m!.GetValue<string>())));
        AssertUsersWords(text);

        using var lookup = await Http.GetAsync($"/orchestrator/jobs/{Uri.EscapeDataString(jobId)}");
        Assert.Equal(HttpStatusCode.NotFound, lookup.StatusCode);
    }

    /// <summary>Each case: the body, the field named, and what the message must say (ranges and allowed values stated).</summary>
    public static TheoryData<string, string, string> Wording => new()
    {
        { R("""{"selection":"best","requirements":{@RES@}}"""), "selection", "must be one of score, lowest-price, earliest-bid" },
        { R("""{"requirements":{@RES@,"labels":[{"key":"gpu","op":"~","value":"x"}]}}"""), "requirements.labels[0].op", "must be one of =, !=, in, not in, exists, <, <=, >, >=" },
        { R("""{"requirements":{@RES@,"jobType":"forever"}}"""), "requirements.jobType", "must be one of batch, single_run, recurring, long_running" },
        { """{"requirements":{"resources":{"cpuCores":99999999999,"ramMb":256,"diskGb":1}}}""", "requirements.resources.cpuCores", "must be a whole number in the field's range; 99999999999 is far beyond it" },
        { """{"requirements":{"resources":null}}""", "requirements.resources", "must not be null" },
        { """{"requirements":{"resources":{"cpuCores":1,"ramMB":256,"diskGb":1}}}""", "requirements.resources.ramMB", "is not a known field" },
        { """{"requirements":""", "body", "is not valid JSON: it ends at byte 16, before every string, object and list is closed (was it cut short?)" },
        { """{"requirements": {'resources': 1}}""", "requirements", "is not valid JSON at line 1" },
        { R("""{"requirements":{@RES@,"localities":[{"kind":"planet","name":"Mars"}]}}"""), "requirements.localities[0].kind", "'planet' is not one of continent, country, region, city" },
        { R("""{"jobId":"job/1","requirements":{@RES@}}"""), "jobId", "letters and digits (any script) and . _ - :" },
    };

    [Theory]
    [MemberData(nameof(Wording))]
    public async Task Errors_state_ranges_and_allowed_values_in_the_API_s_words(string body, string field, string saying)
    {
        using var response = await Http.PostJobAsync(body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"expected 400, got {(int)response.StatusCode}: {text}");
        var errors = JsonNode.Parse(text)!["errors"]!.AsObject();
        Assert.True(errors.ContainsKey(field), $"expected an error for '{field}', got: {errors.ToJsonString()}");
        Assert.Contains(errors[field]!.AsArray(), m => m!.GetValue<string>().Contains(saying, StringComparison.Ordinal));
        AssertUsersWords(text);
    }

    [Fact]
    public async Task Ids_in_any_script_are_accepted_and_echoed_intact()
    {
        const string id = "jöb-äpfel-東京-1";
        var posted = await Http.PostJobOkAsync(R("""{"jobId":"@ID@","requirements":{@RES@}}""").Replace("@ID@", id));
        Assert.Equal(id, posted);
        var job = await Http.AwaitTerminalAsync(id);
        Assert.Equal(id, job["jobId"]!.GetValue<string>());
        Assert.Equal(id, job["contract"]?["jobId"]?.GetValue<string>() ?? id);
    }

    /// <summary>No framework text: no .NET type names, no serializer internals.</summary>
    private static void AssertUsersWords(string text)
    {
        foreach (var leak in new[] { "System.", "Orchestrator.Protocol", "Consider ", "Path:", "LineNumber", "BytePosition", "Int32", "nullability", "reader options" })
            Assert.False(text.Contains(leak, StringComparison.Ordinal), $"framework text '{leak}' in: {text}");
    }

    [Theory]
    [InlineData("null")]
    [InlineData("[]")]
    [InlineData("")]
    [InlineData("42")]
    public async Task A_body_that_is_not_a_job_object_is_400_naming_the_body(string body)
    {
        using var response = await Http.PostJobAsync(body);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["errors"]!.AsObject();
        Assert.True(errors.ContainsKey("body"), errors.ToJsonString());
    }

    [Fact]
    public async Task A_body_over_the_size_limit_is_refused_with_413_and_not_read_further()
    {
        // Past 64 KiB and the room a description has for a program's module inline (orchestrator.execution.inlineModuleLimit, 1 MiB as base64).
        var many = string.Join(",", Enumerable.Repeat("""{"kind":"city","name":"Somewhere"}""", 50_000));
        var huge = R("""{"jobId":"bad-huge","requirements":{@RES@,"localities":[@MANY@]}}""").Replace("@MANY@", many);
        using var response = await Http.PostJobAsync(huge);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("body", await response.Content.ReadAsStringAsync());
        using var lookup = await Http.GetAsync("/orchestrator/jobs/bad-huge");
        Assert.Equal(HttpStatusCode.NotFound, lookup.StatusCode);
    }

    [Fact]
    public async Task A_body_that_is_not_json_is_415()
    {
        using var response = await Http.PostJobAsync(R("""{"jobId":"bad-text","requirements":{@RES@}}"""), "text/plain");
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        using var lookup = await Http.GetAsync("/orchestrator/jobs/bad-text");
        Assert.Equal(HttpStatusCode.NotFound, lookup.StatusCode);
    }
}
