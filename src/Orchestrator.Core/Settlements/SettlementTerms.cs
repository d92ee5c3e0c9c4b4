using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Orchestrator.Protocol.Model;

namespace Orchestrator.Settlements;

/// <summary>
/// What a contract's terms give for one run: the single rule both sides compute, the job to propose an amount and the
/// provider to check it. Per hour: the wall time from the program's start to its end, rounded up to the second and never
/// more than the contract's duration, at the hourly price — for every outcome the program itself brought about (it
/// completed, exited with another code, asked for more memory than contracted, ran past its time, or was cancelled by
/// the requester); nothing when the provider's side failed it (its executor, its node restarting, the provider lost).
/// Per result: the price when the run completed, nothing otherwise. Amounts are rounded to 8 decimals (half to even).
/// </summary>
public static class SettlementTerms
{
    /// <summary>How far apart the two sides' clocks may be when the job checks a receipt's times against its own record.</summary>
    public static readonly TimeSpan ClockSkew = TimeSpan.FromSeconds(30);

    public const string Completed = "completed";

    /// <summary>The outcome's code as receipts and settlements state it: <c>completed</c>, or the failure's (<c>exit-code</c>, …).</summary>
    public static string OutcomeCode(RunOutcome outcome) => outcome.Failure is { } failure ? RunFailures.Code(failure) : Completed;

    /// <summary>Whether the requester pays for the time of a run that ended so (per hour).</summary>
    public static bool TimeIsBillable(string outcome) => outcome is Completed or "exit-code" or "memory-limit" or "duration-exceeded" or "cancelled";

    /// <summary>The settlement of <paramref name="contract"/>'s run as <paramref name="usage"/> measured it, ended as <paramref name="outcome"/> says.</summary>
    public static Settlement Compute(Contract contract, UsageReceipt usage, string outcome, DateTimeOffset at)
    {
        var currency = contract.Currency ?? "USD";
        if (contract.PricePerResult is { } perResult)
        {
            var paid = outcome == Completed;
            return Make(contract, usage, outcome, PriceUnit.Result, perResult, currency, 0, paid ? perResult : 0m, at,
                paid ? $"completed: {Money(perResult)} {currency} per result" : $"{outcome}: no result, nothing owed (priced per result)");
        }

        if (!TimeIsBillable(outcome))
            return Make(contract, usage, outcome, PriceUnit.Hour, contract.PricePerHour, currency, 0, 0m, at,
                $"{outcome}: the provider's side failed the run, nothing owed");
        var contracted = (long)Math.Floor((contract.EndsAt - contract.StartsAt).TotalSeconds);
        var used = BilledSeconds(usage.WallMs);
        var billed = Math.Min(used, Math.Max(0, contracted));
        var amount = Math.Round(contract.PricePerHour * billed / 3600m, 8, MidpointRounding.ToEven);
        var capped = billed < used ? $", capped at the contract's {contracted} s" : "";
        return Make(contract, usage, outcome, PriceUnit.Hour, contract.PricePerHour, currency, billed, amount, at,
            $"{outcome}: {billed} s (wall time {usage.WallMs} ms, rounded up to the second{capped}) at {Money(contract.PricePerHour)} {currency}/h = {Money(amount)} {currency}");
    }

    /// <summary>Wall milliseconds to billed seconds: every second begun counts; a run of no time costs nothing.</summary>
    public static long BilledSeconds(long wallMs) => wallMs <= 0 ? 0 : (wallMs + 999) / 1000;

    /// <summary>The hash a receipt names the result by: the outputs kept, in order, each as name, size and sha256 (empty: no outputs).</summary>
    public static string ResultHash(IReadOnlyList<OutputFile> outputs)
    {
        var text = string.Concat(outputs.Select(o => $"{o.Name}\n{o.Bytes.ToString(CultureInfo.InvariantCulture)}\n{o.Sha256}\n"));
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }

    private static Settlement Make(Contract contract, UsageReceipt usage, string outcome, PriceUnit unit, decimal price, string currency, long billed,
        decimal amount, DateTimeOffset at, string basis) =>
        new(contract.ContractId, contract.JobId, contract.RequesterNodeId, contract.ProviderId, unit, price, currency, outcome, billed, amount, basis, usage, at);

    public static string Money(decimal amount) => amount.ToString("0.########", CultureInfo.InvariantCulture);
}
