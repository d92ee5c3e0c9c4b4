using System.Net;
using System.Net.Sockets;
using Orchestrator.EndToEnd.Tests.Infrastructure;

namespace Orchestrator.EndToEnd.Tests;

/// <summary>
/// Bad start-ups, as a user types them: each stops the node with exit code 2 and a message naming the option or
/// setting (and what would be right), never a stack trace, and nothing starts.
/// </summary>
public sealed class StartupRefusalTests
{
    private const string Provider = """[{"id":"cp-1","resources":{"cpuCores":4,"ramMb":4096,"diskGb":10},"executors":["docker"]}]""";

    public static TheoryData<string, string[], string?, string[]> Cases => new()
    {
        // name, arguments, HOCON file (or null), what the message must name
        { "unknown option", ["--port", "9502"], null, ["--port is not an option", "--remote-port"] },
        { "misspelled option", ["--provider", "x.json"], null, ["--provider is not an option", "did you mean --providers"] },
        { "stray word", ["stray"], null, ["'stray' is not an option or a command"] },
        { "option without its value", ["--seeds"], null, ["--seeds needs a value"] },
        { "port not a number", ["--remote-port", "abc"], null, ["--remote-port", "'abc'"] },
        { "node id with a slash", ["--node-id", "node/1"], null, ["--node-id", "'node/1'", "found '/'"] },
        { "port out of range", ["--remote-port", "70000"], null, ["--remote-port", "'70000'"] },
        { "http not a URL", ["--http", "foo"], null, ["--http", "'foo'", "http://127.0.0.1:9999"] },
        { "http of another scheme", ["--http", "ftp://127.0.0.1:21"], null, ["--http", "ftp://127.0.0.1:21"] },
        { "unknown role", ["--roles", "wizards"], null, ["--roles", "'wizards'", "jobs, providers"] },
        { "seed not an address", ["--seeds", "nope"], null, ["--seeds", "'nope'", "akka.tcp://"] },
        { "postgres not a connection string", ["--postgres", "x=y"], null, ["--postgres", "Host="] },
        { "token on the command line", ["--api-token", "0123456789abcdef0123"], null, ["--api-token", "ORCHESTRATOR_API_TOKEN"] },
        { "unknown log format", ["--log-format", "xml"], null, ["--log-format", "'xml'", "text or json"] },
        { "unknown discovery", ["--discovery", "magic"], null, ["--discovery", "'magic'", "kubernetes or config"] },
        { "config discovery without contact points", ["--discovery", "config", "--postgres", "Host=127.0.0.1"], null, ["--contact-points"] },
        { "contact point without a port", ["--contact-points", "node-1"], null, ["--contact-points", "'node-1'", "host:port"] },
        { "no contact points required", ["--required-contact-points", "0"], null, ["--required-contact-points", "'0'", "1 to 100"] },
        { "providers file missing", ["--providers", "missing.json"], null, ["--providers", "missing.json", "does not exist"] },
        { "config file missing", ["--config", "missing.conf"], null, ["--config", "missing.conf", "does not exist"] },
        { "API token file missing", ["--api-token-file", "missing.token"], null, ["--api-token-file", "missing.token"] },
        { "TLS certificate missing", ["--tls-certificate", "missing.pfx"], null, ["orchestrator.tls.certificate", "missing.pfx", "does not exist"] },
        { "seeds on SQLite", ["--seeds", "akka.tcp://orchestrator@127.0.0.1:4999", "--remote-port", "4998"], null, ["SQLite", "--postgres"] },
        { "misspelled key", [], "orchestrator.defaultSearchTimout = 5s", ["orchestrator.defaultSearchTimout", "did you mean orchestrator.defaultSearchTimeout"] },
        { "misspelled nested key", [], "orchestrator.builtinPreferences.lowPrice = 3", ["orchestrator.builtinPreferences.lowPrice", "orchestrator.builtinPreferences.lowerPrice"] },
        { "duration not a duration", [], "orchestrator.defaultSearchTimeout = banana", ["orchestrator.defaultSearchTimeout", "'banana'", "5s"] },
        { "negative duration", [], "orchestrator.lockLease = -5s", ["orchestrator.lockLease", "must be positive"] },
        { "number not a number", [], "orchestrator.maxBidRequests = many", ["orchestrator.maxBidRequests", "'many'", "1 to 1000"] },
        { "number out of range", [], "orchestrator.maxBidRequests = 5000", ["orchestrator.maxBidRequests", "between 1 and 1000"] },
        { "unknown selection", [], "orchestrator.defaultSelection = best", ["orchestrator.defaultSelection", "'best'", "lowest-price"] },
        { "unknown orchestration type", [], "orchestrator.defaultOrchestrationType = sideways", ["orchestrator.defaultOrchestrationType", "'sideways'", "pull, push"] },
        { "unknown persistence provider", [], "orchestrator.persistence.provider = mongodb", ["orchestrator.persistence.provider", "'mongodb'", "sqlite, postgres, host"] },
        { "deadline shorter than the steps", [], "orchestrator.jobDeadline = 3s", ["orchestrator.jobDeadline must be longer"] },
        { "unclosed brace", [], "orchestrator {\n  defaultSearchTimeout = 5s\n", ["--config", "line 1", "'{' is never closed"] },
        { "extra brace", [], "orchestrator.lockLease = 30s\n}\n", ["--config", "line 2", "closes nothing"] },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task A_bad_start_up_exits_2_naming_what_is_wrong(string name, string[] arguments, string? hocon, string[] saying)
    {
        using var setup = NodeSetup.Create(Provider, hocon);
        setup.ExtraArguments.AddRange(arguments);
        var (exitCode, output) = await NodeProcess.RunToExitAsync(setup);
        Assert.True(exitCode == 2, $"{name}: expected exit code 2, got {exitCode}:\n{output}");
        foreach (var text in saying) Assert.True(output.Contains(text, StringComparison.Ordinal), $"{name}: the message does not say '{text}':\n{output}");
        AssertNoStackTrace(name, output);
    }

    [Fact]
    public async Task An_HTTP_port_in_use_is_one_line_naming_the_option()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        using var setup = NodeSetup.Create(Provider);
        setup.ExtraArguments.AddRange(["--http", $"http://127.0.0.1:{port}"]);
        var (exitCode, output) = await NodeProcess.RunToExitAsync(setup);
        Assert.True(exitCode == 2, $"expected exit code 2, got {exitCode}:\n{output}");
        Assert.Contains($"--http: http://127.0.0.1:{port} is in use by another program", output);
        AssertNoStackTrace("http port in use", output);
    }

