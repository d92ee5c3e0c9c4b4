using System.Net;
using System.Text.Json.Nodes;
using Orchestrator.EndToEnd.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Orchestrator.EndToEnd.Tests;

/// <summary>
/// Settlement against the real executable on a network with an authority: a WebAssembly job completes and settles, both
/// sides' records agree to the cent and every signature verifies offline with the CLI (and not once altered); a cancelled
/// job settles the time it ran; a job priced per result pays the price when it completes and nothing when it fails; the
/// ledger filters, totals, and names what is wrong with a bad query.
/// </summary>
public sealed class SettlementTests(SettlementTests.ApprovedNode fixture, ITestOutputHelper output) : IClassFixture<SettlementTests.ApprovedNode>
{
    /// <summary>One node approved by an authority for its own id and both providers: priced per hour and per result.</summary>
    public sealed class ApprovedNode : IAsyncLifetime
    {
        private const string Providers = """
            [
              {"id":"cp-hour","resources":{"cpuCores":4,"ramMb":2048,"diskGb":10},"executors":["wasm","simulated"],"pricePerHour":3.6,"currency":"NTX"},
              {"id":"cp-result","resources":{"cpuCores":4,"ramMb":2048,"diskGb":10},"executors":["simulated"],"pricePerHour":0,"pricePerResult":2.5,"currency":"NTX"}
            ]
            """;

        public string Folder { get; } = Directory.CreateTempSubdirectory("settlement-e2e-").FullName;
        private NodeSetup _setup = null!;
        public NodeProcess Node { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Assert.Equal(0, (await Cli.RunAsync(Folder, "authority", "init", "--dir", "auth")).ExitCode);
            _setup = NodeSetup.Create(Providers, $$"""
                orchestrator.trust {
                  authorities = ["{{Folder}}/auth/authority.pub"]
                  credential = "{{Folder}}/node.credential.json"
                  revocations = ["{{Folder}}/auth/revoked.json"]
                }
                orchestrator.execution { heartbeat = 300ms, lostAfter = 5s, restart.mode = never }
                """);
            var export = await Cli.RunAsync(Folder, "identity", "export", "--data", Path.Combine(_setup.DataDirectory, "data"), "--out", "node.pub");
            Assert.True(export.ExitCode == 0, export.Errors);
            var approve = await Cli.RunAsync(Folder, "authority", "approve", "--dir", "auth", "--node-key", "node.pub", "--roles",
                "service-provider,compute-provider", "--ids", "sp-e2e,cp-hour,cp-result", "--expires", "30d", "--out", "node.credential.json");
            Assert.True(approve.ExitCode == 0, approve.Errors);
            Node = await NodeProcess.StartAsync(_setup);
        }

        public async Task DisposeAsync()
        {
            await Node.DisposeAsync();
            _setup.Dispose();
            Directory.Delete(Folder, recursive: true);
        }
    }

    private HttpClient Http => fixture.Node.Http;

    private static string Job(string id, string provider, JsonObject execution) => new JsonObject
    {
        ["jobId"] = id,
        ["orchestrationType"] = "push",
        ["targetProviders"] = new JsonArray(provider),
        ["requirements"] = new JsonObject { ["resources"] = new JsonObject { ["cpuCores"] = 1, ["ramMb"] = 256, ["diskGb"] = 1 } },
        ["execution"] = execution,
    }.ToJsonString();

    private async Task<JsonObject> Json(string path)
    {
        using var response = await Http.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {path}: {(int)response.StatusCode} {body}");
        return JsonNode.Parse(body)!.AsObject();
    }

    /// <summary>The settlement of the job's contract as both sides hold it, once both have recorded it settled.</summary>
    private async Task<JsonObject> Settled(string jobId, string provider)
    {
        JsonObject detail = null!;
        await Poll.UntilAsync(async () =>
        {
            detail = await Json($"/orchestrator/settlements/{Uri.EscapeDataString($"{jobId}@{provider}")}");
            Assert.Equal("settled", detail["requester"]!["state"]!.GetValue<string>());
            Assert.Equal("settled", detail["provider"]?["state"]?.GetValue<string>());
            Assert.NotNull(detail["requester"]!["transfer"]);
        }, TimeSpan.FromSeconds(30));
        output.WriteLine(detail.ToJsonString());
        return detail;
    }

    private static decimal Amount(JsonNode record) => record["settlement"]!["amount"]!.GetValue<decimal>();

