using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Orchestrator.EndToEnd.Tests.Infrastructure;

namespace Orchestrator.EndToEnd.Tests;

/// <summary>A node bound beyond loopback: a token, or it does not start; with one, changes need it and reads do not.</summary>
public class ApiTokenTests
{
    private const string Providers = """[{"id":"cp-one","resources":{"cpuCores":8,"ramMb":16384,"diskGb":100},"executors":["docker"],"pricePerHour":1.0}]""";
    private const string Token = "s3cret-token-for-the-e2e-test-0123";
    private const string Job = """{"requirements":{"resources":{"cpuCores":1,"ramMb":512,"diskGb":1}}}""";

    [Fact]
    public async Task A_node_bound_to_every_interface_without_a_token_refuses_to_start_and_says_why()
    {
        using var setup = NodeSetup.Create(Providers, httpBindHost: "0.0.0.0");
        await NodeProcess.AssertRefusesToStartAsync(setup, "--http", "ORCHESTRATOR_API_TOKEN");
    }

    [Fact]
    public async Task A_token_shorter_than_sixteen_characters_is_refused()
    {
        using var setup = NodeSetup.Create(Providers, httpBindHost: "0.0.0.0");
        setup.Environment["ORCHESTRATOR_API_TOKEN"] = "short";
        await NodeProcess.AssertRefusesToStartAsync(setup, "at least 16");
    }

    [Fact]
    public async Task With_a_token_changes_need_it_and_reads_do_not()
    {
        using var setup = NodeSetup.Create(Providers, httpBindHost: "0.0.0.0");
        var tokenFile = Path.Combine(setup.DataDirectory, "api-token");
        await File.WriteAllTextAsync(tokenFile, Token + "\n");
        setup.ExtraArguments.AddRange(["--api-token-file", tokenFile]);
        await using var node = await NodeProcess.StartAsync(setup);

        using (var none = await node.Http.PostJobAsync(Job))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
            Assert.Equal("Bearer", none.Headers.WwwAuthenticate.Single().Scheme);
            Assert.Contains("API token", await none.Content.ReadAsStringAsync());
        }

        using (var wrong = await Send(node, HttpMethod.Post, "/orchestrator/postJob", Job, Token + "x"))
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        using (var onboard = await Send(node, HttpMethod.Post, "/orchestrator/providers", "{}", token: null))
            Assert.Equal(HttpStatusCode.Unauthorized, onboard.StatusCode);

        using var right = await Send(node, HttpMethod.Post, "/orchestrator/postJob", Job, Token);
        Assert.Equal(HttpStatusCode.Accepted, right.StatusCode);

        // Nothing was posted by the refused requests; the accepted job reads back without a token.
        var location = right.Headers.Location!.OriginalString;
        var job = await node.Http.AwaitTerminalAsync(location.Split('/')[^1]);
        Assert.Equal("Contracted", job.State());
        using var health = await node.Http.GetAsync("/healthz/ready");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        var provider = Assert.Single(await node.Http.GetProvidersAsync());
        Assert.Equal(1, provider!["contracted"]!["cpuCores"]!.GetValue<int>());
    }

    private static Task<HttpResponseMessage> Send(NodeProcess node, HttpMethod method, string path, string body, string? token)
    {
        var request = new HttpRequestMessage(method, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return node.Http.SendAsync(request);
    }
}
