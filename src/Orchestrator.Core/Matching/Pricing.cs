using System.Globalization;
using Orchestrator.Protocol.Messages;
using Orchestrator.Protocol.Model;

namespace Orchestrator.Matching;

/// <summary>
/// What a job expects to pay a provider, for either kind of price (NuNet's PriceBid): per hour, the hourly price for the
/// bid's estimated duration (its TimeBid) or else the job's; per result, the fixed amount. The job's limits
/// (<c>maxPricePerHour</c>, <c>maxTotalBudget</c>) and the <c>lowest-price</c> ranking all compare this one figure, and the
/// explanation shows how it was computed (<see cref="Basis(decimal, decimal?, int?, int?)"/>).
/// </summary>
public static class Pricing
{
    /// <summary>The job's duration when it states none (the node's default is filled in before a job reaches a provider).</summary>
    private const int UnknownDurationMinutes = 60;

    public static decimal ExpectedTotal(decimal pricePerHour, decimal? pricePerResult, int? estimatedMinutes, int? jobMinutes) =>
        pricePerResult ?? Math.Round(pricePerHour * Minutes(estimatedMinutes, jobMinutes) / 60m, 8, MidpointRounding.ToEven);

    public static decimal ExpectedTotal(Bid bid, int? jobMinutes) => ExpectedTotal(bid.PricePerHour, bid.PricePerResult, bid.EstimatedMinutes, jobMinutes);

    public static decimal ExpectedTotal(ProviderCapability p, int? jobMinutes) => ExpectedTotal(p.PricePerHour, p.PricePerResult, null, jobMinutes);

    /// <summary>How the expected total was computed, in words: "2.5/h × 30 min = 1.25" or "4 per result".</summary>
    public static string Basis(decimal pricePerHour, decimal? pricePerResult, int? estimatedMinutes, int? jobMinutes)
    {
        if (pricePerResult is { } perResult) return $"{Money(perResult)} per result";
        var minutes = Minutes(estimatedMinutes, jobMinutes);
        var source = estimatedMinutes is > 0 && estimatedMinutes < (jobMinutes ?? int.MaxValue) ? " (the provider's estimate)" : "";
        return $"{Money(pricePerHour)}/h × {minutes} min{source} = {Money(ExpectedTotal(pricePerHour, null, estimatedMinutes, jobMinutes))}";
    }

    public static string Basis(Bid bid, int? jobMinutes) => Basis(bid.PricePerHour, bid.PricePerResult, bid.EstimatedMinutes, jobMinutes);

    /// <summary>
    /// The job's hourly ceiling as a ceiling on the expected total: per hour the price itself is compared (as always); per
    /// result, the amount must not exceed what the ceiling allows for the job's duration.
    /// </summary>
    public static bool AboveMaxPerHour(decimal pricePerHour, decimal? pricePerResult, decimal? maxPricePerHour, int? jobMinutes) =>
        maxPricePerHour is { } max && (pricePerResult is { } perResult
            ? perResult > Math.Round(max * (jobMinutes ?? UnknownDurationMinutes) / 60m, 8, MidpointRounding.ToEven)
            : pricePerHour > max);

    // The shorter of the provider's estimate and the job's duration: a job never runs past its own duration.
    private static int Minutes(int? estimatedMinutes, int? jobMinutes)
    {
        var job = jobMinutes ?? UnknownDurationMinutes;
        return estimatedMinutes is > 0 && estimatedMinutes < job ? estimatedMinutes.Value : job;
    }

    public static string Money(decimal amount) => amount.ToString("0.########", CultureInfo.InvariantCulture);
}