    [Fact]
    public async Task A_webassembly_job_settles_both_sides_agree_to_the_cent_and_every_signature_verifies_offline_and_not_once_altered()
    {
        await Http.PostJobOkAsync(Job("wasm-paid", "cp-hour", RunTests.Wasm("primes", "3000")));
        Assert.Equal("Completed", (await Http.AwaitTerminalAsync("wasm-paid")).State());
        var detail = await Settled("wasm-paid", "cp-hour");
        var (mine, theirs) = (detail["requester"]!, detail["provider"]!);

        // Both sides hold the same settlement, to the cent: the same amount, usage, signatures.
        Assert.Equal(mine["settlement"]!.ToJsonString(), theirs["settlement"]!.ToJsonString());
        foreach (var proof in new[] { "requesterProof", "providerProof", "receiptProof" })
            Assert.Equal(mine[proof]!["signature"]!.GetValue<string>(), theirs[proof]!["signature"]!.GetValue<string>());
        var s = mine["settlement"]!;
        Assert.Equal(("completed", "hour", "NTX"), (s["outcome"]!.GetValue<string>(), s["unit"]!.GetValue<string>(), s["currency"]!.GetValue<string>()));
        var wallMs = s["usage"]!["wallMs"]!.GetValue<long>();
        var billed = s["billedSeconds"]!.GetValue<long>();
        Assert.Equal((wallMs + 999) / 1000, billed);
        Assert.Equal(billed * 0.001m, Amount(mine));
        Assert.Equal(65_536, s["usage"]!["peakMemoryBytes"]!.GetValue<long>());
        Assert.True(s["usage"]!["outputBytes"]!.GetValue<long>() > 0);

        // Offline, with only the authority's public key: the settlement file (both sides) and the job file (its contract and settlement).
        var settlementFile = Path.Combine(fixture.Folder, "settlement.json");
        await File.WriteAllTextAsync(settlementFile, detail.ToJsonString());
        var verified = await Cli.RunAsync(fixture.Folder, "contract", "verify", settlementFile, "--authority", "auth/authority.pub", "--revocations", "auth/revoked.json");
        Assert.True(verified.ExitCode == 0, verified.Output + verified.Errors);
        Assert.Contains("wasm-paid@cp-hour requester: receipt by compute-provider 'cp-hour': signature valid", verified.Output);
        Assert.Contains("wasm-paid@cp-hour provider: settlement by service-provider 'sp-e2e': signature valid", verified.Output);
        Assert.Contains("settlement of wasm-paid@cp-hour (provider) verifies", verified.Output);
        var jobFile = Path.Combine(fixture.Folder, "job.json");
        await File.WriteAllTextAsync(jobFile, (await Http.GetJobAsync("wasm-paid")).ToJsonString());
        var job = await Cli.RunAsync(fixture.Folder, "contract", "verify", jobFile, "--authority", "auth/authority.pub");
        Assert.True(job.ExitCode == 0, job.Output + job.Errors);
        Assert.Contains("contract wasm-paid@cp-hour verifies", job.Output);
        Assert.Contains("settlement of wasm-paid@cp-hour (requester) verifies", job.Output);

        // Altered: a higher amount, or more time on the receipt, and the signatures no longer hold.
        var altered = JsonNode.Parse(detail.ToJsonString())!;
        altered["requester"]!["settlement"]!["amount"] = Amount(mine) + 0.01m;
        await File.WriteAllTextAsync(settlementFile, altered.ToJsonString());
        var refused = await Cli.RunAsync(fixture.Folder, "contract", "verify", settlementFile, "--authority", "auth/authority.pub");
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("NOT TRUSTED — bad-signature", refused.Output);
        Assert.Contains("does not verify", refused.Errors);
        var longer = JsonNode.Parse((await Http.GetJobAsync("wasm-paid")).ToJsonString())!;
        longer["settlements"]![0]!["settlement"]!["usage"]!["wallMs"] = wallMs + 3_600_000;
        await File.WriteAllTextAsync(jobFile, longer.ToJsonString());
        Assert.Equal(1, (await Cli.RunAsync(fixture.Folder, "contract", "verify", jobFile, "--authority", "auth/authority.pub")).ExitCode);

        // The CLI's view of the ledger.
        var show = await Cli.OperateAsync(fixture.Node, "settlements", "show", "wasm-paid@cp-hour");
        Assert.True(show.ExitCode == 0, show.Errors);
        Assert.Contains($"amount: {Amount(mine)} NTX — completed: {billed} s", show.Output);
        Assert.Contains("the provider's record: settled, the same amount and usage", show.Output);
        var list = await Cli.OperateAsync(fixture.Node, "settlements", "list", "--provider", "cp-hour");
        Assert.True(list.ExitCode == 0, list.Errors);
        Assert.Contains("wasm-paid@cp-hour", list.Output);
        Assert.Contains("NTX: ", list.Output);
    }

    [Fact]
    public async Task A_cancelled_job_settles_the_time_it_ran()
    {
        await Http.PostJobOkAsync(Job("cancel-paid", "cp-hour", RunTests.Simulated("sleep-ms=60000")));
        await Poll.UntilAsync(async () => Assert.Equal("Running", (await Http.GetJobAsync("cancel-paid")).State()), TimeSpan.FromSeconds(30));
        // Into its second second, at least.
        await Poll.UntilAsync(async () =>
        {
            var started = (await Http.GetJobAsync("cancel-paid"))["currentRun"]!["startedAt"]!.GetValue<DateTimeOffset>();
            Assert.True(DateTimeOffset.UtcNow - started > TimeSpan.FromMilliseconds(1_500));
        }, TimeSpan.FromSeconds(10));
        using (var cancelled = await Http.PostAsync("/orchestrator/jobs/cancel-paid/cancel", null))
            Assert.Equal(HttpStatusCode.OK, cancelled.StatusCode);

        var detail = await Settled("cancel-paid", "cp-hour");
        var s = detail["requester"]!["settlement"]!;
        Assert.Equal(("cancelled", "cancelled"), (s["outcome"]!.GetValue<string>(), s["usage"]!["outcome"]!.GetValue<string>()));
        var billed = s["billedSeconds"]!.GetValue<long>();
        Assert.InRange(billed, 2, 60);
        Assert.Equal(billed * 0.001m, Amount(detail["requester"]!));
        Assert.Equal(Amount(detail["requester"]!), Amount(detail["provider"]!));
    }

