using System.CommandLine;
using System.Text.Json;
using Orchestrator.Api;
using Orchestrator.Protocol.Model;
using Orchestrator.Trust;

namespace Orchestrator.Node.Cli;

/// <summary>Checks a closed contract and its settlement offline: what <c>GET /orchestrator/jobs/{id}</c> or <c>…/settlements/{contractId}</c> returned, saved to a file.</summary>
public static class ContractCommands
{
    public static Command Create()
    {
        var file = new Argument<string>("file")
        {
            Description = "the job as GET /orchestrator/jobs/{id} returns it (its contract, and its settlements), or a settlement as " +
                          "GET /orchestrator/settlements/{contractId} returns it (both sides' records)",
        };
        var authorities = new Option<string>("--authority") { Description = "the trusted authority's public key file (comma-separated for several)", Required = true };
        var revocations = new Option<string?>("--revocations") { Description = "the authority's revocation list(s), comma-separated" };
        var at = new Option<string?>("--at") { Description = "check the credentials as of this time (ISO 8601) rather than when the contract was signed" };
        var verify = new Command("verify", "were both parties' signatures on this contract, and on its settlement (and the provider's on its receipt), valid, " +
                                           "by approved credentials? exit 0 if so, 1 with the reasons if not")
        {
            file, authorities, revocations, at,
        };
        verify.SetAction(parsed =>
        {
            try
            {
                var store = new TrustStore(CommandLine.List(parsed.GetValue(authorities)).Select(f => KeyPair.ParsePublicKey(File.ReadAllText(f))),
                    CommandLine.List(parsed.GetValue(revocations)));
                var when = parsed.GetValue(at) is { } text
                    ? DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out var parsedAt)
                        ? parsedAt
                        : throw new TrustException($"--at: '{text}' is not a date and time (ISO 8601)")
                    : (DateTimeOffset?)null;
                var read = Read(parsed.GetValue(file)!);
                var failed = new List<string>();
                if (read.Contract is { } contract)
                {
                    var verdicts = ContractVerification.Verify(store, contract, read.Signatures!, when);
                    foreach (var party in verdicts)
                        Console.WriteLine($"{TrustStore.RoleName(party.Role)} '{party.ParticipantId}': " +
                                          (party.Verdict.IsTrusted ? "signature valid, credential trusted" : "NOT TRUSTED — " + party.Verdict));
                    if (verdicts.Any(v => !v.Verdict.IsTrusted)) failed.Add($"contract {contract.ContractId} does not verify");
                    else
                        Console.WriteLine($"contract {contract.ContractId} verifies: job {contract.JobId}, " +
                                          (contract.PricePerResult is { } perResult ? $"{perResult} per result" : $"{contract.PricePerHour}/h") +
                                          $", {contract.StartsAt:O} to {contract.EndsAt:O}");
                }

                foreach (var (side, record) in read.Settlements)
                {
                    var verdicts = SettlementVerification.Verify(store, record, when);
                    foreach (var v in verdicts)
                        Console.WriteLine($"{record.ContractId} {side}: {v.What} by {TrustStore.RoleName(v.Role)} '{v.ParticipantId}': " +
                                          (v.Verdict.IsTrusted ? "signature valid, credential trusted" : "NOT TRUSTED — " + v.Verdict));
                    var s = record.Settlement!;
                    // The amount is what the contract's terms give for the receipt (when the file holds the terms).
                    var terms = read.Terms.GetValueOrDefault(record.ContractId);
                    var expected = terms is null ? null : Settlements.SettlementTerms.Compute(terms, s.Usage, s.Outcome, s.At);
                    if (expected is not null && (expected.Amount != s.Amount || expected.BilledSeconds != s.BilledSeconds))
                        failed.Add($"settlement of {record.ContractId}: the contract's terms give {Settlements.SettlementTerms.Money(expected.Amount)} {s.Currency}, " +
                                   $"not the {Settlements.SettlementTerms.Money(s.Amount)} signed");
                    if (verdicts.Any(v => !v.Verdict.IsTrusted)) failed.Add($"settlement of {record.ContractId} ({side}) does not verify");
                    else
                        Console.WriteLine($"settlement of {record.ContractId} ({side}) verifies: {Settlements.SettlementTerms.Money(s.Amount)} {s.Currency} " +
                                          $"({s.Basis}), receipt and both signatures");
                }

                if (read.Settlements.Count == 2 && !SameSettlement(read.Settlements[0].Record, read.Settlements[1].Record))
                    failed.Add($"the two sides' records of {read.Settlements[0].Record.ContractId} differ");
                foreach (var failure in failed) Console.Error.WriteLine(failure);
                return failed.Count == 0 ? 0 : CommandLine.Fail(failed[0]);
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

    private sealed record ReadFile(Contract? Contract, ContractSignatures? Signatures, IReadOnlyList<(string Side, SettlementRecord Record)> Settlements,
        IReadOnlyDictionary<string, Contract> Terms);

    /// <summary>
    /// A job (<c>GET /orchestrator/jobs/{id}</c>: its contract and signatures, and its settlements) or a settlement
    /// (<c>GET /orchestrator/settlements/{contractId}</c>: both sides' records).
    /// </summary>
    private static ReadFile Read(string file)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(file));
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object) throw new TrustException($"'{file}' holds neither a job nor a settlement");
        if (root.TryGetProperty("requester", out var requester) && requester.ValueKind == JsonValueKind.Object && root.TryGetProperty("contractId", out _))
        {
            var sides = new List<(string, SettlementRecord)> { ("requester", Settled(requester.Deserialize<SettlementRecord>(ApiJson.Reading)!)) };
            if (root.TryGetProperty("provider", out var provider) && provider.ValueKind == JsonValueKind.Object)
                sides.Add(("provider", Settled(provider.Deserialize<SettlementRecord>(ApiJson.Reading)!)));
            return new ReadFile(null, null, sides, new Dictionary<string, Contract>());
        }

        if (!root.TryGetProperty("contract", out var contract) || contract.ValueKind != JsonValueKind.Object)
            throw new TrustException($"'{file}' holds no contract (a job that is not Contracted, or not a job at all)");
        if (!root.TryGetProperty("signatures", out var signatures) || signatures.ValueKind != JsonValueKind.Object)
            throw new TrustException($"'{file}': the contract carries no signatures (closed on a node without a network authority)");
        var terms = contract.Deserialize<Contract>(ApiJson.Reading) ?? throw new TrustException("contract: empty");
        var settlements = root.TryGetProperty("settlements", out var list) && list.ValueKind == JsonValueKind.Array
            ? list.Deserialize<SettlementRecord[]>(ApiJson.Reading)!.Where(r => r.State == SettlementState.Settled).Select(r => ("requester", r)).ToArray()
            : [];
        return new ReadFile(terms, signatures.Deserialize<ContractSignatures>(ApiJson.Reading) ?? throw new TrustException("signatures: empty"), settlements,
            new Dictionary<string, Contract> { [terms.ContractId] = terms });
    }

    private static SettlementRecord Settled(SettlementRecord record) =>
        record.State == SettlementState.Settled ? record : throw new TrustException($"settlement of {record.ContractId}: it is {Word(record.State)}, not settled" +
            (record.DisputeReason is { } why ? $" ({record.DisputedBy}: {why})" : ""));

    private static bool SameSettlement(SettlementRecord a, SettlementRecord b) =>
        JsonSerializer.Serialize(a.Settlement, ApiJson.Reading) == JsonSerializer.Serialize(b.Settlement, ApiJson.Reading) &&
        a.RequesterProof?.Signature == b.RequesterProof?.Signature && a.ProviderProof?.Signature == b.ProviderProof?.Signature &&
        a.ReceiptProof?.Signature == b.ReceiptProof?.Signature;

    private static string Word(SettlementState state) => JsonNamingPolicy.KebabCaseLower.ConvertName(state.ToString());
}
