using System.Text;
using Orchestrator.Providers;

namespace Orchestrator.Tests.Providers;

/// <summary>The library's providers loader: the format the docs use, checked as onboarding checks it, every mistake named.</summary>
public sealed class ProvidersFileTests
{
    [Fact]
    public void The_example_providers_load_as_capabilities()
    {
        var providers = ProvidersFile.Load(Path.Combine(Repository.Root, "examples", "providers.json"));
        Assert.Equal(10, providers.Count);
        Assert.All(providers, p => Assert.False(string.IsNullOrEmpty(p.Id)));
    }

    public static TheoryData<string, string, string> Mistakes => new()
    {
        { "not a list", """{"id":"a"}""", "'test' is not a valid providers list: body: must be a list" },
        { "a wrong type and an unknown field, both named", """[{"id":"a","resources":{"cpuCores":"four","ramMb":1,"diskGb":1,"colour":1},"executors":["docker"]}]""",
          "[0].resources.cpuCores: must be a whole number, not text; [0].resources.colour: is not a known field" },
        { "cut short", """[{"id":"a","resources":{""", "body: is not valid JSON: it ends at byte 24" },
        { "a value out of range", """[{"id":"a","resources":{"cpuCores":0,"ramMb":1,"diskGb":1},"executors":["docker"]}]""", "'test' is invalid: [0].resources.cpuCores:" },
        { "an id a URL cannot carry", """[{"id":"..","resources":{"cpuCores":1,"ramMb":1,"diskGb":1},"executors":["docker"]}]""", "[0].id: must not be '..' alone" },
        { "a null item", """[null]""", "[0]" },
        { "a fraction where a whole number belongs", """[{"id":"a","resources":{"cpuCores":1.5,"ramMb":1,"diskGb":1},"executors":["docker"]}]""",
          "[0].resources.cpuCores: must be a whole number, not 1.5" },
        { "a number no field takes (not the serializer's Int32 range)", """[{"id":"a","resources":{"cpuCores":99999999999,"ramMb":1,"diskGb":1},"executors":["docker"]}]""",
          "[0].resources.cpuCores: must be a whole number in the field's range; 99999999999 is far beyond it" },
    };

    [Theory]
    [MemberData(nameof(Mistakes))]
    public void A_mistake_is_named_by_its_place_in_the_list(string what, string json, string saying)
    {
        var refused = Assert.Throws<ProvidersFileException>(() => ProvidersFile.Parse(Encoding.UTF8.GetBytes(json), "test"));
        Assert.True(refused.Message.Contains(saying, StringComparison.Ordinal), $"{what}: {refused.Message}");
        Assert.Equal("test", refused.Origin);
    }

    [Fact]
    public void A_missing_file_is_named()
    {
        var refused = Assert.Throws<ProvidersFileException>(() => ProvidersFile.Load("/no/such/providers.json"));
        Assert.Equal("file '/no/such/providers.json' does not exist", refused.Message);
    }

    [Fact]
    public void Ids_are_kept_in_normal_form_C()
    {
        var loaded = ProvidersFile.Parse("""[{"id":"cp-jo\u0308","resources":{"cpuCores":1,"ramMb":1,"diskGb":1},"executors":["docker"]}]"""u8);
        Assert.Equal("cp-jö", loaded.Single().Id);
    }
}
