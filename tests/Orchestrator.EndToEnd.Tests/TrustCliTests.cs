using System.Runtime.Versioning;
using Orchestrator.EndToEnd.Tests.Infrastructure;

namespace Orchestrator.EndToEnd.Tests;

/// <summary>The authority's life cycle through the real executable: set up, approve a node's key, verify, revoke.</summary>
[SupportedOSPlatform("linux")]
public sealed class TrustCliTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("trust-cli-").FullName;

    [Fact]
    public async Task An_authority_approves_a_node_key_for_a_role_and_ids_and_a_revocation_withdraws_it()
    {
        var init = await Cli.RunAsync(_folder, "authority", "init", "--dir", "auth");
        Assert.Equal(0, init.ExitCode);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(_folder, "auth", "authority-key.pem")));
        Assert.Equal(1, (await Cli.RunAsync(_folder, "authority", "init", "--dir", "auth")).ExitCode);

        var identity = await Cli.RunAsync(_folder, "identity", "show", "--data", "node");
        Assert.Equal(0, identity.ExitCode);
        var keyId = identity.Output.Split('\n')[0].Split(' ')[2];
        Assert.Equal(64, keyId.Length);
        var again = await Cli.RunAsync(_folder, "identity", "show", "--data", "node");
        Assert.StartsWith($"node key {keyId}\n", again.Output.Replace("\r", ""));
        var publicKey = identity.Output[identity.Output.IndexOf("-----BEGIN", StringComparison.Ordinal)..];

        var approve = await Cli.RunAsync(_folder, "authority", "approve", "--dir", "auth", "--node-key", publicKey,
            "--roles", "compute-provider", "--ids", "cp-1,node-a", "--expires", "30d", "--out", "cred.json");
        Assert.Equal(0, approve.ExitCode);
        Assert.Contains(keyId, approve.Output);

        string[] Verify(string role, string id) =>
            ["credential", "verify", "cred.json", "--authority", "auth/authority.pub", "--revocations", "auth/revoked.json", "--role", role, "--id", id];
        Assert.Equal(0, (await Cli.RunAsync(_folder, Verify("compute-provider", "cp-1"))).ExitCode);
        var wrongRole = await Cli.RunAsync(_folder, Verify("service-provider", "cp-1"));
        Assert.Equal(1, wrongRole.ExitCode);
        Assert.Contains("wrong-role", wrongRole.Errors);
        var otherId = await Cli.RunAsync(_folder, Verify("compute-provider", "cp-2"));
        Assert.Contains("id-not-covered", otherId.Errors);

        Assert.Equal(0, (await Cli.RunAsync(_folder, "authority", "revoke", "--dir", "auth", "cred.json")).ExitCode);
        var revoked = await Cli.RunAsync(_folder, Verify("compute-provider", "cp-1"));
        Assert.Equal(1, revoked.ExitCode);
        Assert.Contains("revoked", revoked.Errors);
    }

    [Fact]
    public async Task Misuse_is_exit_code_2_naming_what_is_missing_or_wrong()
    {
        Assert.Equal(0, (await Cli.RunAsync(_folder, "authority", "init", "--dir", "auth")).ExitCode);
        var missing = await Cli.RunAsync(_folder, "authority", "approve", "--dir", "auth");
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("--node-key", missing.Errors);

        var identity = await Cli.RunAsync(_folder, "identity", "show", "--data", "node");
        var publicKey = identity.Output[identity.Output.IndexOf("-----BEGIN", StringComparison.Ordinal)..];
        var badRole = await Cli.RunAsync(_folder, "authority", "approve", "--dir", "auth", "--node-key", publicKey,
            "--roles", "overlord", "--ids", "x", "--expires", "1d");
        Assert.Equal(2, badRole.ExitCode);
        Assert.Contains("--roles: 'overlord'", badRole.Errors);
        var badExpiry = await Cli.RunAsync(_folder, "authority", "approve", "--dir", "auth", "--node-key", publicKey,
            "--roles", "compute-provider", "--ids", "x", "--expires", "soon");
        Assert.Equal(2, badExpiry.ExitCode);
        Assert.Contains("--expires: 'soon'", badExpiry.Errors);
        var badVerifyRole = await Cli.RunAsync(_folder, "credential", "verify", "none.json", "--authority", "auth/authority.pub", "--role", "wizard", "--id", "x");
        Assert.Equal(2, badVerifyRole.ExitCode);
        Assert.Contains("--role: 'wizard'", badVerifyRole.Errors);
    }

    [Fact]
    public async Task A_node_creates_its_key_on_first_start_and_keeps_it()
    {
        using var setup = NodeSetup.Create("""[{"id":"cp-1","resources":{"cpuCores":2,"ramMb":2048,"diskGb":10},"executors":["docker"]}]""");
        string first;
        await using (var node = await NodeProcess.StartAsync(setup)) first = KeyIdIn(node.Output);
        var keyFile = Path.Combine(setup.DataDirectory, "data", "node-key.pem");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keyFile));
        await using (var node = await NodeProcess.StartAsync(setup)) Assert.Equal(first, KeyIdIn(node.Output));
        var shown = await Cli.RunAsync(setup.DataDirectory, "identity", "show", "--data", "data");
        Assert.StartsWith($"node key {first}", shown.Output);
    }

    private static string KeyIdIn(string log)
    {
        var at = log.IndexOf("(key ", StringComparison.Ordinal);
        Assert.True(at >= 0, "the node logged no key id:\n" + log);
        return log.Substring(at + 5, 16);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
