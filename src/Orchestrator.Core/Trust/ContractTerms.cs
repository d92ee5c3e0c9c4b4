using System.Text.Json;
using Orchestrator.Protocol.Model;

namespace Orchestrator.Trust;

/// <summary>
/// Whether a contract says what a party agreed to. A signature proves who signed, not what was agreed: a provider
/// could sign a higher price, a requester could propose other resources than were locked. Each side compares the
/// terms it is shown with its own record before it signs or accepts them.
/// </summary>
public static class ContractTerms
{
    /// <summary>The first term of <paramref name="signed"/> that differs from <paramref name="expected"/> (times aside but the duration), or null.</summary>
    public static string? Mismatch(Contract expected, Contract signed)
    {
        if (signed.ContractId != expected.ContractId) return Differs("contract id", expected.ContractId, signed.ContractId);
        if (signed.JobId != expected.JobId) return Differs("job", expected.JobId, signed.JobId);
        if (signed.RequesterNodeId != expected.RequesterNodeId) return Differs("requester", expected.RequesterNodeId, signed.RequesterNodeId);
        if (signed.ProviderId != expected.ProviderId) return Differs("provider", expected.ProviderId, signed.ProviderId);
        return Locked(signed, expected.Resources, expected.PricePerHour, expected.PricePerResult) ??
               (signed.Currency != expected.Currency ? Differs("currency", expected.Currency ?? "-", signed.Currency ?? "-") : null) ??
               (signed.Runs != expected.Runs ? Differs("executor", expected.Runs?.ToString() ?? "none", signed.Runs?.ToString() ?? "none") : null) ??
               (signed.EndsAt - signed.StartsAt != expected.EndsAt - expected.StartsAt
                   ? Differs("duration", (expected.EndsAt - expected.StartsAt).ToString(), (signed.EndsAt - signed.StartsAt).ToString())
                   : null);
    }

    /// <summary>The terms ask for other resources, or another price, than the provider locked for the job; or null.</summary>
    public static string? Locked(Contract terms, ResourceRequirements resources, decimal pricePerHour, decimal? pricePerResult = null)
    {
        if (terms.PricePerResult != pricePerResult) return Differs("price per result", pricePerResult?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none",
            terms.PricePerResult?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none");
        if (terms.PricePerHour != pricePerHour) return Differs("price per hour", pricePerHour.ToString(System.Globalization.CultureInfo.InvariantCulture),
            terms.PricePerHour.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var agreed = JsonSerializer.Serialize(resources);
        var stated = JsonSerializer.Serialize(terms.Resources);
        return agreed == stated ? null : Differs("resources", agreed, stated);
    }

    private static string Differs(string term, string agreed, string stated) => $"the contract's {term} is {stated}, not the agreed {agreed}";
}
