using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Akka.Configuration;
using Akka.Event;
using Akka.Hosting;
using Akka.Remote.Transport.DotNetty;

namespace Orchestrator.Hosting;

/// <summary>
/// Mutual TLS on the cluster transport from <c>orchestrator.tls</c>: this node's certificate, and the CA its peers'
/// certificates must chain to — trusted explicitly for this transport, with validation on, so a machine without a
/// certificate from that CA can neither join the cluster nor be joined.
/// </summary>
public static class ClusterTransportTls
{
    /// <summary>True when the configuration turns TLS on (ours, or Akka's own enable-ssl).</summary>
    public static bool IsOn(Config config) =>
        config.GetString("orchestrator.tls.certificate", "").Length > 0 || config.GetBoolean("akka.remote.dot-netty.tcp.enable-ssl");

    /// <summary>Whether the transport's bind address is reachable from other machines.</summary>
    public static bool ListensBeyondLoopback(Config config)
    {
        var host = config.GetString("akka.remote.dot-netty.tcp.hostname", "");
        if (host.Length == 0 || host.Equals("localhost", StringComparison.OrdinalIgnoreCase)) return host.Length == 0;
        return !IPAddress.TryParse(host, out var address) || !IPAddress.IsLoopback(address);
    }

    /// <summary>
    /// Members of a cluster trust each other (approval by membership, the default) and the transport carries
    /// serialized objects, so joining must be guarded: a transport that other machines can reach runs over TLS, or
    /// the node does not start.
    /// </summary>
    public static void RefuseOpenTransport(Config config)
    {
        if (!ListensBeyondLoopback(config) || IsOn(config)) return;
        throw new ConfigurationException(
            $"akka.remote.dot-netty.tcp.hostname: the cluster transport listens on '{config.GetString("akka.remote.dot-netty.tcp.hostname")}', " +
            "reachable from other machines, without TLS, and members of this cluster trust each other: give the node a certificate and " +
            "the cluster's CA (orchestrator.tls.certificate, orchestrator.tls.ca; the executable's --tls-certificate, --tls-ca), " +
            "or listen on 127.0.0.1");
    }

    /// <summary>Reads the certificate and the CA, as the node will at start; throws naming the key when either cannot be used.</summary>
    public static void Check(Config config)
    {
        var tls = Read(config);
        if (tls is null) return;
        tls.Value.Certificate.Dispose();
        tls.Value.Ca?.Dispose();
    }

    internal static void Apply(AkkaConfigurationBuilder akka, Config config)
    {
        var tls = Read(config);
        if (tls is null) return;
        var (certificate, ca) = tls.Value;
        akka.AddSetup(new DotNettySslSetup(certificate, suppressValidation: false, requireMutualAuthentication: true,
                validateCertificateHostname: false, customValidator: ca is null ? MachineTrust : TrustedBy(ca)))
            .AddHocon("akka.remote.dot-netty.tcp.enable-ssl = true", HoconAddMode.Prepend);
    }

    private static (X509Certificate2 Certificate, X509Certificate2? Ca)? Read(Config config)
    {
        var file = config.GetString("orchestrator.tls.certificate", "");
        if (file.Length == 0) return null;
        var certificate = Load("orchestrator.tls.certificate", file, f => X509CertificateLoader.LoadPkcs12FromFile(f, config.GetString("orchestrator.tls.password", "")));
        if (!certificate.HasPrivateKey)
            throw new ConfigurationException($"orchestrator.tls.certificate: '{file}' holds no private key: the node cannot prove it owns the certificate");
        var caFile = config.GetString("orchestrator.tls.ca", "");
        return (certificate, caFile.Length == 0 ? null : Load("orchestrator.tls.ca", caFile, X509CertificateLoader.LoadCertificateFromFile));
    }

    private static X509Certificate2 Load(string key, string file, Func<string, X509Certificate2> load)
    {
        if (!File.Exists(file)) throw new ConfigurationException($"{key}: file '{file}' does not exist");
        try
        {
            return load(file);
        }
        catch (CryptographicException e)
        {
            throw new ConfigurationException($"{key}: '{file}' cannot be read as a certificate ({e.Message.TrimEnd('.')}); is the password right?");
        }
    }

    // Nothing but the chain decides: members are named by their address, which a certificate need not carry.
    private static bool MachineTrust(X509Certificate2? certificate, X509Chain? chain, string peer, System.Net.Security.SslPolicyErrors errors, ILoggingAdapter log)
    {
        var trusted = certificate is not null && (errors & ~System.Net.Security.SslPolicyErrors.RemoteCertificateNameMismatch) == 0;
        if (!trusted) log.Warning("cluster TLS: refused {0}: {1}", peer, certificate is null ? "it presented no certificate" : errors.ToString());
        return trusted;
    }

    private static CertificateValidationCallback TrustedBy(X509Certificate2 ca) => (certificate, _, peer, _, log) =>
    {
        if (certificate is null)
        {
            log.Warning("cluster TLS: refused {0}: it presented no certificate", peer);
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (chain.Build(certificate)) return true;
        log.Warning("cluster TLS: refused {0}: its certificate '{1}' does not chain to the cluster's CA '{2}' ({3})", peer, certificate.Subject, ca.Subject,
            string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation.Trim())));
        return false;
    };
}
