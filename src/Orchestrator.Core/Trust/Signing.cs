using System.Globalization;
using System.Text;
using System.Text.Json;
using Orchestrator.Protocol.Messages;
using Orchestrator.Protocol.Model;

namespace Orchestrator.Trust;

/// <summary>
/// What the parties sign, byte for byte. A bid and a job-request acceptance are bound to the job and to the nonce
/// the job sent with its request, so a signed bid cannot be replayed into another job or another round; a contract
/// is signed over its canonical terms (job, both parties, resources, price, times), so a changed term breaks both
/// signatures.
/// </summary>
public static class Signing
{
    public static byte[] BidBytes(Bid bid, string nonce) => Encoding.UTF8.GetBytes(string.Join('\n',
        "orchestrator/bid/v1", bid.JobId, bid.ProviderId, nonce, bid.PricePerHour.ToString(CultureInfo.InvariantCulture),
        bid.ResourcesLocked ? "locked" : "not-locked", bid.LockExpiresAt?.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture) ?? "-",
        bid.BidAt.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture))
        // The price terms added since v1, only when stated: a bid without them signs the same bytes as before.
        + (bid.PricePerResult is { } perResult ? "\nper-result:" + perResult.ToString(CultureInfo.InvariantCulture) : "")
        + (bid.EstimatedMinutes is { } minutes ? "\nestimated-minutes:" + minutes.ToString(CultureInfo.InvariantCulture) : "")
        + (bid.Currency is { } currency ? "\ncurrency:" + currency : ""));

    public static byte[] ContractBytes(Contract contract) =>
        Encoding.UTF8.GetBytes("orchestrator/contract/v1\n" + JsonSerializer.Serialize(contract with
        {
            // Milliseconds, UTC: the same instant always prints the same way, whatever offset it travelled with.
            SignedAt = Millis(contract.SignedAt), StartsAt = Millis(contract.StartsAt), EndsAt = Millis(contract.EndsAt),
        }, TrustJson.Options));

    /// <summary>A usage receipt, signed by the provider: what its allocation measured of one run under one contract.</summary>
    public static byte[] ReceiptBytes(UsageReceipt receipt) =>
        Encoding.UTF8.GetBytes("orchestrator/receipt/v1\n" + JsonSerializer.Serialize(Canonical(receipt), TrustJson.Options));

    /// <summary>A settlement, signed by both sides: the amount, how it was computed, and the receipt it was computed from.</summary>
    public static byte[] SettlementBytes(Settlement settlement) =>
        Encoding.UTF8.GetBytes("orchestrator/settlement/v1\n" + JsonSerializer.Serialize(settlement with
        {
            At = Millis(settlement.At), Usage = Canonical(settlement.Usage),
            // The amount as a fixed string of digits: 1.5 and 1.50 are the same amount and sign the same bytes.
            Amount = decimal.Round(settlement.Amount, 8) / 1.000000000000000000000000000000000m, Price = settlement.Price / 1.000000000000000000000000000000000m,
        }, TrustJson.Options));

    private static UsageReceipt Canonical(UsageReceipt receipt) => receipt with { StartedAt = Millis(receipt.StartedAt), EndedAt = Millis(receipt.EndedAt) };

    public static Proof Sign(KeyPair key, Credential credential, byte[] bytes) => new(Convert.ToBase64String(key.Sign(bytes)), credential);

    /// <summary>The proof's credential is trusted for the role and id, and its key signed exactly these bytes.</summary>
    public static TrustVerdict Verify(TrustStore store, Proof proof, ParticipantRole role, string participantId, byte[] bytes, DateTimeOffset now)
    {
        var key = new byte[proof.Credential.SubjectPublicKey.Length];
        if (!Convert.TryFromBase64String(proof.Credential.SubjectPublicKey, key, out var keyLength))
            return new TrustVerdict(DistrustReason.KeyMismatch, $"credential {proof.Credential.Serial}: its public key is not base64");
        key = key[..keyLength];
        var verdict = store.Verify(proof.Credential, role, participantId, key, now);
        if (!verdict.IsTrusted) return verdict;
        var signature = new byte[proof.Signature.Length];
        return Convert.TryFromBase64String(proof.Signature, signature, out var length) && KeyPair.Verify(key, bytes, signature[..length])
            ? TrustVerdict.Trusted
            : new TrustVerdict(DistrustReason.BadSignature,
                $"{TrustStore.RoleName(role)} '{participantId}': the signature does not match what was signed (altered, forged, or made for another job or request)");
    }

    private static DateTimeOffset Millis(DateTimeOffset at) => DateTimeOffset.FromUnixTimeMilliseconds(at.ToUnixTimeMilliseconds());
}
