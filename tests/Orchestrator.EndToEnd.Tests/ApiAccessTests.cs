using Orchestrator.Node.Startup;

namespace Orchestrator.EndToEnd.Tests;

/// <summary>Which --http bindings count as reachable from other machines.</summary>
public class ApiAccessTests
{
    [Theory]
    [InlineData("http://127.0.0.1:9999")]
    [InlineData("http://localhost:9999")]
    [InlineData("http://[::1]:9999")]
    [InlineData("http://127.0.0.1:9999;http://[::1]:9998")]
    public void Loopback_bindings_need_no_token(string http) =>
        Assert.False(ApiAccess.From(new NodeOptions { Http = http }).Exposed);

    [Theory]
    [InlineData("http://0.0.0.0:9999")]
    [InlineData("http://*:9999")]
    [InlineData("http://+:9999")]
    [InlineData("http://[::]:9999")]
    [InlineData("http://192.168.1.5:9999")]
    [InlineData("http://orchestrator.example:9999")]
    [InlineData("http://127.0.0.1:9999;http://0.0.0.0:9998")]
    public void Any_other_binding_needs_a_token(string http)
    {
        var refused = Assert.Throws<StartupException>(() => ApiAccess.From(new NodeOptions { Http = http }));
        Assert.Contains("API token", refused.Message);
        Assert.True(ApiAccess.From(new NodeOptions { Http = http, ApiToken = new string('t', 16) }).Exposed);
    }
}
