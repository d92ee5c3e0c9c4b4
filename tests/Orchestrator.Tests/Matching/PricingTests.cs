using Orchestrator.Matching;
using Orchestrator.Protocol.Messages;
using Orchestrator.Protocol.Model;
using Orchestrator.Providers;
using Orchestrator.Validation;
using static Orchestrator.Tests.Fixtures;

namespace Orchestrator.Tests.Matching;

/// <summary>
/// Prices as NuNet's bids state them — per hour (for the bid's estimated duration, or the job's) or per result — compared
/// as the expected total the job would pay: by the job's limits, by the <c>lowest-price</c> ranking and by the lower-price
/// preference, with the explanation saying how each total was computed.
/// </summary>
public sealed class PricingTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 7, 10, 0, 0, TimeSpan.Zero);

    private static Bid PerHour(string id, decimal price, int? estimate = null) => BidFrom(id, price) with { EstimatedMinutes = estimate };

    private static Bid PerResult(string id, decimal price) => BidFrom(id, 0m) with { PricePerResult = price };

    [Theory]
    [InlineData(2.0, null, null, 90, 3.0)]      // 2/h for the job's 90 min
    [InlineData(2.0, null, 30, 90, 1.0)]        // the provider's estimate, shorter than the job
    [InlineData(2.0, null, 120, 90, 3.0)]       // an estimate past the job's duration: the job's
    [InlineData(2.0, null, null, null, 2.0)]    // no duration: an hour
    [InlineData(0.0, 4.5, null, 90, 4.5)]       // per result: the price, whatever the duration
    [InlineData(0.0, 4.5, 30, 90, 4.5)]
    public void The_expected_total_is_the_hourly_price_for_the_expected_duration_or_the_price_per_result(double perHour, double? perResult, int? estimate,
        int? jobMinutes, double expected) =>
        Assert.Equal((decimal)expected, Pricing.ExpectedTotal((decimal)perHour, (decimal?)perResult, estimate, jobMinutes));

    [Fact]
    public void The_basis_says_how_each_total_was_computed()
    {
        Assert.Equal("2/h × 90 min = 3", Pricing.Basis(PerHour("a", 2m), 90));
        Assert.Equal("2/h × 30 min (the provider's estimate) = 1", Pricing.Basis(PerHour("a", 2m, 30), 90));
        Assert.Equal("4.5 per result", Pricing.Basis(PerResult("b", 4.5m), 90));
    }

    [Fact]
    public void Lowest_price_ranks_by_the_expected_total_so_a_cheap_result_beats_a_cheap_hour_on_a_long_job_and_not_on_a_short_one()
    {
        Bid[] bids = [PerHour("hourly", 1m), PerResult("flat", 5m)];
        // Ten hours at 1/h is 10; the result costs 5.
        Assert.Equal(["flat", "hourly"], BidRanking.Rank(bids, [], SelectionCriterion.LowestPrice, jobMinutes: 600).Select(r => r.Bid.ProviderId));
        // An hour at 1/h is 1: cheaper than the result.
        Assert.Equal(["hourly", "flat"], BidRanking.Rank(bids, [], SelectionCriterion.LowestPrice, jobMinutes: 60).Select(r => r.Bid.ProviderId));
        // A provider's estimate counts: 3 h estimated of a 10 h job at 2/h is 6 — dearer than the flat 5, cheaper than 10 h at 1/h.
        Bid[] estimated = [PerHour("hourly", 1m), PerResult("flat", 5m), PerHour("quick", 2m, 180)];
        Assert.Equal(["flat", "quick", "hourly"], BidRanking.Rank(estimated, [], SelectionCriterion.LowestPrice, jobMinutes: 600).Select(r => r.Bid.ProviderId));
    }

    [Fact]
    public void The_lower_price_preference_scores_expected_totals()
    {
        Bid[] bids = [PerHour("hourly", 1m), PerResult("flat", 5m)];
        var context = PreferenceScoring.Context.Of(bids, 600);
        var lower = new Preference { Weight = 1, LowerPrice = true };
        Assert.Equal(5m, context.CheapestPrice);
        Assert.Equal(1.0, PreferenceScoring.Score(lower, bids[1], context));
        Assert.Equal(0.5, PreferenceScoring.Score(lower, bids[0], context), 6);
    }

    [Fact]
    public void The_search_explanation_shows_each_providers_expected_total_and_how_it_was_computed()
    {
        var outcome = Orchestrator.Jobs.SearchOutcome.Of(JobOf(), OrchestrationType.Pull, SelectionCriterion.LowestPrice, [], 1, 2, new Dictionary<string, int>(), 2,
            [PerHour("hourly", 1m), PerResult("flat", 5m)], [], [], jobMinutes: 600);
        var ranking = outcome.Explanation.Ranking;
        Assert.Equal([("flat", 5m, "5 per result"), ("hourly", 10m, "1/h × 600 min = 10")], ranking.Select(r => (r.ProviderId, r.ExpectedTotal, r.PriceBasis)));
    }

    [Fact]
    public void A_jobs_limits_apply_to_the_expected_total_of_either_kind()
    {
        var flat = Provider("cp-flat") with { PricePerHour = 0m, PricePerResult = 5m };
        // At most 2/h for 2 hours allows 4 per result: 5 is above it.
        var tooDear = CapabilityMatcher.Match(flat, AllFree(flat), Needs() with { MaxPricePerHour = 2m, DurationMinutes = 120 });
        var no = Assert.IsType<MatchResult.Ineligible>(tooDear);
        Assert.Equal((DeclineReason.PriceAboveMaximum, "price 5 per result is above what the maximum 2/h allows for the job's 120 min"), (no.Reason, no.Detail));
        // For 3 hours it allows 6: eligible.
        Assert.IsType<MatchResult.Eligible>(CapabilityMatcher.Match(flat, AllFree(flat), Needs() with { MaxPricePerHour = 2m, DurationMinutes = 180 }));
        // The budget against the price per result.
        var over = Assert.IsType<MatchResult.Ineligible>(CapabilityMatcher.Match(flat, AllFree(flat), Needs() with { MaxTotalBudget = 4.99m, DurationMinutes = 10 }));
        Assert.Equal((DeclineReason.BudgetExceeded, "the expected total 5 per result is above the budget 4.99"), (over.Reason, over.Detail));
        Assert.IsType<MatchResult.Eligible>(CapabilityMatcher.Match(flat, AllFree(flat), Needs() with { MaxTotalBudget = 5m, DurationMinutes = 10 }));
        // The provider's own comparison says the same.
        var checks = EligibilityComparison.HardConstraints(flat, AllFree(flat), Needs() with { MaxPricePerHour = 2m, DurationMinutes = 120 });
        var price = Assert.Single(checks, c => c.Constraint == "max-price-per-hour");
        Assert.Equal((false, "at most 2/h", "5 per result"), (price.Passed, price.Required, price.Offered));
    }

    [Fact]
    public void A_provider_charges_per_hour_or_per_result_not_both_and_its_price_is_bounded()
    {
        var both = Provider("cp-both") with { PricePerHour = 1m, PricePerResult = 5m };
        var errors = ProviderCapabilityValidator.Validate([both]).ToDictionary();
        Assert.Contains(errors, e => e.Key.EndsWith("pricePerResult", StringComparison.Ordinal) && e.Value[0].Contains("not both", StringComparison.Ordinal));
        var negative = ProviderCapabilityValidator.Validate([Provider("cp-neg") with { PricePerHour = 0m, PricePerResult = -1m }]).ToDictionary();
        Assert.Contains(negative, e => e.Key.EndsWith("pricePerResult", StringComparison.Ordinal) && e.Value[0].StartsWith("must be between 0", StringComparison.Ordinal));
        Assert.True(ProviderCapabilityValidator.Validate([Provider("cp-flat") with { PricePerHour = 0m, PricePerResult = 5m }]).IsEmpty);
    }

    [Fact]
    public void A_provider_signs_only_the_price_per_result_it_locked()
    {
        var flat = Provider("cp-flat") with { PricePerHour = 0m, PricePerResult = 5m };
        var session = ProviderSession.Start(flat);
        var answer = Assert.IsType<ExchangeAnswer.Lock>(ProviderDecisions.Answer(session, "job-1", "sp-1", Needs(), lockIt: true, askAgain: true, TimeSpan.FromSeconds(30), T0));
        Assert.Equal(5m, answer.Event.PricePerResult);
        var locked = session.Apply(answer.Event);
        var terms = new Contract("job-1@cp-flat", "job-1", "sp-1", "cp-flat", Needs().Resources, [], 0m, T0, T0, T0.AddHours(1)) { PricePerResult = 5m, Currency = "USD" };
        Assert.IsType<ProposalDecision.Commit>(ProviderDecisions.Propose(locked, new ContractProposal(terms), () => Orchestrator.Trust.TrustVerdict.Trusted, T0));
        var cheaper = Assert.IsType<ProposalDecision.Refuse>(ProviderDecisions.Propose(locked, new ContractProposal(terms with { PricePerResult = 4m }),
            () => Orchestrator.Trust.TrustVerdict.Trusted, T0));
        Assert.Contains("the contract's price per result is 4, not the agreed 5", cheaper.Reason.ToString() + cheaper.Detail);
        var otherCurrency = Assert.IsType<ProposalDecision.Refuse>(ProviderDecisions.Propose(locked, new ContractProposal(terms with { Currency = "NTX" }),
            () => Orchestrator.Trust.TrustVerdict.Trusted, T0));
        Assert.Contains("the contract's currency is NTX, not the provider's USD", otherCurrency.Detail);
    }
}
