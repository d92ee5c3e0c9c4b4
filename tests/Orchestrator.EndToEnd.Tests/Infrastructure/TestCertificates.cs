using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Orchestrator.EndToEnd.Tests.Infrastructure;

/// <summary>A certificate authority of the test's own, and node certificates it signs, as deploy/certificates.sh makes them.</summary>
public sealed class TestCertificates : IDisposable
{
    public const string Password = "pfx-password";
    private readonly X509Certificate2 _ca;

    public TestCertificates(string name)
    {
        Folder = Directory.CreateTempSubdirectory("tls-").FullName;
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, false, 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
        _ca = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        CaFile = Path.Combine(Folder, name + ".ca.pem");
        File.WriteAllText(CaFile, _ca.ExportCertificatePem());
    }

    public string Folder { get; }

    /// <summary>The CA's certificate (PEM), what every node is given as <c>--tls-ca</c>.</summary>
    public string CaFile { get; }

    /// <summary>A node certificate signed by this CA, with its private key, as a PKCS#12 file.</summary>
    public string Issue(string node)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={node}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, false));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], false)); // server and client authentication
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("localhost");
        san.AddIpAddress(System.Net.IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        using var signed = request.Create(_ca, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(7), RandomNumberGenerator.GetBytes(12));
        using var withKey = signed.CopyWithPrivateKey(key);
        var file = Path.Combine(Folder, node + ".pfx");
        File.WriteAllBytes(file, withKey.Export(X509ContentType.Pfx, Password));
        return file;
    }

    /// <summary>The options that put a node on mutual TLS with this CA (the password through the environment, as a secret would).</summary>
    public void Configure(NodeSetup setup, string certificate)
    {
        setup.ExtraArguments.AddRange(["--tls-certificate", certificate, "--tls-ca", CaFile]);
        setup.Environment["ORCHESTRATOR_TLS_PASSWORD"] = Password;
    }

    public void Dispose()
    {
        _ca.Dispose();
        Directory.Delete(Folder, recursive: true);
    }
}
