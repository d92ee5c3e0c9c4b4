using System.CommandLine;
using System.Text.Json;
using Orchestrator.Api;
using Orchestrator.Protocol.Model;
using Orchestrator.Trust;

namespace Orchestrator.Node.Cli;

/// <summary>Checks a closed contract offline: what <c>GET /orchestrator/jobs/{id}</c> returned, saved to a file.</summary>
public static class ContractCommands
{
    public static Command Create()
    {
        var file = new Argument<string>("file") { Description = "the job as GET /orchestrator/jobs/{id} returns it (or any JSON with \"contract\" and \"signatures\")" };
        var authorities = new Option<string>("--authority") { Description = "the trusted authority's public key file (comma-separated for several)", Required = true };
        var revocations = new Option<string?>("--revocations") { Description = "the authority's revocation list(s), comma-separated" };
        var at = new Option<string?>("--at") { Description = "check the credentials as of this time (ISO 8601) rather than when the contract was signed" };
        var verify = new Command("verify", "were both parties' signatures on this contract valid, by approved credentials? exit 0 if so, 1 with the reasons if not")
        {
            file, authorities, revocations, at,
        };
        verify.SetAction(parsed =>
        {
            try
            {
                var (contract, signatures) = Read(parsed.GetValue(file)!);
                var store = new TrustStore(CommandLine.List(parsed.GetValue(authorities)).Select(f => KeyPair.ParsePublicKey(File.ReadAllText(f))),
                    CommandLine.List(parsed.GetValue(revocations)));
                var when = parsed.GetValue(at) is { } text
                    ? DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out var parsedAt)
                        ? parsedAt
                        : throw new TrustException($"--at: '{text}' is not a date and time (ISO 8601)")
                    : (DateTimeOffset?)null;
                var verdicts = ContractVerification.Verify(store, contract, signatures, when);
                foreach (var party in verdicts)
                    Console.WriteLine($"{TrustStore.RoleName(party.Role)} '{party.ParticipantId}': " +
                                      (party.Verdict.IsTrusted ? "signature valid, credential trusted" : "NOT TRUSTED — " + party.Verdict));
                if (verdicts.Any(v => !v.Verdict.IsTrusted)) return CommandLine.Fail($"contract {contract.ContractId} does not verify");
                Console.WriteLine($"contract {contract.ContractId} verifies: job {contract.JobId}, {contract.PricePerHour}/h, " +
                                  $"{contract.StartsAt:O} to {contract.EndsAt:O}");
                return 0;
            }
            catch (Exception e) when (e is TrustException or JsonException or IOException or ArgumentException)
            {
                return CommandLine.Fail(e.Message);
            }
        });
        var command = new Command("contract", "contracts closed by this network");
        command.Subcommands.Add(verify);
        return command;
    }

    private static (Contract Contract, ContractSignatures Signatures) Read(string file)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(file));
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("contract", out var contract) || contract.ValueKind != JsonValueKind.Object)
            throw new TrustException($"'{file}' holds no contract (a job that is not Contracted, or not a job at all)");
        if (!root.TryGetProperty("signatures", out var signatures) || signatures.ValueKind != JsonValueKind.Object)
            throw new TrustException($"'{file}': the contract carries no signatures (closed on a node without a network authority)");
        return (contract.Deserialize<Contract>(ApiJson.Reading) ?? throw new TrustException("contract: empty"),
            signatures.Deserialize<ContractSignatures>(ApiJson.Reading) ?? throw new TrustException("signatures: empty"));
    }
}
