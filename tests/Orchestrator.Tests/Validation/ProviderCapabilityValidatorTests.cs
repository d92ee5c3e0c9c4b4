using Orchestrator.Protocol.Model;
using Orchestrator.Validation;
using static Orchestrator.Tests.Fixtures;

namespace Orchestrator.Tests.Validation;

/// <summary>Every rule of what a provider onboards: the field it names and the sentence, exactly.</summary>
public class ProviderCapabilityValidatorTests
{
    private static readonly ProviderCapability Sound = Provider("cp-1");

    private static ProviderCapability WithResources(Func<Resources, Resources> change) => Sound with { Resources = change(Sound.Resources) };

    public static TheoryData<string, ProviderCapability?[], string[]> Invalid => new()
    {
        { "none", [], [": at least one provider is required"] },
        { "null", [Sound, null], ["[1]: must be an object"] },
        { "empty id", [Sound with { Id = "" }], ["[0].id: must not be empty"] },
        { "bad id", [Sound with { Id = "cp/1" }], ["[0].id: may contain only letters and digits (any script) and . _ - : (found '/')"] },
        { "twice", [Sound, Provider("cp-2"), Sound], ["[2].id: 'cp-1' is listed twice"] },
        { "no resources", [Sound with { Resources = null! }], ["[0].resources: is required"] },
        { "cpu 0", [WithResources(r => r with { CpuCores = 0 })], ["[0].resources.cpuCores: must be between 1 and 4096, was 0"] },
        { "cpu huge", [WithResources(r => r with { CpuCores = 4097 })], ["[0].resources.cpuCores: must be between 1 and 4096, was 4097"] },
        { "ram 0", [WithResources(r => r with { RamMb = 0 })], ["[0].resources.ramMb: must be between 1 and 67108864, was 0"] },
        { "disk negative", [WithResources(r => r with { DiskGb = -1 })], ["[0].resources.diskGb: must be between 0 and 1048576, was -1"] },
        { "too many gpus", [WithResources(r => r with { Gpus = Enumerable.Repeat(new Gpu("nvidia", "T4", 16384), 65).ToArray() })],
            ["[0].resources.gpus: must list at most 64 GPUs"] },
        { "bad gpu beyond the bound", [WithResources(r => r with { Gpus = [.. Enumerable.Repeat(new Gpu("nvidia", "T4", 16384), 64), new Gpu("", "", 0)] })],
            ["[0].resources.gpus: must list at most 64 GPUs"] },
        { "bad gpu", [WithResources(r => r with { Gpus = [new Gpu("nvidia", "T4", 16384), new Gpu(" ", "", 0)] })],
        [
            "[0].resources.gpus[1].model: is required and must not be blank",
            "[0].resources.gpus[1].vendor: is required and must not be blank",
            "[0].resources.gpus[1].vramMb: must be between 1 and 1048576, was 0",
        ] },
        { "null gpu", [WithResources(r => r with { Gpus = [null!] })],
        [
            "[0].resources.gpus[0].model: is required and must not be blank",
            "[0].resources.gpus[0].vendor: is required and must not be blank",
            "[0].resources.gpus[0].vramMb: must be between 1 and 1048576, was 0",
        ] },
        { "no executor", [Sound with { Executors = [] }], ["[0].executors: must list at least one executor"] },
        { "bad locality", [Sound with { Localities = [new Locality("moon", "x")] }], ["[0].localities[0].kind: 'moon' is not one of continent, country, region, city"] },
        { "blank library", [Sound with { Libraries = [new Library("", "1.0")] }], ["[0].libraries[0].name: is required and must not be blank"] },
        { "library version", [Sound with { Libraries = [new Library("cuda", ">=12")] }], ["[0].libraries[0].version: '>=12' is not a version like 12.2 or 1.2.3"] },
        { "too many libraries", [Sound with { Libraries = Enumerable.Repeat(new Library("cuda", "12.2"), 65).ToArray() }],
            ["[0].libraries: must list at most 64 items, listed 65"] },
        { "blank storage", [Sound with { Storage = [new Storage(" ", 1)] }], ["[0].storage[0].kind: is required and must not be blank"] },
        { "storage huge", [Sound with { Storage = [new Storage("s3", 1048577)] }], ["[0].storage[0].sizeGb: must be between 0 and 1048576, was 1048577"] },
        { "port 0", [Sound with { Connectivity = new Connectivity { OpenPorts = [22, 0] } }], ["[0].connectivity.openPorts[1]: must be between 1 and 65535, was 0"] },
        { "bad port beyond the bound", [Sound with { Connectivity = new Connectivity { OpenPorts = [.. Enumerable.Range(1, 64), 0] } }],
            ["[0].connectivity.openPorts: must list at most 64 ports"] },
        { "no connectivity", [Sound with { Connectivity = null! }], [] },
        { "blank label key", [Sound with { Labels = new Dictionary<string, string> { [" "] = "x" } }], ["[0].labels: is required and must not be blank"] },
        { "null label", [Sound with { Labels = new Dictionary<string, string> { ["tier"] = null! } }], ["[0].labels.tier: must be a string of at most 64 characters"] },
        { "long label", [Sound with { Labels = new Dictionary<string, string> { ["tier"] = new string('g', 65) } }],
            ["[0].labels.tier: must be a string of at most 64 characters"] },
        { "blank currency", [Sound with { Currency = " " }], ["[0].currency: must be a currency code such as USD"] },
        { "long currency", [Sound with { Currency = "ABCDEFGHI" }], ["[0].currency: must be a currency code such as USD"] },
        { "negative duration", [Sound with { MaxJobDurationMinutes = -1 }], ["[0].maxJobDurationMinutes: must not be negative (0 means no limit)"] },
        { "negative price", [Sound with { PricePerHour = -0.5m }], ["[0].pricePerHour: must be between 0 and 1000000, was -0.5"] },
        { "price huge", [Sound with { PricePerHour = 1_000_001m }], ["[0].pricePerHour: must be between 0 and 1000000, was 1000001"] },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void Names_the_bad_field_and_says_what_is_wrong(string name, ProviderCapability?[] providers, string[] expected)
    {
        var problems = Problems(providers);
        Assert.True(problems.SequenceEqual(expected), $"{name}: got [{string.Join(" | ", problems)}]");
    }

    [Fact]
    public void Accepts_values_at_every_bound()
    {
        var edge = Sound with
        {
            Resources = new Resources { CpuCores = 4096, RamMb = 67108864, DiskGb = 0, Gpus = [.. Enumerable.Repeat(new Gpu("nvidia", "T4", 1048576), 64)] },
            Libraries = [new Library("cuda", "12.2.1")],
            Storage = [new Storage("s3", 1048576), new Storage("ipfs", 0)],
            Connectivity = new Connectivity { OpenPorts = [1, .. Enumerable.Range(65472, 63)] },
            Labels = new Dictionary<string, string> { ["tier"] = new string('g', 64), ["empty"] = "" },
            Currency = "ABCDEFGH",
            MaxJobDurationMinutes = 0,
            PricePerHour = 1_000_000m,
        };
        var smallest = Provider("cp-2", cpu: 1, ramMb: 1, diskGb: 1048576, price: 0m, gpus: [new Gpu("amd", "MI300", 1)]) with { Currency = "X" };
        Assert.Empty(Problems([edge, smallest]));
    }

    private static string[] Problems(IReadOnlyList<ProviderCapability?> providers) =>
        ProviderCapabilityValidator.Validate(providers).ToDictionary()
            .SelectMany(kv => kv.Value.Select(message => $"{kv.Key}: {message}"))
            .Order(StringComparer.Ordinal).ToArray();
}
