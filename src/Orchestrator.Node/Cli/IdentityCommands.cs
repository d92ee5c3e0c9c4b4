using System.CommandLine;
using Orchestrator.Trust;

namespace Orchestrator.Node.Cli;

/// <summary>The node's own key: created on first use in the data folder, shown so the authority can approve it.</summary>
public static class IdentityCommands
{
    public const string NodeKeyFile = "node-key.pem";

    public static Command Create()
    {
        var data = new Option<string>("--data") { Description = "the node's data folder (as the node's --data)", DefaultValueFactory = _ => "data" };
        var show = new Command("show", "print this node's key id and public key (creating the key if it has none yet)") { data };
        show.SetAction(parsed =>
        {
            var file = Path.Combine(parsed.GetValue(data)!, NodeKeyFile);
            var existed = File.Exists(file);
            using var key = KeyPair.LoadOrCreate(file);
            Console.WriteLine($"node key {key.Id}{(existed ? "" : " (new)")}");
            Console.WriteLine($"  private key  {file}");
            Console.Write(key.PublicKeyPem());
            Console.WriteLine();
            return 0;
        });
        var output = new Option<string?>("--out") { Description = "write the public key to this file (default: standard output)" };
        var export = new Command("export", "the node's public key alone (PEM), exactly what `orchestrator authority approve --node-key` takes") { data, output };
        export.SetAction(parsed =>
        {
            using var key = KeyPair.LoadOrCreate(Path.Combine(parsed.GetValue(data)!, NodeKeyFile));
            if (parsed.GetValue(output) is { } path)
            {
                File.WriteAllText(path, key.PublicKeyPem());
                Console.Error.WriteLine($"orchestrator: node key {key.Id[..16]}: public key written to {path}");
            }
            else Console.Write(key.PublicKeyPem());
            return 0;
        });
        var identity = new Command("identity", "this node's key pair");
        identity.Subcommands.Add(show);
        identity.Subcommands.Add(export);
        return identity;
    }
}
