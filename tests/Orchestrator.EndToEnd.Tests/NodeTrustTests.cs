using Orchestrator.EndToEnd.Tests.Infrastructure;

namespace Orchestrator.EndToEnd.Tests;

/// <summary>A node configured with the network's authority checks its own credential at start.</summary>
public sealed class NodeTrustTests : IDisposable
{
    private const string Providers = """[{"id":"cp-1","resources":{"cpuCores":4,"ramMb":4096,"diskGb":10},"executors":["docker"]}]""";
    private readonly string _authority = Directory.CreateTempSubdirectory("authority-").FullName;

    private string Hocon => $$"""
        orchestrator.trust {
          authorities = ["{{_authority}}/auth/authority.pub"]
          credential = "{{_authority}}/node.credential.json"
          revocations = ["{{_authority}}/auth/revoked.json"]
        }
        """;

    /// <summary>The authority, the node's key (made before its first start, as an operator would), and a credential.</summary>
    private async Task<NodeSetup> ApprovedNodeAsync(string ids, string roles = "service-provider,compute-provider", string? keyOf = null)
    {
        Assert.Equal(0, (await Cli.RunAsync(_authority, "authority", "init", "--dir", "auth")).ExitCode);
        var setup = NodeSetup.Create(Providers, Hocon);
        var keyFolder = keyOf ?? Path.Combine(setup.DataDirectory, "data");
        // What the README says: export the node's public key to a file, approve that file.
        var export = await Cli.RunAsync(_authority, "identity", "export", "--data", keyFolder, "--out", "node.pub");
        Assert.True(export.ExitCode == 0, export.Errors);
        var approve = await Cli.RunAsync(_authority, "authority", "approve", "--dir", "auth", "--node-key", "node.pub",
            "--roles", roles, "--ids", ids, "--expires", "30d", "--out", "node.credential.json");
        Assert.Equal(0, approve.ExitCode);
        return setup;
    }

    [Fact]
    public async Task A_node_whose_credential_covers_its_key_id_and_providers_starts_and_says_who_approved_it()
    {
        using var setup = await ApprovedNodeAsync("sp-e2e,cp-1");
        await using var node = await NodeProcess.StartAsync(setup);
        Assert.Contains("approved by authority", node.Output);
        var id = await node.Http.PostJobOkAsync("""{"requirements":{"resources":{"cpuCores":1,"ramMb":512,"diskGb":1}}}""");
        Assert.Equal("Contracted", (await node.Http.AwaitTerminalAsync(id)).State());
    }

    [Fact]
    public async Task A_node_whose_own_credential_is_revoked_says_so_in_its_log_and_is_not_ready()
    {
        using var setup = await ApprovedNodeAsync("sp-e2e,cp-1");
        await using var node = await NodeProcess.StartAsync(setup);
        var revoke = await Cli.RunAsync(_authority, "authority", "revoke", "--dir", "auth", "node.credential.json");
        Assert.True(revoke.ExitCode == 0, revoke.Errors);

        await Poll.UntilAsync(async () =>
        {
            using var ready = await node.Http.GetAsync("/healthz/ready");
            Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            Assert.Contains("revoked", await ready.Content.ReadAsStringAsync());
        }, TimeSpan.FromSeconds(30));
        await Poll.UntilAsync(() =>
        {
            Assert.Contains("this node's credential is no longer trusted: revoked", node.Output);
            return Task.CompletedTask;
        }, TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task An_approved_node_closes_contracts_signed_by_both_parties_that_verify_offline_and_not_once_altered()
    {
        using var setup = await ApprovedNodeAsync("sp-e2e,cp-1");
        await using var node = await NodeProcess.StartAsync(setup);
        var id = await node.Http.PostJobOkAsync("""{"requirements":{"resources":{"cpuCores":1,"ramMb":512,"diskGb":1}}}""");
        var job = await node.Http.AwaitTerminalAsync(id);
        Assert.Equal("Contracted", job.State());
        var signatures = job["signatures"]!.AsObject();
        // One node plays both parts here, so both signatures come with its one credential, which names both ids.
        var ids = signatures["requester"]!["credential"]!["ids"]!.AsArray().Select(i => i!.GetValue<string>()).ToArray();
        Assert.Equal(["cp-1", "sp-e2e"], ids);
        Assert.NotEqual(signatures["requester"]!["signature"]!.GetValue<string>(), signatures["provider"]!["signature"]!.GetValue<string>());

        var saved = Path.Combine(_authority, "job.json");
        await File.WriteAllTextAsync(saved, job.ToJsonString());
        var verified = await Cli.RunAsync(_authority, "contract", "verify", saved, "--authority", "auth/authority.pub", "--revocations", "auth/revoked.json");
        Assert.True(verified.ExitCode == 0, verified.Output + verified.Errors);
        Assert.Contains("service-provider 'sp-e2e': signature valid", verified.Output);
        Assert.Contains("compute-provider 'cp-1': signature valid", verified.Output);

        job["contract"]!["pricePerHour"] = 0.01m;
        await File.WriteAllTextAsync(saved, job.ToJsonString());
        var altered = await Cli.RunAsync(_authority, "contract", "verify", saved, "--authority", "auth/authority.pub");
        Assert.Equal(1, altered.ExitCode);
        Assert.Contains("NOT TRUSTED — bad-signature", altered.Output);
        Assert.Contains("does not verify", altered.Errors);

        // The node will not host a provider its credential does not name: nobody would trust its bids.
        using var onboard = await node.Http.PostAsync("/orchestrator/providers", new StringContent(
            """{"id":"cp-unlisted","resources":{"cpuCores":2,"ramMb":2048,"diskGb":10},"executors":["docker"]}""",
            System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(System.Net.HttpStatusCode.Forbidden, onboard.StatusCode);
        Assert.Contains("compute-provider 'cp-unlisted'", await onboard.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_credential_that_does_not_cover_a_provider_the_node_onboards_stops_it_naming_the_provider()
    {
        using var setup = await ApprovedNodeAsync("sp-e2e");
        await NodeProcess.AssertRefusesToStartAsync(setup, "id-not-covered", "'cp-1'");
    }

    [Fact]
    public async Task A_credential_for_another_key_or_one_revoked_stops_the_node_with_that_reason()
    {
        using var setup = await ApprovedNodeAsync("sp-e2e,cp-1", keyOf: Path.Combine(_authority, "someone-else"));
        await NodeProcess.AssertRefusesToStartAsync(setup, "key-mismatch");

        Directory.Delete(Path.Combine(_authority, "auth"), recursive: true);
        using var revokedSetup = await ApprovedNodeAsync("sp-e2e,cp-1");
        Assert.Equal(0, (await Cli.RunAsync(_authority, "authority", "revoke", "--dir", "auth", "node.credential.json")).ExitCode);
        await NodeProcess.AssertRefusesToStartAsync(revokedSetup, "revoked");
    }

    public void Dispose() => Directory.Delete(_authority, recursive: true);
}
