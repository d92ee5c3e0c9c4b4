using System.CommandLine;
using Orchestrator.Protocol.Messages;
using Spectre.Console;

namespace Orchestrator.Node.Cli;

/// <summary><c>orchestrator providers list</c>: every provider the node knows, with capacity, free, locked, contracted.</summary>
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

            Output.Console.Write(table);
            Output.Line($"{providers.Length} provider(s), {providers.Sum(p => p.Locks.Count)} lock(s), {providers.Sum(p => p.Contracts.Count)} contract(s)");
            return 0;
        });
        var providersCommand = NodeClient.WithNodeOptions(new Command("providers", "the compute providers the node knows"));
        providersCommand.Subcommands.Add(list);
        return providersCommand;
    }
}
