using System.CommandLine;
using Orchestrator.Protocol.Messages;
using Spectre.Console;

namespace Orchestrator.Node.Cli;

/// <summary><c>orchestrator providers list | show | onboard | offboard</c>.</summary>
public static class ProvidersCommands
{
    public static Command Create()
    {
        var list = new Command("list", "every provider the node knows: capacity, free, locked, contracts, as of when");
        Operator.SetAction(list, async (client, json, _, ct) =>
        {
            var answer = await client.GetAsync("/orchestrator/providers", ct);
            if (json)
            {
                Output.Json(answer);
                return 0;
            }

            var providers = NodeClient.Read<ProviderStatus[]>(answer);
            var table = Output.Table("PROVIDER", "CPU FREE/ALL", "RAM MB FREE/ALL", "GPUS FREE/ALL", "LOCKS", "CONTRACTS", "PRICE/H", "AS OF");
            foreach (var p in providers.OrderBy(p => p.Capability.Id, StringComparer.Ordinal))
            {
                var all = p.Capability.Resources;
                table.AddRow(Markup.Escape(p.Capability.Id), $"{p.Free.CpuCores}/{all.CpuCores}", $"{p.Free.RamMb}/{all.RamMb}",
                    $"{p.Free.Gpus}/{all.Gpus.Count}", p.Locks.Count.ToString(), p.Contracts.Count.ToString(), p.Capability.PricePerHour.ToString(),
                    Output.Age(p.AsOf));
            }

            Output.Print(table);
            Output.Line($"{providers.Length} provider(s), {providers.Sum(p => p.Locks.Count)} lock(s), {providers.Sum(p => p.Contracts.Count)} contract(s)");
            if (client.Partial is { } partial) Console.Error.WriteLine("warning: " + partial);
            return 0;
        });
        var providersCommand = NodeClient.WithNodeOptions(new Command("providers", "the compute providers the node knows"));
        providersCommand.Subcommands.Add(list);
        providersCommand.Subcommands.Add(Show());
        providersCommand.Subcommands.Add(Eligibility());
        providersCommand.Subcommands.Add(Onboard());
        providersCommand.Subcommands.Add(Offboard());
        return providersCommand;
    }

    private static Command Show()
    {
        var id = new Argument<string>("provider-id");
        var show = new Command("show", "one provider, wherever in the cluster it is hosted: capability, usage, locks, contracts") { id };
        Operator.SetAction(show, async (client, json, parsed, ct) =>
        {
            var answer = await client.GetAsync($"/orchestrator/providers/{Uri.EscapeDataString(parsed.GetValue(id)!)}", ct);
            if (json)
            {
                Output.Json(answer);
                return 0;
            }

            var p = NodeClient.Read<ProviderStatus>(answer);
            var all = p.Capability.Resources;
            Output.Line($"provider {p.ProviderId}{(p.Offboarding ? " (offboarding: no new jobs; leaves when its contracts end)" : "")}");
            Output.Line($"  cpu {p.Free.CpuCores}/{all.CpuCores} free, ram {p.Free.RamMb}/{all.RamMb} MB free, disk {p.Free.DiskGb}/{all.DiskGb} GB free, " +
                        $"gpus {p.Free.Gpus}/{all.Gpus.Count} free; {p.Capability.PricePerHour}/h");
            foreach (var l in p.Locks) Output.Line($"  lock for job {l.JobId} until {l.ExpiresAt:O}");
            foreach (var c in p.Contracts) Output.Line($"  contract {c.ContractId}: job {c.JobId} until {c.EndsAt:O}");
            return 0;
        });
        return show;
    }

