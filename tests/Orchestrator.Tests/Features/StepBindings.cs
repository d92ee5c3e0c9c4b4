using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Gherkin.Ast;
using Orchestrator.Protocol.Messages;
using Orchestrator.Protocol.Model;

namespace Orchestrator.Tests.Features;

/// <summary>
/// The step vocabulary of the feature files: each binding is a pattern over the whole step text and what it does
/// to the scenario's node. Steps only use the node's protocol (post, get, cancel, provider status), never its
/// private state.
/// </summary>
public static class StepBindings
{
    private delegate Task Binding(ScenarioWorld world, Match match, Step step);

    private static readonly (Regex Pattern, Binding Run)[] Bindings =
    [
        // Given: the node
        (P(@"a node with these compute providers:"), (w, _, a) => { w.Providers = [.. ProvidersOf(a)]; return Task.CompletedTask; }),
        (P(@"jobs have a deadline of (\d+) seconds?"), (w, m, _) =>
        {
            w.JobDeadlineSeconds = int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
            return Task.CompletedTask;
        }),
        (P(@"the search timeout is (\d+) seconds?"), (w, m, _) => Set(w, "defaultSearchTimeout", m.Groups[1].Value + "s")),
        (P(@"the job-request timeout is (\d+) seconds?"), (w, m, _) => Set(w, "jobRequestTimeout", m.Groups[1].Value + "s")),
        (P(@"the contract timeout is (\d+) seconds?"), (w, m, _) => Set(w, "contractTimeout", m.Groups[1].Value + "s")),
        (P(@"the node orchestrates (push|pull) jobs by default"), (w, m, _) => Set(w, "defaultOrchestrationType", m.Groups[1].Value)),
        (P(@"failed runs are (never retried|retried up to (\d+) runs in all)"), (w, m, _) =>
        {
            Set(w, "execution.restart.mode", m.Groups[2].Success ? "on-failure" : "never");
            return m.Groups[2].Success ? Set(w, "execution.restart.maxAttempts", m.Groups[2].Value) : Task.CompletedTask;
        }),

        // When: users and operators act
        (P(@"a user posts a job ""([^""]+)"" needing (\d+) CPU cores?, (\d+) MB of RAM and (\d+) GB of disk"),
            (w, m, _) => w.PostAsync(Job(m.Groups[1].Value, m.Groups[2].Value, m.Groups[3].Value, m.Groups[4].Value))),
        (P(@"a user posts a (push|pull) job ""([^""]+)"" (?:to ""([^""]+)"" )?needing (\d+) CPU cores?, (\d+) MB of RAM and (\d+) GB of disk"),
            (w, m, _) => w.PostAsync(Job(m.Groups[2].Value, m.Groups[4].Value, m.Groups[5].Value, m.Groups[6].Value) with
            {
                OrchestrationType = m.Groups[1].Value == "push" ? OrchestrationType.Push : OrchestrationType.Pull,
                TargetProviders = List(m.Groups[3].Value),
            })),
        (P(@"a user posts this job:"), (w, _, a) => w.PostAsync(
            JsonSerializer.Deserialize<JobDescription>(DocString(a), ScenarioWorld.Json) ?? throw new InvalidOperationException("empty job"))),
        (P(@"a user posts a job ""([^""]+)"" that runs the WebAssembly program ""([^""]+)""(?: with arguments ""([^""]*)"")?(?: within (\d+) seconds?)?(?: in (\d+) MB of RAM)?"),
            (w, m, _) => w.PostAsync(Job(m.Groups[1].Value, "1", m.Groups[5].Success ? m.Groups[5].Value : "256", "1") with
            {
                Execution = new JobExecution
                {
                    Executor = ExecutorType.Wasm,
                    Module = Convert.ToBase64String(Wasmtime.Module.ConvertText(Orchestrator.Testing.Repository.Read($"examples/wasm/{m.Groups[2].Value}.wat"))),
                    Args = List(m.Groups[3].Value, ' '),
                    TimeoutSeconds = m.Groups[4].Success ? int.Parse(m.Groups[4].Value, CultureInfo.InvariantCulture) : null,
                },
            })),
        (P(@"a user posts a job ""([^""]+)"" that runs the simulated program ""([^""]*)"""),
            (w, m, _) => w.PostAsync(Job(m.Groups[1].Value, "1", "256", "1") with
            {
                Execution = new JobExecution { Executor = ExecutorType.Simulated, Args = List(m.Groups[2].Value, ' ') },
            })),
        (P(@"the job is running on ""([^""]+)"""), async (w, m, _) =>
        {
            var running = await w.AwaitAsync(s => s.State == JobState.Running || s.Final, "the run to start");
            Assert.True(running.State == JobState.Running, $"the job is {running.State}: {running.History[^1].Note}");
            Assert.Equal(m.Groups[1].Value, running.CurrentRun!.ProviderId);
        }),
        (P(@"the job has searched (\d+) times?"), async (w, m, _) =>
        {
            var times = int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
            await w.AwaitAsync(s => s.History.Count(h => h.State == JobState.Searching) >= times, $"search number {times}");
        }),
        (P(@"a provider ""([^""]+)"" with (\d+) CPU cores joins"), async (w, m, _) =>
            await (await w.NodeAsync()).OnboardAsync(Capability(m.Groups[1].Value, m.Groups[2].Value, "16384", "100", "1.0", false, null))),
        (P(@"the node restarts"), (w, _, _) => w.RestartAsync()),
        (P(@"the node restarts with these compute providers:"), (w, _, a) => w.RestartAsync(ProvidersOf(a))),
        (P(@"the user cancels the job"), async (w, _, _) =>
            Assert.IsType<JobCancelled>(await w.AskJobAsync(new CancelJob(w.JobId!, "the user cancelled")))),
        (P(@"""([^""]+)"" holds a lock for ""([^""]+)"""), (w, m, _) => Eventually(async () =>
            Assert.Contains((await w.ProviderAsync(m.Groups[1].Value)).Locks, l => l.JobId == m.Groups[2].Value))),

        // Then: what the user and the operator see
        (P(@"the job is accepted as (a new|an existing) job"), (w, m, _) =>
        {
            var accepted = Assert.IsType<JobAccepted>(w.LastAnswer);
            Assert.Equal(m.Groups[1].Value == "a new", accepted.Created);
            return Task.CompletedTask;
        }),
        (P(@"the post is refused as a conflict"), (w, _, _) =>
        {
            Assert.IsType<JobConflict>(w.LastAnswer);
            return Task.CompletedTask;
        }),
        (P(@"the post is rejected naming ""([^""]+)"""), (w, m, _) =>
        {
            var rejected = Assert.IsType<JobRejected>(w.LastAnswer);
            Assert.Contains(m.Groups[1].Value, rejected.Errors.Keys);
            return Task.CompletedTask;
        }),
        (P(@"no job ""([^""]+)"" exists"), async (w, m, _) => Assert.IsType<JobNotFound>(await w.AskJobAsync(new GetJob(m.Groups[1].Value)))),
        (P(@"the job is contracted with ""([^""]+)"""), async (w, m, _) =>
        {
            var status = await w.TerminalAsync();
            Assert.True(status.State == JobState.Contracted, $"the job {status.State}: {status.Failure?.Message}");
            Assert.Equal(m.Groups[1].Value, status.Contract!.ProviderId);
        }),
        (P(@"the job fails with reason ""([^""]+)"""), async (w, m, _) =>
        {
            var status = await w.TerminalAsync();
            Assert.True(status.State == JobState.Failed, $"the job is {status.State} (with {status.Contract?.ProviderId})");
            Assert.Equal(m.Groups[1].Value, Kebab(status.Failure!.Reason));
        }),
        (P(@"the failure message says ""([^""]+)"""), async (w, m, _) => Assert.Contains(m.Groups[1].Value, (await w.TerminalAsync()).Failure!.Message)),
        (P(@"the job completes with exit code 0"), async (w, _, _) =>
        {
            var status = await w.TerminalAsync();
            Assert.True(status.State == JobState.Completed, $"the job is {status.State}: {status.Failure?.Message}");
            Assert.Equal(0, status.Runs[^1].Outcome!.ExitCode);
        }),
        (P(@"the job ends cancelled"), async (w, _, _) => Assert.Equal(JobState.Cancelled, (await w.TerminalAsync()).State)),
        (P(@"run (\d+) was on ""([^""]+)""(?: and failed with ""([^""]+)"")?"), async (w, m, _) =>
        {
            var status = await w.TerminalAsync();
            var run = Assert.Single(status.Runs, r => r.Run == int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture));
            Assert.Equal(m.Groups[2].Value, run.ProviderId);
            if (m.Groups[3].Success) Assert.Equal(m.Groups[3].Value, run.Outcome!.Failure is { } why ? RunFailures.Code(why) : "none");
        }),
        (P(@"the job ran (\d+) times?"), async (w, m, _) =>
            Assert.Equal(int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), (await w.TerminalAsync()).Runs.Count)),
        (P(@"the program printed:"), async (w, _, a) =>
        {
            await w.TerminalAsync();
            Assert.Equal(DocString(a).Replace("\r", "") + "\n", await w.StdoutAsync());
        }),
        (P(@"the contract is settled at ([\d.]+) per hour for the seconds the program ran, ended ""([^""]+)"""), async (w, m, _) =>
        {
            var record = await SettledAsync(w);
            AssertSettled(record, m.Groups[2].Value);
            var s = record.Settlement!;
            var price = decimal.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
            // Every second begun, at the hourly price: the seconds the allocation measured from the program's start to its end.
            Assert.Equal((PriceUnit.Hour, price), (s.Unit, s.Price));
            Assert.Equal((s.Usage.WallMs + 999) / 1000, s.BilledSeconds);
            Assert.Equal(Math.Round(price * s.BilledSeconds / 3600m, 8), s.Amount);
        }),
        (P(@"the contract is settled for ([\d.]+) ([A-Z]+), ended ""([^""]+)"""), async (w, m, _) =>
        {
            var record = await SettledAsync(w);
            AssertSettled(record, m.Groups[3].Value);
            Assert.Equal((decimal.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), m.Groups[2].Value), (record.Settlement!.Amount, record.Settlement.Currency));
        }),
        (P(@"the provider's record of the settlement is the same"), async (w, _, _) =>
        {
            var mine = await SettledAsync(w);
            await Eventually(async () =>
            {
                var theirs = Assert.Single((await w.ProviderSettlementsAsync(mine.ProviderId)).Settlements, r => r.ContractId == mine.ContractId);
                Assert.Equal((SettlementState.Settled, mine.Settlement), (theirs.State, theirs.Settlement));
            });
        }),
        (P(@"""([^""]+)"" has earned the settled amount and has nothing left to settle"), async (w, m, _) =>
        {
            var mine = await SettledAsync(w);
            var provider = await w.ProviderAsync(m.Groups[1].Value);
            Assert.Empty(provider.Unsettled);
            Assert.Equal([new CurrencyTotal(mine.Settlement!.Currency, 1, 1, mine.Settlement.Amount)], provider.Earnings);
        }),
        (P(@"""([^""]+)"" holds no contract"), (w, m, _) => Eventually(async () => Assert.Empty((await w.ProviderAsync(m.Groups[1].Value)).Contracts))),
        (P(@"the job's history is (.+)"), async (w, m, _) =>
            Assert.Equal(List(m.Groups[1].Value), (await w.TerminalAsync()).History.Select(h => h.State.ToString()).Distinct())),
        (P(@"the search considered (\d+) providers and ruled out (\d+) for ""([^""]+)"""), async (w, m, _) =>
        {
            var explanation = (await w.TerminalAsync()).Explanation!;
            Assert.Equal(int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), explanation.Considered);
            Assert.Equal(int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture), explanation.FilteredOut.GetValueOrDefault(m.Groups[3].Value));
        }),
        (P(@"the search ruled out (\d+) providers? for ""([^""]+)"""), async (w, m, _) =>
            Assert.Equal(int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture),
                (await w.TerminalAsync()).Explanation!.FilteredOut.GetValueOrDefault(m.Groups[2].Value))),
        (P(@"""([^""]+)"" declined at the (bid|job-request|contract-closure) phase(?: with ""([^""]+)"")?"), async (w, m, _) =>
        {
            var declines = (await w.TerminalAsync()).Declines.Where(d => d.ProviderId == m.Groups[1].Value && Kebab(d.Phase) == m.Groups[2].Value).ToArray();
            Assert.True(declines.Length > 0, $"no decline from {m.Groups[1].Value} at {m.Groups[2].Value}");
            if (m.Groups[3].Success) Assert.Contains(declines, d => Kebab(d.Reason) == m.Groups[3].Value);
        }),
        (P(@"""([^""]+)"" timed out at the (bid|job-request|contract-closure) phase after (\d+) seconds?"), async (w, m, _) =>
        {
            var timeout = Assert.Single((await w.TerminalAsync()).Timeouts, t => t.ProviderId == m.Groups[1].Value && Kebab(t.Phase) == m.Groups[2].Value);
            Assert.Equal(TimeSpan.FromSeconds(int.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture)), timeout.After);
        }),
        (P(@"only ""([^""]+)"" was asked to bid"), async (w, m, _) => Assert.Equal([m.Groups[1].Value], (await w.TerminalAsync()).CandidateProviders)),
        (P(@"the ranking is (.+)"), async (w, m, _) =>
            Assert.Equal(List(m.Groups[1].Value), (await w.TerminalAsync()).Explanation!.Ranking.Select(r => r.ProviderId))),
        (P(@"the contract is between ""([^""]+)"" and ""([^""]+)"" at ([\d.]+) per hour"), async (w, m, _) =>
        {
            var contract = (await w.TerminalAsync()).Contract!;
            Assert.Equal((m.Groups[1].Value, m.Groups[2].Value), (contract.RequesterNodeId, contract.ProviderId));
            Assert.Equal(decimal.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture), contract.PricePerHour);
        }),
        (P(@"""([^""]+)"" holds the contract for ""([^""]+)"""), async (w, m, _) =>
            Assert.Contains((await w.ProviderAsync(m.Groups[1].Value)).Contracts, c => c.JobId == m.Groups[2].Value)),
        (P(@"""([^""]+)"" holds no lock for ""([^""]+)"""), (w, m, _) => Eventually(async () =>
            Assert.DoesNotContain((await w.ProviderAsync(m.Groups[1].Value)).Locks, l => l.JobId == m.Groups[2].Value))),
    ];

    public static async Task RunAsync(ScenarioWorld world, Step step)
    {
        var matches = Bindings.Select(b => (b.Run, Match: b.Pattern.Match(step.Text))).Where(b => b.Match.Success).ToArray();
        if (matches.Length == 0) throw new InvalidOperationException("no step binding matches this step");
        if (matches.Length > 1) throw new InvalidOperationException($"{matches.Length} step bindings match this step");
        await matches[0].Run(world, matches[0].Match, step);
    }

    /// <summary>The job's one settlement, once both sides have signed it (and its transfer is recorded).</summary>
    private static async Task<SettlementRecord> SettledAsync(ScenarioWorld world)
    {
        var status = await world.AwaitAsync(s => s.Settlements.Count > 0 && s.Settlements[^1] is { State: SettlementState.Settled, Transfer: not null },
            "the contract to be settled");
        return Assert.Single(status.Settlements);
    }

    private static void AssertSettled(SettlementRecord record, string outcome)
    {
        // The outcome the job settled on, and the receipt the provider signed for the same run.
        Assert.Equal(outcome, record.Settlement!.Outcome);
        Assert.Equal(record.Settlement.Usage, record.Receipt);
    }

    private static Regex P(string pattern) => new("^" + pattern + "$", RegexOptions.CultureInvariant);

    private static Task Set(ScenarioWorld world, string key, string value)
    {
        world.Set(key, value);
        return Task.CompletedTask;
    }

    private static JobDescription Job(string id, string cpu, string ram, string disk) => new()
    {
        JobId = id,
        Requirements = new JobRequirements
        {
            Resources = new ResourceRequirements
            {
                CpuCores = int.Parse(cpu, CultureInfo.InvariantCulture),
                RamMb = long.Parse(ram, CultureInfo.InvariantCulture),
                DiskGb = long.Parse(disk, CultureInfo.InvariantCulture),
            },
        },
    };

    /// <summary>The providers table: id, cpu, ram, disk, price, and optionally "locks on bid", "behaviour", "country".</summary>
    private static List<ProviderSpec> ProvidersOf(Step step)
    {
        if (step.DataTable is not { } table) throw new InvalidOperationException("this step needs a table of providers");
        var header = table.Rows.First().Cells.Select(c => c.Value.Trim()).ToArray();
        return table.Rows.Skip(1).Select(row =>
        {
            var cells = header.Zip(row.Cells.Select(c => c.Value.Trim())).ToDictionary(p => p.Item1, p => p.Item2);
            string? Cell(string name) => cells.TryGetValue(name, out var value) && value.Length > 0 ? value : null;
            var behaviour = Cell("behaviour") is { } text
                ? Enum.Parse<ProviderBehaviour>(string.Concat(text.Split(' ').Select(w => char.ToUpperInvariant(w[0]) + w[1..])))
                : ProviderBehaviour.AnswersNormally;
            var capability = Capability(cells["id"], cells["cpu"], cells["ram"], cells["disk"], cells["price"], Cell("locks on bid") == "yes", Cell("country"));
            if (Cell("executors") is { } executors)
                capability = capability with { Executors = List(executors).Select(e => Enum.Parse<ExecutorType>(e, ignoreCase: true)).ToArray() };
            if (Cell("price per result") is { } perResult)
                capability = capability with { PricePerResult = decimal.Parse(perResult, CultureInfo.InvariantCulture) };
            return new ProviderSpec(capability, behaviour);
        }).ToList();
    }

    private static ProviderCapability Capability(string id, string cpu, string ram, string disk, string price, bool locksOnBid, string? country) => new()
    {
        Id = id,
        Resources = new Resources
        {
            CpuCores = int.Parse(cpu, CultureInfo.InvariantCulture),
            RamMb = long.Parse(ram, CultureInfo.InvariantCulture),
            DiskGb = long.Parse(disk, CultureInfo.InvariantCulture),
        },
        Executors = [ExecutorType.Docker],
        PricePerHour = decimal.Parse(price, CultureInfo.InvariantCulture),
        LockOnBid = locksOnBid,
        Localities = country is null ? [] : [new Locality("country", country)],
    };

    private static string DocString(Step step) =>
        step.DocString?.Content ?? throw new InvalidOperationException("this step needs a \"\"\" block");

    private static string[] List(string text, char separator = ',') => text.Split(separator, StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

    private static string Kebab<T>(T value) where T : struct, Enum => JsonNamingPolicy.KebabCaseLower.ConvertName(value.ToString());

    /// <summary>Retries an assertion about something that settles asynchronously (a lock released), up to 15 s.</summary>
    private static async Task Eventually(Func<Task> assertion)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (true)
        {
            try
            {
                await assertion();
                return;
            }
            catch (Exception) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
        }
    }
}