    [Theory]
    [InlineData("result-failed", "exit=3", "exit-code", 0)]
    [InlineData("result-paid", "exit=0", "completed", 2.5)]
    public async Task A_job_priced_per_result_pays_the_price_when_it_completes_and_nothing_when_it_fails(string id, string program, string outcome, double amount)
    {
        await Http.PostJobOkAsync(Job(id, "cp-result", RunTests.Simulated(program)));
        await Http.AwaitTerminalAsync(id);
        var detail = await Settled(id, "cp-result");
        var s = detail["requester"]!["settlement"]!;
        Assert.Equal((outcome, "result", 2.5m), (s["outcome"]!.GetValue<string>(), s["unit"]!.GetValue<string>(), s["price"]!.GetValue<decimal>()));
        Assert.Equal((decimal)amount, Amount(detail["requester"]!));
        Assert.Equal((decimal)amount, Amount(detail["provider"]!));
        // The job's explanation said how the price was computed.
        var ranking = (await Http.GetJobAsync(id))["explanation"]!["ranking"]![0]!;
        Assert.Equal((2.5m, "2.5 per result"), (ranking["expectedTotal"]!.GetValue<decimal>(), ranking["priceBasis"]!.GetValue<string>()));
    }

    [Fact]
    public async Task The_ledger_filters_and_totals_and_names_what_is_wrong_with_a_bad_query()
    {
        await Http.PostJobOkAsync(Job("ledger-a", "cp-result", RunTests.Simulated("exit=0")));
        await Http.PostJobOkAsync(Job("ledger-b", "cp-result", RunTests.Simulated("exit=0")));
        await Settled("ledger-a", "cp-result");
        await Settled("ledger-b", "cp-result");

        var page = await Json("/orchestrator/settlements?provider=cp-result&state=settled");
        var rows = page["rows"]!.AsArray();
        Assert.Contains(rows, r => r!["contractId"]!.GetValue<string>() == "ledger-a@cp-result");
        Assert.All(rows, r => Assert.Equal(("cp-result", "settled", "sp-e2e"), (r!["providerId"]!.GetValue<string>(), r["state"]!.GetValue<string>(), r["requester"]!.GetValue<string>())));
        // The totals are the sum of the rows.
        var total = Assert.Single(page["totals"]!.AsArray())!;
        Assert.Equal(("NTX", rows.Count), (total["currency"]!.GetValue<string>(), total["rows"]!.GetValue<int>()));
        Assert.Equal(rows.Sum(r => r!["amount"]!.GetValue<decimal>()), total["amount"]!.GetValue<decimal>());
        // A page of one still totals every matching row.
        var one = await Json("/orchestrator/settlements?provider=cp-result&state=settled&limit=1");
        Assert.Single(one["rows"]!.AsArray());
        Assert.Equal(total["amount"]!.GetValue<decimal>(), one["totals"]![0]!["amount"]!.GetValue<decimal>());
        Assert.Empty((await Json($"/orchestrator/settlements?from={Uri.EscapeDataString(DateTimeOffset.UtcNow.AddMinutes(5).ToString("O"))}"))["rows"]!.AsArray());

        // The provider's side of the ledger, and its earnings on its status.
        var theirs = await Json("/orchestrator/providers/cp-result/settlements");
        Assert.Contains(theirs["settlements"]!.AsArray(), r => r!["contractId"]!.GetValue<string>() == "ledger-b@cp-result");
        var status = await Json("/orchestrator/providers/cp-result");
        Assert.True(status["earnings"]![0]!["amount"]!.GetValue<decimal>() >= 5m);

        foreach (var (query, field) in new[] { ("state=owed", "state"), ("from=yesterday", "from"), ("limit=0", "limit"), ("provider=" + new string('x', 200), "provider"),
                     ($"from=2026-12-07T10:00:00Z&until=2026-12-07T09:00:00Z", "until") })
        {
            using var bad = await Http.GetAsync("/orchestrator/settlements?" + query);
            var body = await bad.Content.ReadAsStringAsync();
            Assert.True(bad.StatusCode == HttpStatusCode.BadRequest, $"{query}: {(int)bad.StatusCode} {body}");
            Assert.Contains($"\"{field}\"", body);
        }

        using var unknown = await Http.GetAsync("/orchestrator/settlements/no-such-job@cp-result");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        using var unknownProvider = await Http.GetAsync("/orchestrator/providers/cp-nobody/settlements");
        Assert.Equal(HttpStatusCode.NotFound, unknownProvider.StatusCode);
    }
}
