using System.CommandLine;
using Orchestrator.Protocol.Model;
using Orchestrator.Trust;

namespace Orchestrator.Node.Cli;

/// <summary>Checks a credential offline, exactly as a node would before trusting its holder.</summary>
public static class CredentialCommands
{
    public static Command Create()
    {
        var file = new Argument<string>("file") { Description = "the credential (JSON)" };
        var authority = new Option<string>("--authority") { Description = "the trusted authority's public key file", Required = true };
        var revocations = new Option<string?>("--revocations") { Description = "the authority's revocation list" };
        var role = new Option<string>("--role") { Description = "the role the holder claims", Required = true };
        var id = new Option<string>("--id") { Description = "the participant id the holder claims", Required = true };
        var verify = new Command("verify", "is this credential trusted for this role and id? exit 0 if so, 1 with the reason if not")
        {
            file, authority, revocations, role, id,
        };
        verify.SetAction(parsed =>
        {
            // Misuse is exit code 2, as everywhere; 1 means the credential is not trusted (or cannot be read).
            ParticipantRole claimed;
            switch (parsed.GetValue(role))
            {
                case "service-provider": claimed = ParticipantRole.ServiceProvider; break;
                case "compute-provider": claimed = ParticipantRole.ComputeProvider; break;
                case var other:
                    Console.Error.WriteLine($"orchestrator: --role: '{other}' is not one of service-provider, compute-provider");
                    return 2;
            }

            try
            {
                var credential = Credential.FromJson(File.ReadAllText(parsed.GetValue(file)!));
                var store = new TrustStore([KeyPair.ParsePublicKey(File.ReadAllText(parsed.GetValue(authority)!))],
                    parsed.GetValue(revocations) is { } list ? [list] : []);
                var verdict = store.Verify(credential, claimed, parsed.GetValue(id)!, signingKey: null, DateTimeOffset.UtcNow);
                if (!verdict.IsTrusted)
                    return CommandLine.Fail($"not trusted ({Reasons.Code(verdict.Reason!.Value)}): {verdict.Detail}");
                Console.WriteLine($"trusted: credential {credential.Serial}, key {credential.SubjectKeyId}, until {credential.ExpiresAt:O}");
                return 0;
            }
            catch (Exception e) when (e is TrustException or System.Text.Json.JsonException or IOException)
            {
                return CommandLine.Fail(e.Message);
            }
        });
        var credentialCommand = new Command("credential", "credentials issued by the authority");
        credentialCommand.Subcommands.Add(verify);
        return credentialCommand;
    }

    private static class Reasons
    {
        public static string Code(DistrustReason reason) => System.Text.Json.JsonNamingPolicy.KebabCaseLower.ConvertName(reason.ToString());
    }
}
