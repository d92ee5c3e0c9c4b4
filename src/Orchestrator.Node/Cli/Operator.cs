using System.CommandLine;

namespace Orchestrator.Node.Cli;

/// <summary>Runs an operator command against a node, turning its failures into their message and exit code.</summary>
public static class Operator
{
    public static void SetAction(Command command, Func<NodeClient, bool, ParseResult, CancellationToken, Task<int>> action) =>
        command.SetAction(async (parsed, ct) =>
        {
            try
            {
                using var client = NodeClient.From(parsed);
                return await action(client, parsed.GetValue(NodeClient.JsonOption), parsed, ct);
            }
            catch (CliFailure failure)
            {
                Console.Error.WriteLine("orchestrator: " + failure.Message);
                return failure.ExitCode;
            }
        });
}
