using System.CommandLine;
using Orchestrator.Api;
using Orchestrator.Protocol.Model;
using Spectre.Console;

namespace Orchestrator.Node.Cli;

/// <summary><c>jobs logs ID [--follow] [--stderr]</c> and <c>jobs result ID [--out DIR]</c>: what a job's program printed and left.</summary>
internal static class RunCommands
{
    public static Command Logs()
    {
        var id = new Argument<string>("job-id");
        var follow = new Option<bool>("--follow", "-f") { Description = "keep printing what the program prints until it ends" };
        var stderr = new Option<bool>("--stderr") { Description = "its standard error instead of its standard output" };
        var run = new Option<int?>("--run") { Description = "an earlier run of the job (1, 2, …); the latest when absent" };
        var logs = new Command("logs", "what a job's program printed (its latest run's stdout, or --stderr), as it prints it with --follow") { id, follow, stderr, run };
        Operator.SetAction(logs, async (client, _, parsed, ct) =>
        {
            var path = $"/orchestrator/jobs/{Uri.EscapeDataString(parsed.GetValue(id)!)}/logs?stream={(parsed.GetValue(stderr) ? "stderr" : "stdout")}" +
                       (parsed.GetValue(follow) ? "&follow=true" : "") + (parsed.GetValue(run) is { } n ? $"&run={n}" : "");
            await using var stream = await client.OpenStreamAsync(path, ct);
            await using var stdout = Console.OpenStandardOutput();
            await stream.CopyToAsync(stdout, ct);
            return 0;
        });
        return logs;
    }

    public static Command Result()
    {
        var id = new Argument<string>("job-id");
        var outDir = new Option<string?>("--out") { Description = "also download the outputs the run kept into this folder (checked against their sha256)" };
        var result = new Command("result", "how a job's run ended: exit code or failure, what it printed, the outputs it kept (exit 0 completed, 1 otherwise)") { id, outDir };
        Operator.SetAction(result, async (client, json, parsed, ct) =>
        {
            var jobId = parsed.GetValue(id)!;
            var answer = await client.GetAsync($"/orchestrator/jobs/{Uri.EscapeDataString(jobId)}/result", ct);
            var found = NodeClient.Read<RunResult>(answer);
            if (json) Output.Json(answer);
            else Write(found);
            if (parsed.GetValue(outDir) is { } folder && found.Run?.Outcome is { } outcome)
            {
                Directory.CreateDirectory(folder);
                foreach (var file in outcome.Outputs)
                {
                    var target = Path.Combine(folder, Path.GetFileName(file.Name));
                    await using (var source = await client.OpenStreamAsync(
                                     $"/orchestrator/jobs/{Uri.EscapeDataString(jobId)}/outputs/{Uri.EscapeDataString(file.Name)}?run={found.Run.Run}", ct))
                    await using (var sink = File.Create(target))
                        await source.CopyToAsync(sink, ct);
                    await using var written = File.OpenRead(target);
                    var hash = Convert.ToHexStringLower(await System.Security.Cryptography.SHA256.HashDataAsync(written, ct));
                    if (hash != file.Sha256) throw new CliFailure($"{target}: sha256 {hash} is not the {file.Sha256} the run kept", NodeClient.Refused);
                    if (!json) Output.Line($"saved {target} ({file.Bytes} bytes, sha256 checked)");
                }
            }

            return found.State == JobState.Completed ? 0 : NodeClient.Refused;
        });
        return result;
    }

    private static void Write(RunResult result)
    {
        Output.Line($"job {result.JobId}: {result.State}{(result.Final ? "" : " (not ended)")}");
        if (result.Run is null)
        {
            Output.Line("no run yet");
            return;
        }

        var table = Output.Table("RUN", "PROVIDER", "STARTED", "ENDED", "EXIT", "OUTCOME");
        foreach (var run in result.Runs.Append(result.Run).DistinctBy(r => r.Run))
            table.AddRow(run.Run.ToString(), Markup.Escape(run.ProviderId), run.StartedAt.ToString("HH:mm:ss.fff"), run.EndedAt?.ToString("HH:mm:ss.fff") ?? "running",
                run.Outcome?.ExitCode?.ToString() ?? "", Markup.Escape(run.Outcome is null ? "" : run.Outcome.Failure is { } why ? $"{RunFailures.Code(why)}: {run.Outcome.Detail}" : run.Outcome.Detail));
        Output.Print(table);
        if (result.Run.Outcome is { } outcome)
        {
            Output.Line($"printed {outcome.StdoutBytes} bytes on stdout, {outcome.StderrBytes} on stderr" +
                        (outcome.StdoutDropped + outcome.StderrDropped > 0 ? $" ({outcome.StdoutDropped + outcome.StderrDropped} more dropped past the log's bound)" : ""));
            foreach (var file in outcome.Outputs) Output.Line($"output {file.Name}: {file.Bytes} bytes, sha256 {file.Sha256}");
        }
    }
}
