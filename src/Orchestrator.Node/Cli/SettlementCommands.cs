using System.CommandLine;
using System.Globalization;
using Orchestrator.Api;
using Orchestrator.Protocol.Messages;
using Orchestrator.Protocol.Model;
using Orchestrator.Settlements;
using Spectre.Console;

namespace Orchestrator.Node.Cli;

/// <summary><c>orchestrator settlements list | show</c>: the settlement ledger (verify one offline with <c>contract verify</c>).</summary>
public static class SettlementCommands
{
    public static Command Create()
    {
        var settlements = NodeClient.WithNodeOptions(new Command("settlements", "the settlement ledger: what each ended contract came to, signed by both sides"));
        settlements.Subcommands.Add(List());
        settlements.Subcommands.Add(Show());
        return settlements;
    }

    private static Command List()
    {
        var provider = new Option<string?>("--provider") { Description = "only this provider's contracts" };
        var requester = new Option<string?>("--requester") { Description = "only this requester's (the node that posted the jobs)" };
        var state = new Option<string?>("--state") { Description = "only settlements in this state (awaiting-receipt, proposed, settled, disputed)" };
        var since = new Option<string?>("--since") { Description = "only rows changed since: a time (ISO 8601) or an age (30m, 2h, 1d)" };
        var until = new Option<string?>("--until") { Description = "only rows changed before this time (ISO 8601)" };
        var limit = new Option<int>("--limit") { Description = "at most this many rows (newest first); the totals count every matching row", DefaultValueFactory = _ => 100 };
        var list = new Command("list", "settlements across the cluster, newest first, with totals per currency") { provider, requester, state, since, until, limit };
        Operator.SetAction(list, async (client, json, parsed, ct) =>
        {
            var query = $"/orchestrator/settlements?limit={parsed.GetValue(limit)}";
            if (parsed.GetValue(provider) is { } p) query += "&provider=" + Uri.EscapeDataString(p);
            if (parsed.GetValue(requester) is { } r) query += "&requester=" + Uri.EscapeDataString(r);
            if (parsed.GetValue(state) is { } s) query += "&state=" + Uri.EscapeDataString(s);
            if (parsed.GetValue(since) is { } t)
                query += "&from=" + Uri.EscapeDataString((Output.ParseDuration(t) is { } age ? DateTimeOffset.UtcNow - age : Time(t, "--since")).ToString("O", CultureInfo.InvariantCulture));
            if (parsed.GetValue(until) is { } u) query += "&until=" + Uri.EscapeDataString(Time(u, "--until").ToString("O", CultureInfo.InvariantCulture));
            var answer = await client.GetAsync(query, ct);
            if (json)
            {
                Output.Json(answer);
                return 0;
            }

            var page = NodeClient.Read<SettlementPage>(answer);
            var table = Output.Table("CONTRACT", "STATE", "REQUESTER", "PROVIDER", "AMOUNT", "UPDATED");
            foreach (var row in page.Rows)
                table.AddRow(Markup.Escape(row.ContractId), Word(row.State), Markup.Escape(row.Requester), Markup.Escape(row.ProviderId),
                    row.Currency.Length == 0 ? "" : $"{SettlementTerms.Money(row.Amount)} {Markup.Escape(row.Currency)}", Output.Age(row.UpdatedAt));
            Output.Print(table);
            Output.Line($"{page.Rows.Count} of {page.Total} settlement(s)");
            foreach (var total in page.Totals)
                Output.Line($"{total.Currency}: {SettlementTerms.Money(total.Amount)} settled over {total.Settled} of {total.Rows} row(s)");
            return 0;
        });
        return list;
    }

    private static Command Show()
    {
        var id = new Argument<string>("contract-id") { Description = "the contract (job-id@provider-id)" };
        var show = new Command("show", "one contract's settlement as both sides recorded it: the usage, the amount and how it was computed, who signed") { id };
        Operator.SetAction(show, async (client, json, parsed, ct) =>
        {
            var answer = await client.GetAsync($"/orchestrator/settlements/{Uri.EscapeDataString(parsed.GetValue(id)!)}", ct);
            if (json)
            {
                Output.Json(answer);
                return 0;
            }

            var detail = NodeClient.Read<SettlementDetail>(answer);
            var mine = detail.Requester;
            Output.Line($"contract {detail.ContractId} (job {detail.JobId}): {Word(mine.State)}");
            if (mine.Settlement is { } s)
            {
                Output.Line($"amount: {SettlementTerms.Money(s.Amount)} {s.Currency} — {s.Basis}");
                var u = s.Usage;
                Output.Line($"usage: run {u.Run}, {u.StartedAt:O} to {u.EndedAt:O} ({u.WallMs} ms wall, {u.CpuMs} ms cpu, peak memory {u.PeakMemoryBytes} bytes, " +
                            $"{u.OutputBytes} bytes out), ended {u.Outcome}");
                Output.Line($"signed by: requester {(mine.RequesterProof is null ? "—" : "yes")}, provider {(mine.ProviderProof is null ? "—" : "yes")}, " +
                            $"receipt by the provider {(mine.ReceiptProof is null ? "—" : "yes")} (check offline: orchestrator contract verify)");
            }

            if (mine.DisputeReason is { } why) Output.Line($"disputed by the {mine.DisputedBy}: {why}");
            if (mine.Transfer is { } transfer) Output.Line($"transferred by {transfer.Provider}: {transfer.Reference}");
            Output.Line(detail.Provider is { } theirs
                ? $"the provider's record: {Word(theirs.State)}" + (theirs.Settlement is { } t && mine.Settlement is { } m
                    ? t.Amount == m.Amount && t.Usage == m.Usage ? ", the same amount and usage" : $", {SettlementTerms.Money(t.Amount)} {t.Currency} — DIFFERENT"
                    : "")
                : $"the provider's record: not read ({detail.ProviderUnavailable})");
            return 0;
        });
        return show;
    }

    private static DateTimeOffset Time(string text, string option) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
            ? at
            : throw new CliFailure($"{option}: '{text}' is neither a time (ISO 8601) nor an age (30m, 2h, 1d)", 2);

    private static string Word(SettlementState state) => System.Text.Json.JsonNamingPolicy.KebabCaseLower.ConvertName(state.ToString());
}
