using Orchestrator.Protocol.Model;
using Orchestrator.Settlements;

namespace Orchestrator.Tests.Settlements;

/// <summary>The amount a contract's terms give for a run: every outcome × price kind, at the bounds of the run's length.</summary>
public sealed class SettlementTermsTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 7, 10, 0, 0, TimeSpan.Zero);

    // An hour's contract at 3.6 an hour: a second costs 0.001.
    private static readonly Contract PerHour = new("job-1@cp-a", "job-1", "sp-test", "cp-a", new ResourceRequirements { CpuCores = 1, RamMb = 64, DiskGb = 1 }, [],
        3.6m, T0, T0, T0.AddHours(1)) { Currency = "NTX" };

    private static readonly Contract PerResult = PerHour with { PricePerHour = 0m, PricePerResult = 2.5m };

    private static UsageReceipt Ran(long wallMs, string outcome = "completed") => new("job-1@cp-a", "job-1", "cp-a", 1, T0.AddSeconds(1),
        T0.AddSeconds(1).AddMilliseconds(wallMs), wallMs, wallMs / 2, 65_536, 10, outcome, outcome == "completed" ? 0 : null, SettlementTerms.ResultHash([]));

    public static TheoryData<string, long, long, decimal> PerHourCases() => new()
    {
        // outcome, wall ms, billed seconds, amount
        { "completed", 0, 0, 0m },                  // a run of no time costs nothing
        { "completed", 1, 1, 0.001m },              // every second begun counts
        { "completed", 1_000, 1, 0.001m },
        { "completed", 1_001, 2, 0.002m },
        { "completed", 3_600_000, 3_600, 3.6m },    // exactly the contract's duration
        { "completed", 3_600_001, 3_600, 3.6m },    // past it: never more than the contract's duration
        { "completed", 7_200_000, 3_600, 3.6m },
        { "exit-code", 12_345, 13, 0.013m },        // the program's own failure: its time is owed
        { "memory-limit", 500, 1, 0.001m },
        { "duration-exceeded", 3_600_000, 3_600, 3.6m },
        { "cancelled", 59_999, 60, 0.06m },         // the requester cancelled: the time it ran is owed
        { "executor-error", 12_345, 0, 0m },        // the provider's side failed the run: nothing owed
        { "interrupted", 12_345, 0, 0m },
        { "provider-lost", 12_345, 0, 0m },
    };

    [Theory]
    [MemberData(nameof(PerHourCases))]
    public void Per_hour_the_time_the_program_ran_is_paid_pro_rata_to_the_second_within_the_contract(string outcome, long wallMs, long billed, decimal amount)
    {
        var s = SettlementTerms.Compute(PerHour, Ran(wallMs, outcome), outcome, T0.AddHours(2));
        Assert.Equal((PriceUnit.Hour, 3.6m, "NTX", outcome, billed, amount), (s.Unit, s.Price, s.Currency, s.Outcome, s.BilledSeconds, s.Amount));
        Assert.Equal((PerHour.ContractId, "job-1", "sp-test", "cp-a"), (s.ContractId, s.JobId, s.RequesterNodeId, s.ProviderId));
        Assert.StartsWith(outcome + ": ", s.Basis);
    }

    public static TheoryData<string, decimal> PerResultCases() => new()
    {
        { "completed", 2.5m },
        { "exit-code", 0m },
        { "memory-limit", 0m },
        { "duration-exceeded", 0m },
        { "cancelled", 0m },
        { "executor-error", 0m },
        { "interrupted", 0m },
        { "provider-lost", 0m },
    };

    [Theory]
    [MemberData(nameof(PerResultCases))]
    public void Per_result_only_a_completed_run_is_paid_whatever_its_length(string outcome, decimal amount)
    {
        foreach (var wallMs in new long[] { 0, 1, 3_600_000, 7_200_000 })
        {
            var s = SettlementTerms.Compute(PerResult, Ran(wallMs, outcome), outcome, T0);
            Assert.Equal((PriceUnit.Result, 2.5m, 0L, amount), (s.Unit, s.Price, s.BilledSeconds, s.Amount));
        }
    }

    [Fact]
    public void The_basis_says_how_the_amount_was_computed()
    {
        Assert.Equal("completed: 2 s (wall time 1500 ms, rounded up to the second) at 3.6 NTX/h = 0.002 NTX",
            SettlementTerms.Compute(PerHour, Ran(1_500), "completed", T0).Basis);
        Assert.Equal("completed: 3600 s (wall time 7200000 ms, rounded up to the second, capped at the contract's 3600 s) at 3.6 NTX/h = 3.6 NTX",
            SettlementTerms.Compute(PerHour, Ran(7_200_000), "completed", T0).Basis);
        Assert.Equal("completed: 2.5 NTX per result", SettlementTerms.Compute(PerResult, Ran(10), "completed", T0).Basis);
        Assert.Equal("exit-code: no result, nothing owed (priced per result)", SettlementTerms.Compute(PerResult, Ran(10), "exit-code", T0).Basis);
        Assert.Equal("provider-lost: the provider's side failed the run, nothing owed", SettlementTerms.Compute(PerHour, Ran(10), "provider-lost", T0).Basis);
    }

    [Fact]
    public void Amounts_are_rounded_to_eight_decimals_half_to_even_and_a_contract_without_a_currency_is_in_usd()
    {
        // 1 s at 0.0000001/h is 2.7e-11: rounds to 0; 1 s at 1/h is 0.000277777…: 0.00027778.
        Assert.Equal(0m, SettlementTerms.Compute(PerHour with { PricePerHour = 0.0000001m }, Ran(1_000), "completed", T0).Amount);
        var s = SettlementTerms.Compute(PerHour with { PricePerHour = 1m, Currency = null }, Ran(1_000), "completed", T0);
        Assert.Equal((0.00027778m, "USD"), (s.Amount, s.Currency));
    }

    [Fact]
    public void The_result_hash_names_the_outputs_in_order_and_changes_with_any_of_them()
    {
        var a = new OutputFile("a.txt", 3, new string('1', 64));
        var b = new OutputFile("b.txt", 4, new string('2', 64));
        var hash = SettlementTerms.ResultHash([a, b]);
        Assert.Equal(64, hash.Length);
        Assert.Equal(hash, SettlementTerms.ResultHash([a, b]));
        Assert.NotEqual(hash, SettlementTerms.ResultHash([b, a]));
        Assert.NotEqual(hash, SettlementTerms.ResultHash([a, b with { Bytes = 5 }]));
        Assert.NotEqual(hash, SettlementTerms.ResultHash([a]));
        // No outputs: the hash of nothing.
        Assert.Equal("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", SettlementTerms.ResultHash([]));
    }

    [Fact]
    public void The_outcome_code_is_completed_or_the_failures_kebab_case_word()
    {
        Assert.Equal("completed", SettlementTerms.OutcomeCode(new RunOutcome(0, null, "exited with 0")));
        Assert.Equal("exit-code", SettlementTerms.OutcomeCode(new RunOutcome(3, RunFailure.ExitCode, "exited with 3")));
        Assert.Equal("provider-lost", SettlementTerms.OutcomeCode(new RunOutcome(null, RunFailure.ProviderLost, "gone")));
        Assert.Equal("duration-exceeded", SettlementTerms.OutcomeCode(new RunOutcome(null, RunFailure.DurationExceeded, "stopped")));
    }

    [Fact]
    public void Billed_seconds_count_every_second_begun_and_nothing_for_no_time()
    {
        Assert.Equal([0L, 1L, 1L, 2L, 3_600L], new long[] { 0, 1, 1_000, 1_001, 3_600_000 }.Select(SettlementTerms.BilledSeconds));
        // A receipt cannot carry negative time past the checks, but the rule gives nothing for it either way.
        Assert.Equal(0L, SettlementTerms.BilledSeconds(-5_000));
    }
}
