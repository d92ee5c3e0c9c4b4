using Orchestrator.EndToEnd.Tests.Infrastructure;

namespace Orchestrator.EndToEnd.Tests;

/// <summary>
/// The cluster transport over mutual TLS with the cluster's own CA, validation on: members trust each other, so a
/// machine without a certificate from that CA cannot join, and a node reachable from other machines does not run
/// without TLS.
/// </summary>
public sealed class TlsClusterTests : IDisposable
{
    private readonly TestCertificates _certificates = new("orchestrator-test-ca");

    private const string Tiny = """[{"id":"cp-tiny","resources":{"cpuCores":1,"ramMb":512,"diskGb":1},"executors":["docker"]}]""";
    private const string Big = """[{"id":"cp-big","resources":{"cpuCores":64,"ramMb":262144,"diskGb":4000},"executors":["docker"]}]""";

    private Task<ClusterOfNodes> StartTlsClusterAsync(int count, Func<int, string?> providersOf) =>
        ClusterOfNodes.StartAsync(count, providersOf, protocol: "akka.ssl.tcp", prepare: (node, setup) =>
        {
            _certificates.Configure(setup, _certificates.Issue($"node-{node}"));
            return Task.CompletedTask;
        });

    [Fact]
    public async Task Two_nodes_with_the_certificates_deploy_certificates_sh_makes_form_a_cluster_over_mutual_TLS_and_contract_across_it()
    {
        // The operator's way: the script makes the CA and the node certificates; each node gets its own.
        var folder = Path.Combine(_certificates.Folder, "from-script");
        await RunAsync("bash", Path.Combine(Repository.Root, "deploy", "certificates.sh"), folder, "node-0", "node-1");
        var password = await File.ReadAllTextAsync(Path.Combine(folder, "password"));
        // No approved list: the two nodes approve each other as members of one cluster.
        await using var cluster = await ClusterOfNodes.StartAsync(2, node => node == 0 ? Tiny : Big, protocol: "akka.ssl.tcp", prepare: (node, setup) =>
        {
            setup.ExtraArguments.AddRange(["--tls-certificate", Path.Combine(folder, $"node-{node}.pfx"), "--tls-ca", Path.Combine(folder, "ca.pem")]);
            setup.Environment["ORCHESTRATOR_TLS_PASSWORD"] = password;
            return Task.CompletedTask;
        });

        var id = await cluster.Nodes[0].Http.PostJobOkAsync("""{"requirements":{"resources":{"cpuCores":8,"ramMb":8192,"diskGb":10}}}""");
        var job = await cluster.Nodes[0].Http.AwaitTerminalAsync(id, TimeSpan.FromMinutes(1));
        Assert.Equal("Contracted", job.State());
        Assert.Equal("cp-big", job["contract"]!["providerId"]!.GetValue<string>());

        // The provider lives on node 1 and the job was posted to node 0: wherever the job's entity is hosted, the
        // post or the job request and contract crossed the TLS transport.
        var onNode1 = await cluster.Nodes[1].Http.GetProvidersAsync();
        Assert.Contains(onNode1, p => p!["capability"]!["id"]!.GetValue<string>() == "cp-big" && p["contracted"]!["cpuCores"]!.GetValue<int>() == 8);
    }

    [Fact]
    public async Task A_node_whose_certificate_another_CA_signed_is_refused()
    {
        await using var cluster = await StartTlsClusterAsync(1, _ => Tiny);
        using var rogueCa = new TestCertificates("rogue-ca");
        using var rogue = NodeSetup.Create(Big, nodeId: "rogue");
        rogueCa.Configure(rogue, rogueCa.Issue("rogue"));
        rogue.ExtraArguments.AddRange(["--remote-port", NodeProcess.FreePort().ToString(), "--seeds", cluster.SeedAddress,
            "--postgres", cluster.Database.ConnectionString]);

        await Assert.ThrowsAnyAsync<Exception>(() => NodeProcess.StartAsync(rogue, TimeSpan.FromSeconds(25)));
        Assert.Contains("cluster TLS: refused", cluster.Nodes[0].Output);
        Assert.Contains("does not chain to the cluster's CA", cluster.Nodes[0].Output);
        Assert.DoesNotContain(await cluster.Nodes[0].Http.GetProvidersAsync(), p => p!["capability"]!["id"]!.GetValue<string>() == "cp-big");
    }

    [Fact]
    public async Task A_node_without_TLS_cannot_join_a_TLS_cluster()
    {
        await using var cluster = await StartTlsClusterAsync(1, _ => Tiny);
        using var plain = NodeSetup.Create(Big, nodeId: "plain");
        plain.ExtraArguments.AddRange(["--remote-port", NodeProcess.FreePort().ToString(), "--seeds", cluster.SeedAddress.Replace("akka.ssl.tcp", "akka.tcp"),
            "--postgres", cluster.Database.ConnectionString]);
        await Assert.ThrowsAnyAsync<Exception>(() => NodeProcess.StartAsync(plain, TimeSpan.FromSeconds(25)));
    }

    [Fact]
    public async Task A_node_whose_transport_listens_beyond_loopback_refuses_to_start_without_TLS()
    {
        using var setup = NodeSetup.Create(Tiny);
        setup.ExtraArguments.AddRange(["--remote-host", "0.0.0.0"]);
        await NodeProcess.AssertRefusesToStartAsync(setup, "--remote-host", "0.0.0.0", "without TLS", "--tls-certificate");
    }

    [Fact]
    public async Task A_wrong_certificate_password_stops_the_node_naming_the_key()
    {
        using var setup = NodeSetup.Create(Tiny);
        _certificates.Configure(setup, _certificates.Issue("node-x"));
        setup.Environment["ORCHESTRATOR_TLS_PASSWORD"] = "not-the-password";
        await NodeProcess.AssertRefusesToStartAsync(setup, "orchestrator.tls.certificate", "password");
    }

    private static async Task RunAsync(string program, params string[] arguments)
    {
        var info = new System.Diagnostics.ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        using var process = System.Diagnostics.Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"{program} {string.Join(" ", arguments)} exited {process.ExitCode}:\n{await output}{await errors}");
    }

    public void Dispose() => _certificates.Dispose();
}
