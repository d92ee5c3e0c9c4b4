using Orchestrator.EndToEnd.Tests.Infrastructure;

namespace Orchestrator.EndToEnd.Tests;

/// <summary>Contract closure with an approved list: an unapproved party never gets a contract.</summary>
public class VerificationTests
{
    private const string Providers = """
        [
          {"id":"cp-cheap-unapproved","resources":{"cpuCores":8,"ramMb":8192,"diskGb":100,"gpus":[{"vendor":"nvidia","model":"H100","vramMb":81920}]},"executors":["docker"],"pricePerHour":0.1},
          {"id":"cp-approved","resources":{"cpuCores":8,"ramMb":8192,"diskGb":100},"executors":["docker"],"pricePerHour":1.0}
        ]
        """;

    [Fact]
    public async Task An_unapproved_provider_is_dropped_at_contract_closure_and_the_job_contracts_elsewhere_or_fails()
    {
        using var setup = NodeSetup.Create(Providers, """orchestrator.approvedIds = ["sp-e2e", "cp-approved"]""");
        await using var node = await NodeProcess.StartAsync(setup);

        var elsewhere = await node.Http.AwaitTerminalAsync(await node.Http.PostJobOkAsync(
            """{"requirements":{"resources":{"cpuCores":2,"ramMb":1024,"diskGb":10}}}"""));
        Assert.Equal("Contracted", elsewhere.State());
        Assert.Equal("cp-approved", elsewhere["contract"]!["providerId"]!.GetValue<string>());
        var dropped = Assert.Single(elsewhere["declines"]!.AsArray(), d => d!["providerId"]!.GetValue<string>() == "cp-cheap-unapproved")!;
        Assert.Equal("contract-closure", dropped["phase"]!.GetValue<string>());
        Assert.Equal("verification-failed", dropped["reason"]!.GetValue<string>());
        // "Why not this provider?" says it bid and then failed verification, not that it was eligible.
        var verdict = elsewhere["providers"]!.AsArray().Single(v => v!["providerId"]!.GetValue<string>() == "cp-cheap-unapproved")!;
        Assert.Equal("declined", verdict["outcome"]!.GetValue<string>());
        Assert.Equal("verification-failed", verdict["reason"]!.GetValue<string>());
        Assert.StartsWith("bid, then declined the contract: ", verdict["detail"]!.GetValue<string>());

        // Only the unapproved provider has the GPU: nobody may contract, so the job fails for that reason.
        var nowhere = await node.Http.AwaitTerminalAsync(await node.Http.PostJobOkAsync(
            """{"requirements":{"resources":{"cpuCores":2,"ramMb":1024,"diskGb":10,"gpus":[{"model":"H100"}]}}}"""));
        Assert.Equal("Failed", nowhere.State());
        Assert.Equal("verification-failed", nowhere["failure"]!["reason"]!.GetValue<string>());

        // The unapproved provider holds nothing afterwards: no contract, no lock left behind.
        var unapproved = (await node.Http.GetProvidersAsync()).Single(p => p!["capability"]!["id"]!.GetValue<string>() == "cp-cheap-unapproved")!;
        Assert.Empty(unapproved["contracts"]!.AsArray());
        Assert.Empty(unapproved["locks"]!.AsArray());
    }

    [Fact]
    public async Task A_requester_the_providers_do_not_approve_gets_no_contract()
    {
        using var setup = NodeSetup.Create(Providers, """orchestrator.approvedIds = ["cp-approved", "cp-cheap-unapproved"]""");
        await using var node = await NodeProcess.StartAsync(setup);

        var job = await node.Http.AwaitTerminalAsync(await node.Http.PostJobOkAsync(
            """{"requirements":{"resources":{"cpuCores":2,"ramMb":1024,"diskGb":10}}}"""));
        Assert.Equal("Failed", job.State());
        Assert.Equal("verification-failed", job["failure"]!["reason"]!.GetValue<string>());
        Assert.Contains("service provider 'sp-e2e' is not approved", job["failure"]!["message"]!.GetValue<string>());
    }
}
