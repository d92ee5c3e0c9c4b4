using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Orchestrator.EndToEnd.Tests.Infrastructure;

namespace Orchestrator.EndToEnd.Tests;

/// <summary>The cluster transport over TLS (Akka.Remote's DotNetty SSL with a certificate from config).</summary>
public sealed class TlsClusterTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("tls-").FullName;

    [Fact]
    public async Task Two_nodes_form_a_cluster_over_TLS_and_a_job_posted_to_one_contracts_with_a_provider_of_the_other()
    {
        // Both nodes approve both nodes and both providers, so a contract may cross from one node to the other.
        var hocon = TlsOverlay(CreateCertificate("orchestrator-test"), "pfx-password") +
                    "\norchestrator.approvedIds = [node-0, node-1, cp-tiny, cp-big]\n";
        await using var cluster = await ClusterOfNodes.StartAsync(2, node => node == 0
            ? """[{"id":"cp-tiny","resources":{"cpuCores":1,"ramMb":512,"diskGb":1},"executors":["docker"]}]"""
            : """[{"id":"cp-big","resources":{"cpuCores":64,"ramMb":262144,"diskGb":4000},"executors":["docker"]}]""", hocon, "akka.ssl.tcp");

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
    public async Task A_node_without_TLS_cannot_join_a_TLS_cluster()
    {
        var hocon = TlsOverlay(CreateCertificate("orchestrator-test"), "pfx-password");
        await using var cluster = await ClusterOfNodes.StartAsync(1,
            _ => """[{"id":"cp-a","resources":{"cpuCores":4,"ramMb":4096,"diskGb":10},"executors":["docker"]}]""", hocon, "akka.ssl.tcp");
        using var plain = NodeSetup.Create("""[{"id":"cp-plain","resources":{"cpuCores":4,"ramMb":4096,"diskGb":10},"executors":["docker"]}]""",
            nodeId: "plain");
        plain.ExtraArguments.AddRange(["--remote-port", NodeProcess.FreePort().ToString(), "--seeds", cluster.SeedAddress.Replace("akka.ssl.tcp", "akka.tcp"),
            "--postgres", cluster.Database.ConnectionString]);
        await Assert.ThrowsAnyAsync<Exception>(() => NodeProcess.StartAsync(plain, TimeSpan.FromSeconds(25)));
    }

    private string CreateCertificate(string name)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("localhost");
        san.AddIpAddress(System.Net.IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        var file = Path.Combine(_folder, name + ".pfx");
        File.WriteAllBytes(file, certificate.Export(X509ContentType.Pfx, "pfx-password"));
        return file;
    }

    // A self-signed certificate is not in any trust store, so chain validation is suppressed here; in production
    // the nodes' certificates come from a CA the machines trust and validation stays on.
    private static string TlsOverlay(string pfx, string password) => $$"""
        akka.remote.dot-netty.tcp {
          enable-ssl = true
          ssl {
            suppress-validation = true
            certificate { path = "{{pfx}}", password = "{{password}}" }
          }
        }
        """;

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
