using Orchestrator.Node.Cli;
using Orchestrator.Node.Startup;

if (CommandLine.IsCommand(args)) return CommandLine.Run(args);
if (NodeArguments.Check(args, Console.Out, Console.Error) is { } answered) return answered;

var builder = WebApplication.CreateBuilder(args);
if (NodeHost.Prepare(builder) is not { } node) return 2;
return await node.RunAsync(builder.Build());
