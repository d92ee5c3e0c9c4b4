using System.CommandLine;
using System.Globalization;
using Orchestrator.Protocol.Model;
using Orchestrator.Trust;

namespace Orchestrator.Node.Cli;

/// <summary>
/// The network authority ("approved by NuNet Solutions"): its key, the credentials it issues, the serials it
/// revokes. Everything lives in one folder: <c>authority-key.pem</c> (private, owner-only), <c>authority.pub</c>
/// (what nodes are configured to trust) and <c>revoked.json</c> (the signed revocation list nodes read).
/// </summary>
public static class AuthorityCommands
{
    public const string KeyFile = "authority-key.pem";
    public const string PublicFile = "authority.pub";
    public const string RevokedFile = "revoked.json";

    private static readonly Option<string> Dir = new("--dir") { Description = "the authority's folder", DefaultValueFactory = _ => "authority" };

    public static Command Create()
    {
        var authority = new Command("authority", "the network authority: create it, approve node keys, revoke approvals");
        authority.Subcommands.Add(Init());
        authority.Subcommands.Add(Approve());
        authority.Subcommands.Add(Revoke());
        return authority;
    }

    private static Command Init()
    {
        var init = new Command("init", "create the authority's key pair, its public key file and an empty revocation list") { Dir };
        init.SetAction(parsed =>
        {
            var dir = parsed.GetValue(Dir)!;
            if (File.Exists(Path.Combine(dir, KeyFile))) return CommandLine.Fail($"{Path.Combine(dir, KeyFile)} exists: this authority is already set up");
            using var key = KeyPair.LoadOrCreate(Path.Combine(dir, KeyFile));
            File.WriteAllText(Path.Combine(dir, PublicFile), key.PublicKeyPem());
            File.WriteAllText(Path.Combine(dir, RevokedFile), RevocationList.Empty(key, DateTimeOffset.UtcNow).ToJson());
            Console.WriteLine($"authority {key.Id}");
            Console.WriteLine($"  private key  {Path.Combine(dir, KeyFile)} (keep it offline; owner-only)");
            Console.WriteLine($"  public key   {Path.Combine(dir, PublicFile)} (give it to every node: orchestrator.trust.authorities)");
            Console.WriteLine($"  revocations  {Path.Combine(dir, RevokedFile)} (publish it to every node: orchestrator.trust.revocations)");
            return 0;
        });
        return init;
    }

    private static Command Approve()
    {
        var nodeKey = new Option<string>("--node-key") { Description = "the node's public key: a file (PEM) or base64, as `identity show` prints it", Required = true };
        var roles = new Option<string>("--roles") { Description = "service-provider, compute-provider, or both (comma-separated)", Required = true };
        var ids = new Option<string>("--ids") { Description = "participant ids the key may act as: its node id and the ids of the providers it hosts", Required = true };
        var expires = new Option<string>("--expires") { Description = "an ISO date/time, or a duration from now such as 90d or 12h", Required = true };
        var output = new Option<string?>("--out") { Description = "write the credential to this file (default: standard output)" };
        var approve = new Command("approve", "issue a signed credential approving a node key for roles and ids") { Dir, nodeKey, roles, ids, expires, output };
        approve.SetAction(parsed =>
        {
            try
            {
                using var authority = KeyPair.Load(Path.Combine(parsed.GetValue(Dir)!, KeyFile));
                var keyText = parsed.GetValue(nodeKey)!;
                var subject = KeyPair.ParsePublicKey(File.Exists(keyText) ? File.ReadAllText(keyText) : keyText);
                var now = DateTimeOffset.UtcNow;
                var credential = Credential.Issue(authority, subject, ParseRoles(parsed.GetValue(roles)!), CommandLine.List(parsed.GetValue(ids)),
                    now, ParseExpiry(parsed.GetValue(expires)!, now));
                if (parsed.GetValue(output) is { } file)
                {
                    File.WriteAllText(file, credential.ToJson());
                    Console.WriteLine($"credential {credential.Serial} for key {credential.SubjectKeyId} written to {file}, valid until {credential.ExpiresAt:O}");
                }
                else Console.WriteLine(credential.ToJson());

                return 0;
            }
            catch (TrustException e) when (e.Message.StartsWith("--", StringComparison.Ordinal))
            {
                // An option the user got wrong: misuse, exit code 2, as everywhere.
                Console.Error.WriteLine("orchestrator: " + e.Message);
                return 2;
            }
            catch (TrustException e)
            {
                return CommandLine.Fail(e.Message);
            }
        });
        return approve;
    }

    private static Command Revoke()
    {
        var what = new Argument<string>("serial") { Description = "the credential's serial, or a credential file" };
        var revoke = new Command("revoke", "withdraw a credential: add it to the signed revocation list nodes read") { Dir, what };
        revoke.SetAction(parsed =>
        {
            try
            {
                var dir = parsed.GetValue(Dir)!;
                using var authority = KeyPair.Load(Path.Combine(dir, KeyFile));
                var target = parsed.GetValue(what)!;
                var serial = File.Exists(target) ? Credential.FromJson(File.ReadAllText(target)).Serial : target;
                var listFile = Path.Combine(dir, RevokedFile);
                var list = File.Exists(listFile) ? RevocationList.FromJson(File.ReadAllText(listFile)) : RevocationList.Empty(authority, DateTimeOffset.UtcNow);
                var updated = list.Add(authority, serial, DateTimeOffset.UtcNow);
                // Written whole, then moved into place: a node reading the list never sees half of it.
                File.WriteAllText(listFile + ".new", updated.ToJson());
                File.Move(listFile + ".new", listFile, overwrite: true);
                Console.WriteLine($"revoked {serial}; {updated.Revoked.Count} revoked in {listFile}");
                return 0;
            }
            catch (Exception e) when (e is TrustException or System.Text.Json.JsonException)
            {
                return CommandLine.Fail(e.Message);
            }
        });
        return revoke;
    }

    private static IReadOnlyList<ParticipantRole> ParseRoles(string text) => CommandLine.List(text).Select(r => r switch
    {
        "service-provider" => ParticipantRole.ServiceProvider,
        "compute-provider" => ParticipantRole.ComputeProvider,
        _ => throw new TrustException($"--roles: '{r}' is not one of service-provider, compute-provider"),
    }).ToArray();

    private static DateTimeOffset ParseExpiry(string text, DateTimeOffset now)
    {
        if (text.Length > 1 && int.TryParse(text[..^1], NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0)
        {
            switch (text[^1])
            {
                case 'd': return now.AddDays(n);
                case 'h': return now.AddHours(n);
            }
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)) return at;
        throw new TrustException($"--expires: '{text}' is neither a date/time nor a duration such as 90d or 12h");
    }
}