    [Fact]
    public async Task A_remoting_port_in_use_is_one_line_naming_the_option()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        using var setup = NodeSetup.Create(Provider);
        setup.ExtraArguments.AddRange(["--remote-port", port.ToString()]);
        var (exitCode, output) = await NodeProcess.RunToExitAsync(setup);
        Assert.True(exitCode == 2, $"expected exit code 2, got {exitCode}:\n{output}");
        Assert.Contains($"--remote-port: 127.0.0.1:{port} is in use by another program", output);
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    [InlineData("help")]
    public async Task Help_prints_every_option_and_starts_nothing(string word)
    {
        using var setup = NodeSetup.Create(Provider);
        var (exitCode, output) = await NodeProcess.RunBareAsync(setup, word);
        Assert.Equal(0, exitCode);
        foreach (var option in new[] { "--http", "--data", "--providers", "--config", "--seeds", "--roles", "--postgres", "--tls-certificate", "ORCHESTRATOR_API_TOKEN" })
            Assert.Contains(option, output);
        Assert.False(Directory.Exists(Path.Combine(setup.DataDirectory, "data")), "help created the data folder");
    }

    [Fact]
    public async Task Version_prints_the_version_and_starts_nothing()
    {
        using var setup = NodeSetup.Create(Provider);
        var (exitCode, output) = await NodeProcess.RunBareAsync(setup, "--version");
        Assert.Equal(0, exitCode);
        Assert.Matches(@"^orchestrator \d+\.\d+\.\d+", output.Trim());
        Assert.False(Directory.Exists(Path.Combine(setup.DataDirectory, "data")));
    }

    [Theory]
    [InlineData("cluster")]
    [InlineData("sharding")]
    [InlineData("jobs")]
    [InlineData("providers")]
    [InlineData("authority")]
    [InlineData("identity")]
    [InlineData("credential")]
    [InlineData("contract")]
    public async Task Every_command_group_has_help(string group)
    {
        using var setup = NodeSetup.Create(Provider);
        var (exitCode, output) = await NodeProcess.RunBareAsync(setup, group, "--help");
        Assert.Equal(0, exitCode);
        Assert.Contains("Usage:", output);
        Assert.Contains(group, output);
    }

    private static void AssertNoStackTrace(string name, string output)
    {
        Assert.False(output.Contains("   at ", StringComparison.Ordinal), $"{name}: a stack trace:\n{output}");
        Assert.False(output.Contains("Exception", StringComparison.Ordinal), $"{name}: an exception's name:\n{output}");
    }
}
