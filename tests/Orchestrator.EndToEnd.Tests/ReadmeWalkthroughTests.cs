using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using Orchestrator.EndToEnd.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Orchestrator.EndToEnd.Tests;

/// <summary>
/// The README's commands, taken from the README itself and run as a new user types them from the repository root,
/// so the README cannot drift from the product: the run command with the example providers, the API walk-through,
/// the trust walk-through. (Only the port is changed, so the test cannot collide with a node of the developer's.)
/// </summary>
public sealed partial class ReadmeWalkthroughTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("readme-").FullName;

    [Fact]
    public async Task The_run_command_and_the_API_walk_through_work_as_written()
    {
        var blocks = ShellBlocks();
        var run = blocks.SelectMany(b => b.Split('\n')).Single(l => l.StartsWith("dotnet run --project src/Orchestrator.Node -- --providers", StringComparison.Ordinal));
        var walk = blocks.Single(b => b.Contains("/orchestrator/postJob", StringComparison.Ordinal) && b.Contains("-d '{", StringComparison.Ordinal));
        var port = NodeProcess.FreePort();

        // As written, from the repository root; --no-build because the tests built it, a port and data folder of the test's.
        var arguments = run.Replace("dotnet run ", "dotnet run --no-build ") + $" --http http://127.0.0.1:{port} --data {_folder}/data";
        using var node = Start("bash", "-c", "exec " + arguments);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        try
        {
            await Poll.UntilAsync(async () => Assert.Equal(System.Net.HttpStatusCode.OK, (await http.GetAsync("/healthz/ready")).StatusCode),
                TimeSpan.FromSeconds(90));

            var (code, text) = await ShellAsync(walk.Replace("http://127.0.0.1:9999", $"http://127.0.0.1:{port}"), Repository.Root);
            Assert.True(code == 0, $"the walk-through failed ({code}):\n{text}");
            Assert.Contains("HTTP/1.1 202 Accepted", text);
            Assert.Contains("Location: /orchestrator/jobs/walk-de-1", text);
            Assert.Contains("\"capability\":{\"id\":\"cp-berlin-a100\"", text);

            // What the walk-through says of the job: it contracts, with a provider in Germany at most 2.0 per hour.
            var job = await http.AwaitTerminalAsync("walk-de-1");
            Assert.Equal("Contracted", job.State());
            Assert.True(job["contract"]!["pricePerHour"]!.GetValue<decimal>() <= 2.0m);

            // And the program: its output followed as printed, then its result.
            Assert.Contains("2\n3\n5\n7\n11\n13\n17\n19\n23\n29\n31\n37\n41\n43\n47\n", text);
            Assert.Contains("\"state\":\"Completed\",\"final\":true", text);
            var primes = await http.AwaitTerminalAsync("walk-primes");
            Assert.Equal("Completed", primes.State());
            Assert.Equal(41, primes["runs"]![0]!["outcome"]!["stdoutBytes"]!.GetValue<int>());
            // And its settlement: the ledger answered, and the contract is settled, by both sides.
            Assert.Contains("\"totals\":", text);
            await Poll.UntilAsync(async () =>
            {
                var contract = primes["runs"]![0]!["contractId"]!.GetValue<string>();
                var settled = System.Text.Json.Nodes.JsonNode.Parse(await http.GetStringAsync($"/orchestrator/settlements/{contract}"))!;
                Assert.Equal(("settled", "settled"), (settled["requester"]!["state"]!.GetValue<string>(), settled["provider"]!["state"]!.GetValue<string>()));
            }, TimeSpan.FromSeconds(30));
        }
        catch
        {
            output.WriteLine(node.Output());
            throw;
        }
    }

    [Fact]
    public async Task The_trust_walk_through_works_as_written()
    {
        var trust = ShellBlocks().Single(b => b.Contains("orchestrator authority init", StringComparison.Ordinal));
        var (code, text) = await ShellAsync(trust, _folder);
        Assert.True(code == 0, $"the trust walk-through failed ({code}):\n{text}");
        Assert.Contains("trusted: credential", text);
        Assert.True(File.Exists(Path.Combine(_folder, "node-a.credential.json")));
    }

    /// <summary>Every ```sh block of the README and the docs pages.</summary>
    private static List<string> ShellBlocks() =>
        Directory.GetFiles(Path.Combine(Repository.Root, "docs"), "*.md").Select(f => Path.GetRelativePath(Repository.Root, f)).Prepend("README.md")
            .SelectMany(page => Block().Matches(Repository.Read(page)).Select(m => m.Groups["body"].Value)).ToList();

    /// <summary>
    /// Runs a block as a user's shell would, stopping at the first failing command: `orchestrator` is the built
    /// executable, and curl fails on an error status (a 4xx or 5xx is a broken walk-through, not output to read past).
    /// </summary>
    private async Task<(int Code, string Output)> ShellAsync(string block, string folder)
    {
        var script = $$"""
            set -euo pipefail
            orchestrator() { dotnet "{{NodeProcess.NodeExecutable()}}" "$@"; }
            curl() { case " $* " in *" -f "*|*" -sf "*|*" --fail "*) command curl "$@" ;; *) command curl --fail-with-body "$@" ;; esac; }
            {{block}}
            """;
        using var shell = Start("bash", "-c", script, folder);
        await shell.Process.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromMinutes(3)).Token);
        var text = shell.Output();
        output.WriteLine(text);
        return (shell.Process.ExitCode, text);
    }

    /// <summary>
    /// The cluster page's recipe, as typed (ports and database of the test's; the build the tests made): three nodes
    /// on PostgreSQL, waited for, and asked for their providers.
    /// </summary>
    [Fact]
    public async Task The_cluster_recipe_works_as_written()
    {
        var recipe = Block().Matches(Repository.Read("docs/cluster-and-deployment.md")).Select(m => m.Groups["body"].Value)
            .Single(b => b.Contains("for n in 1 2 3", StringComparison.Ordinal));
        await using var database = await PostgresDatabase.CreateAsync();
        var http = Enumerable.Range(0, 3).Select(_ => NodeProcess.FreePort()).ToArray();
        var remote = Enumerable.Range(0, 3).Select(_ => NodeProcess.FreePort()).ToArray();
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
        var script = recipe
            .Replace("dotnet build src/Orchestrator.Node\n", "")                     // built by the tests already
            .Replace("bin/Debug/", $"bin/{configuration}/")
            .Replace("'Host=127.0.0.1;Username=postgres;Password=postgres;Database=orchestrator'", $"'{database.ConnectionString}'")
            .Replace("http://127.0.0.1:910$n", "http://127.0.0.1:${HTTP[$n]}")
            .Replace("--remote-port 410$n", "--remote-port ${REMOTE[$n]}")
            .Replace("akka.tcp://orchestrator@127.0.0.1:4101", $"akka.tcp://orchestrator@127.0.0.1:{remote[0]}")
            .Replace("http://127.0.0.1:9102/", $"http://127.0.0.1:{http[1]}/");
        Assert.DoesNotContain("910", script.Replace("$n", ""));
        var (code, text) = await ShellAsync(
            $"HTTP=(x {string.Join(' ', http)}); REMOTE=(x {string.Join(' ', remote)})\n" +
            "trap 'kill $(jobs -p) 2>/dev/null || true' EXIT\n" + script.Replace("--data data/node-$n", $"--data {_folder}/node-$n"),
            Repository.Root);
        Assert.True(code == 0, $"the cluster recipe failed ({code}):\n{text}");
        Assert.Contains("\"capability\":{\"id\":\"node-2-machine\"", text);
    }

    /// <summary>
    /// Every shell block of the operator's pages is run by a test (this class, or the one it names), or says above it
    /// why it cannot be (<c>&lt;!-- not run: … --&gt;</c>): a page cannot quietly stop working as typed.
    /// </summary>
    [Fact]
    public void Every_shell_block_of_the_operators_pages_is_run_or_says_why_not()
    {
        string[] run = ["orchestrator authority init", "for n in 1 2 3"];
        foreach (var page in new[] { "docs/operations.md", "docs/trust.md", "docs/configuration.md", "docs/cluster-and-deployment.md" })
            foreach (Match block in Regex.Matches(Repository.Read(page), @"(?<before>[^\n]*)\n```sh\n(?<body>.*?)```", RegexOptions.Singleline))
            {
                var body = block.Groups["body"].Value;
                var why = Regex.Match(block.Groups["before"].Value, @"<!-- not run: (?<why>.{20,}) -->");
                Assert.True(run.Any(r => body.Contains(r, StringComparison.Ordinal)) || why.Success,
                    $"{page}: a shell block no test runs and that does not say why:\n{body}");
            }
    }

    private static Running Start(string program, string flag, string command, string? folder = null)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = folder ?? Repository.Root };
        info.ArgumentList.Add(flag);
        info.ArgumentList.Add(command);
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        var running = new Running(Process.Start(info)!);
        running.Process.OutputDataReceived += (_, e) => running.Append(e.Data);
        running.Process.ErrorDataReceived += (_, e) => running.Append(e.Data);
        running.Process.BeginOutputReadLine();
        running.Process.BeginErrorReadLine();
        return running;
    }

    private sealed class Running(Process process) : IDisposable
    {
        private readonly StringBuilder _output = new();
        public Process Process { get; } = process;

        public void Append(string? line)
        {
            if (line is null) return;
            lock (_output) _output.AppendLine(line);
        }

        public string Output()
        {
            lock (_output) return _output.ToString();
        }

        public void Dispose()
        {
            if (!Process.HasExited) Process.Kill(entireProcessTree: true);
            Process.Dispose();
        }
    }

    [GeneratedRegex(@"```sh\n(?<body>.*?)```", RegexOptions.Singleline)]
    private static partial Regex Block();

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
