using Orchestrator.Node.Cli;
using Orchestrator.Node.Startup;

if (CommandLine.IsCommand(args)) return CommandLine.Run(args);

var builder = WebApplication.CreateBuilder(args);
if (NodeHost.Prepare(builder) is not { } node) return 2;
var app = node.Map(builder.Build());
await app.RunAsync();
return 0;
