using Orchestrator.EndToEnd.Tests.Infrastructure;

namespace Orchestrator.EndToEnd.Tests;

/// <summary>The provider commands and `jobs plan`, with the real CLI against a real node.</summary>
public sealed class CliProviderTests
{
    [Fact]
    public async Task Providers_onboard_show_offboard_and_jobs_plan_through_the_CLI()
    {
        using var setup = NodeSetup.Create("""[{"id":"cp-tiny","resources":{"cpuCores":1,"ramMb":512,"diskGb":1},"executors":["docker"]}]""");
        await using var node = await NodeProcess.StartAsync(setup);
        var capability = Path.Combine(setup.DataDirectory, "cp-cli.json");
        await File.WriteAllTextAsync(capability, """{"id":"cp-cli","resources":{"cpuCores":16,"ramMb":32768,"diskGb":500},"executors":["docker"],"pricePerHour":2.5}""");

        var onboarded = await Cli.OperateAsync(node, "providers", "onboard", capability);
        Assert.True(onboarded.ExitCode == 0, onboarded.Errors);
        Assert.Contains("provider cp-cli onboarded", onboarded.Output);
        Assert.Contains("was onboarded already", (await Cli.OperateAsync(node, "providers", "onboard", capability)).Output);

        var shown = await Cli.OperateAsync(node, "providers", "show", "cp-cli");
        Assert.Equal(0, shown.ExitCode);
        Assert.Contains("cpu 16/16 free", shown.Output);

        var job = Path.Combine(setup.DataDirectory, "job.json");
        await File.WriteAllTextAsync(job, """{"requirements":{"resources":{"cpuCores":8,"ramMb":1024,"diskGb":10}}}""");
        var plan = await Cli.OperateAsync(node, "jobs", "plan", job);
        Assert.True(plan.ExitCode == 0, plan.Errors);
        Assert.Contains("cp-cli", plan.Output);
        Assert.Contains("cp-tiny", plan.Output); // why not: ruled out
        Assert.Contains("insufficient-cpu", plan.Output);

        var offboarded = await Cli.OperateAsync(node, "providers", "offboard", "cp-cli");
        Assert.Equal(0, offboarded.ExitCode);
        Assert.Contains("cp-cli offboarded", offboarded.Output);
        await Poll.UntilAsync(async () => Assert.Equal(1, (await Cli.OperateAsync(node, "providers", "show", "cp-cli")).ExitCode), TimeSpan.FromSeconds(30));

        var missing = await Cli.OperateAsync(node, "providers", "onboard", Path.Combine(setup.DataDirectory, "nope.json"));
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("no such file", missing.Errors);
    }
}