    /// <summary><c>providers eligibility ID [--job JOB]</c>: the provider's EligibleComputeProvidersData.</summary>
    private static Command Eligibility()
    {
        var id = new Argument<string>("provider-id");
        var job = new Option<string?>("--job") { Description = "one job's comparison, constraint by constraint" };
        var eligibility = new Command("eligibility",
            "the provider's EligibleComputeProvidersData: its comparison with each job it was asked about (hard constraints, its soft scores)") { id, job };
        Operator.SetAction(eligibility, async (client, json, parsed, ct) =>
        {
            var path = $"/orchestrator/providers/{Uri.EscapeDataString(parsed.GetValue(id)!)}/eligibility";
            if (parsed.GetValue(job) is { } jobId) path += "?jobId=" + Uri.EscapeDataString(jobId);
            var answer = await client.GetAsync(path, ct);
            if (json)
            {
                Output.Json(answer);
                return 0;
            }

            var data = NodeClient.Read<ProviderEligibility>(answer);
            if (parsed.GetValue(job) is not null) WriteEntry(data.Entries[0]);
            else
            {
                var table = Output.Table("JOB", "ASKED", "LAST ASKED", "ANSWER", "HARD CONSTRAINTS", "SOFT SCORES");
                foreach (var e in data.Entries)
                {
                    var failed = e.HardConstraints.Where(c => !c.Passed).Select(c => c.Constraint).ToArray();
                    var hard = e.HardConstraints.Count == 0 ? "not compared"
                        : failed.Length == 0 ? $"all {e.HardConstraints.Count} passed"
                        : "failed: " + string.Join(", ", failed);
                    table.AddRow(Markup.Escape(e.JobId) + (e.DryRun ? " (plan)" : ""), e.Asked.ToString(), Output.Age(e.LastAskedAt),
                        Markup.Escape(e.Answer + (e.DeclinedFor is { } reason ? $" ({JobsCommands.Kebab(reason)})" : "")), Markup.Escape(hard),
                        string.Join(" ", e.SoftConstraints.Select(c => c.Score is { } score ? score.ToString("0.##") : "-")));
                }

                Output.Print(table);
            }

            Output.Line($"{data.Entries.Count} job(s); keeps the latest {data.KeptAtMost} for {Span(data.KeptFor)}, in memory; {data.Forgotten} let go since it started");
            return 0;
        });
        return eligibility;
    }

    private static string Span(TimeSpan t) =>
        t.TotalHours >= 1 && t.TotalHours == Math.Floor(t.TotalHours) ? $"{t.TotalHours:0}h"
        : t.TotalMinutes >= 1 && t.TotalMinutes == Math.Floor(t.TotalMinutes) ? $"{t.TotalMinutes:0}m"
        : $"{t.TotalSeconds:0.###}s";

    private static void WriteEntry(EligibilityEntry e)
    {
        Output.Line($"job {e.JobId}{(e.DryRun ? " (plan)" : "")}, asked {e.Asked} time(s) by {e.RequesterNodeId}, last at {e.LastAskedAt:O} " +
                    $"({JobsCommands.Kebab(e.Phase)} phase); answered {e.Answer}{(e.DeclinedFor is { } reason ? $" ({JobsCommands.Kebab(reason)})" : "")}");
        var hard = Output.Table("HARD CONSTRAINT", "", "REQUIRED", "OFFERED");
        foreach (var c in e.HardConstraints)
            hard.AddRow(Markup.Escape(c.Constraint), c.Passed ? "[green]passed[/]" : "[red]failed[/]", Markup.Escape(c.Required), Markup.Escape(c.Offered));
        Output.Print(hard);
        if (e.SoftConstraints.Count == 0) return;
        var soft = Output.Table("SOFT CONSTRAINT", "WEIGHT", "ITS SCORE");
        foreach (var c in e.SoftConstraints)
            soft.AddRow(Markup.Escape(c.Preference), c.Weight.ToString(), c.Score is { } score ? score.ToString("0.###") : "only the job can score it");
        Output.Print(soft);
    }

    private static Command Onboard()
    {
        var file = new Argument<string>("file") { Description = "the provider's capability (JSON, as in examples/provider-onboard.json), '-' for standard input" };
        var onboard = new Command("onboard", "onboard a provider on the node, or give an onboarded one a new capability") { file };
        Operator.SetAction(onboard, async (client, json, parsed, ct) =>
        {
            var answer = await client.PostAsync("/orchestrator/providers", await NodeClient.ReadBodyAsync(parsed.GetValue(file)!, ct), ct);
            if (json)
            {
                Output.Json(answer);
                return 0;
            }

            var result = NodeClient.Read<ProviderOnboardResult>(answer);
            Output.Line($"provider {result.ProviderId} " + (result.Created ? "onboarded" : result.Updated ? "updated" : "was onboarded already with this capability"));
            return 0;
        });
        return onboard;
    }

    private static Command Offboard()
    {
        var id = new Argument<string>("provider-id");
        var offboard = new Command("offboard", "offboard a provider: no new jobs; its contracts are honoured; it leaves when the last ends") { id };
        Operator.SetAction(offboard, async (client, json, parsed, ct) =>
        {
            var answer = await client.DeleteAsync($"/orchestrator/providers/{Uri.EscapeDataString(parsed.GetValue(id)!)}", ct);
            if (json)
            {
                Output.Json(answer);
                return 0;
            }

            var result = NodeClient.Read<ProviderOffboardResult>(answer);
            Output.Line(result.ContractsHeld + result.LocksHeld == 0
                ? $"provider {result.ProviderId} offboarded: it held nothing and leaves now"
                : $"provider {result.ProviderId} offboarding: {result.ContractsHeld} contract(s) and {result.LocksHeld} lock(s) to see through, then it leaves");
            return 0;
        });
        return offboard;
    }
}
