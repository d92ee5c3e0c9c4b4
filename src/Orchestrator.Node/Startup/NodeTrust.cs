using Akka.Configuration;
using Orchestrator.Protocol.Model;
using Orchestrator.Trust;

namespace Orchestrator.Node.Startup;

/// <summary>
/// The node's place in the network's trust (<c>orchestrator.trust</c>): the authorities it trusts, the
/// revocation lists it reads, and its own credential — checked at start exactly as a counterparty would check it,
/// so a node whose credential does not cover its key, its id, its providers or its roles stops at once, saying
/// which, instead of failing every contract later. Without authorities the node runs on
/// <c>orchestrator.approvedIds</c> (or self-approval on a single node), as before.
/// </summary>
public sealed record NodeTrust(TrustStore? Store, Credential? Credential)
{
    public static NodeTrust From(Config config, NodePlan plan, KeyPair nodeKey, DateTimeOffset now)
    {
        var authorityFiles = config.GetStringList("orchestrator.trust.authorities", []);
        var credentialFile = config.GetString("orchestrator.trust.credential", "");
        var revocationFiles = config.GetStringList("orchestrator.trust.revocations", []);
        if (authorityFiles.Count == 0)
        {
            if (credentialFile.Length > 0)
                throw new StartupException("orchestrator.trust.credential is set but no orchestrator.trust.authorities: a credential means nothing without the authority that signed it");
            return new NodeTrust(null, null);
        }

        if (credentialFile.Length == 0)
            throw new StartupException("orchestrator.trust.authorities is set but no orchestrator.trust.credential: ask the authority to approve this node's key (`orchestrator identity show`)");

        var store = new TrustStore(authorityFiles.Select(file => ReadKey("orchestrator.trust.authorities", file)), revocationFiles);
        Credential credential;
        try
        {
            credential = Credential.FromJson(ReadFile("orchestrator.trust.credential", credentialFile));
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or TrustException)
        {
            throw new StartupException($"orchestrator.trust.credential: '{credentialFile}' is not a credential: {e.Message}");
        }

        // What this node will claim: the service-provider role for its own id when it hosts jobs, the
        // compute-provider role for each provider it onboards.
        var claims = new List<(ParticipantRole Role, string Id)>();
        if (plan.HostsJobs) claims.Add((ParticipantRole.ServiceProvider, plan.Settings.NodeId));
        claims.AddRange(plan.Providers.Select(p => (ParticipantRole.ComputeProvider, p.Id)));
        foreach (var (role, id) in claims)
        {
            var verdict = store.Verify(credential, role, id, nodeKey.PublicKey, now);
            if (!verdict.IsTrusted)
                throw new StartupException($"orchestrator.trust.credential: this node's own credential is not trusted as {TrustStore.RoleName(role)} '{id}' " +
                                           $"({System.Text.Json.JsonNamingPolicy.KebabCaseLower.ConvertName(verdict.Reason!.Value.ToString())}): {verdict.Detail}");
        }

        return new NodeTrust(store, credential);
    }

    private static byte[] ReadKey(string key, string file)
    {
        try
        {
            return KeyPair.ParsePublicKey(ReadFile(key, file));
        }
        catch (TrustException e)
        {
            throw new StartupException($"{key}: '{file}': {e.Message}");
        }
    }

    private static string ReadFile(string key, string file) =>
        File.Exists(file) ? File.ReadAllText(file) : throw new StartupException($"{key}: file '{file}' does not exist");
}
