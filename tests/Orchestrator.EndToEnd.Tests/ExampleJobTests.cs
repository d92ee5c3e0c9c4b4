using Orchestrator.EndToEnd.Tests.Infrastructure;

namespace Orchestrator.EndToEnd.Tests;

/// <summary>
/// Every example the README points at works as it says, on the example providers. The cases share one node, in
/// any order, so each example is written to land where it does whatever ran before it.
/// </summary>
public class ExampleJobTests(ExampleNodeFixture fixture) : IClassFixture<ExampleNodeFixture>
{
    [Theory]
    [InlineData("job-docker-de.json", "cp-munich-small")]
    [InlineData("job-us-locked.json", "cp-seattle-cpu")]
    [InlineData("job-gpu-a100.json", "cp-berlin-a100")]
    [InlineData("job-wasm-cheap.json", "cp-tokyo-edge")]
    [InlineData("job-preferences.json", "cp-frankfurt-cpu")]
    [InlineData("job-push.json", "cp-nairobi-cpu")]
    [InlineData("job-cuda-libraries.json", "cp-berlin-a100")]
    [InlineData("job-labels-storage.json", "cp-berlin-a100")]
    // earliest-bid: whichever eligible arm64 provider answers first.
    [InlineData("job-long-running-arm.json", "cp-munich-small|cp-tokyo-edge")]
    public async Task Each_example_job_contracts_where_the_README_says(string file, string provider)
    {
        var job = await fixture.Node.Http.AwaitTerminalAsync(await fixture.Node.Http.PostJobOkAsync(ExampleNodeFixture.Example(file)));
        Assert.True(job.State() == "Contracted", job.ToJsonString());
        Assert.Contains(job["contract"]!["providerId"]!.GetValue<string>(), provider.Split('|'));
    }
}
