using System.IO.Compression;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Orchestrator.EndToEnd.Tests.Infrastructure;

namespace Orchestrator.EndToEnd.Tests;

/// <summary>`dotnet pack` makes the four packages a host references, each with the metadata a package feed shows.</summary>
public sealed class PackageTests : IDisposable
{
    private readonly string _output = Directory.CreateTempSubdirectory("packages-").FullName;

    [Fact]
    public async Task Dotnet_pack_makes_the_protocol_client_library_and_api_packages_with_their_metadata()
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
        foreach (var project in new[] { "Orchestrator.Protocol", "Orchestrator.Client", "Orchestrator.Core", "Orchestrator.AspNetCore" })
            await PackAsync($"src/{project}/{project}.csproj", configuration);

        var packages = Directory.GetFiles(_output, "*.nupkg").Select(f => Path.GetFileName(f)).Order().ToArray();
        var version = Version("Orchestrator.Protocol");
        Assert.Matches(@"^0\.\d+\.\d+(-alpha\.0\.\d+)?$", version);
        Assert.Equal(new[] { "Orchestrator.AspNetCore", "Orchestrator.Client", "Orchestrator.Core", "Orchestrator.Protocol" }.Select(id => $"{id}.{version}.nupkg"),
            packages);

        Assert.Equal(["Orchestrator.Protocol"], Dependencies("Orchestrator.Client").Where(d => d.StartsWith("Orchestrator")));
        Assert.Contains("Orchestrator.Client", Dependencies("Orchestrator.Core"));
        Assert.Contains("Orchestrator.Core", Dependencies("Orchestrator.AspNetCore"));
        foreach (var id in new[] { "Orchestrator.Protocol", "Orchestrator.Client", "Orchestrator.Core", "Orchestrator.AspNetCore" })
        {
            var (metadata, files) = Read(id);
            Assert.Equal(id, Value(metadata, "id"));
            Assert.True(Value(metadata, "description").Length > 40, $"{id}: the description is too thin");
            Assert.Equal("Apache-2.0", Value(metadata, "license"));
            Assert.Equal("README.md", Value(metadata, "readme"));
            Assert.Contains("README.md", files);
            Assert.Contains("LICENSE", files);
            // IntelliSense: the XML documentation beside the assembly.
            Assert.Contains($"lib/net10.0/{id}.xml", files);
            var repository = metadata.Elements().Single(e => e.Name.LocalName == "repository");
            Assert.Equal("git", repository.Attribute("type")!.Value);
            Assert.Matches("^[0-9a-f]{40}$", repository.Attribute("commit")!.Value);
            Assert.Contains($"lib/net10.0/{id}.dll", files);
        }

        // The library's defaults travel inside it: a host needs no files.
        using var core = ZipFile.OpenRead(Path.Combine(_output, $"Orchestrator.Core.{version}.nupkg"));
        using var dll = new MemoryStream();
        await using (var entry = core.GetEntry("lib/net10.0/Orchestrator.Core.dll")!.Open()) await entry.CopyToAsync(dll);
        Assert.Contains("Orchestrator.hocon.orchestrator.conf", Encoding.UTF8.GetString(dll.ToArray()));
    }

    /// <summary>
    /// The command the pages use is a .NET tool: packed, installed with <c>dotnet tool install</c>, it is
    /// <c>orchestrator</c>, of the package's version.
    /// </summary>
    [Fact]
    public async Task The_orchestrator_command_installs_as_a_dotnet_tool()
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
        await PackAsync("src/Orchestrator.Node/Orchestrator.Node.csproj", configuration);
        var version = Version("Orchestrator.Node");
        Assert.Contains("tools/net10.0/any/DotnetToolSettings.xml", Read("Orchestrator.Node").Files);
        var tools = Path.Combine(_output, "tools");
        await Processes.RunAsync("dotnet", ["tool", "install", "Orchestrator.Node", "--tool-path", tools, "--add-source", _output, "--version", version], _output);

        var printed = await Processes.RunAsync(Path.Combine(tools, "orchestrator"), ["--version"], _output);
        Assert.Equal($"orchestrator {version}", printed.Trim());
    }

    /// <summary>
    /// In a clone whose origin is on GitHub (as the project's is), a package's symbols point at the commit's sources
    /// (SourceLink), its nuspec names the repository and commit, and the next commit packs as a new version.
    /// </summary>
    [Fact]
    public async Task A_package_links_its_sources_and_each_commit_is_a_new_version()
    {
        var clone = Path.Combine(_output, "clone");
        await Processes.RunAsync("git", ["clone", "--quiet", "--no-local", Repository.Root, clone], _output);
        await Processes.RunAsync("git", ["remote", "set-url", "origin", "https://github.com/example/orchestrator.git"], clone);
        await Processes.RunAsync("git", ["-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "--quiet", "--allow-empty", "-m", "a commit to pack"], clone);
        var commit = (await Processes.RunAsync("git", ["rev-parse", "HEAD"], clone)).Trim();
        var first = Path.Combine(_output, "first");
        await Processes.RunAsync("dotnet", ["pack", "src/Orchestrator.Protocol/Orchestrator.Protocol.csproj", "-c", "Release", "-o", first, "-nologo"], clone);

        var package = Directory.GetFiles(first, "*.nupkg").Single();
        using (var zip = ZipFile.OpenRead(package))
        {
            using var nuspec = zip.GetEntry("Orchestrator.Protocol.nuspec")!.Open();
            var metadata = XDocument.Load(nuspec).Root!.Elements().Single(e => e.Name.LocalName == "metadata");
            var repository = metadata.Elements().Single(e => e.Name.LocalName == "repository");
            Assert.Equal("https://github.com/example/orchestrator.git", repository.Attribute("url")!.Value);
            Assert.Equal(commit, repository.Attribute("commit")!.Value);
        }

        using (var symbols = ZipFile.OpenRead(Directory.GetFiles(first, "*.snupkg").Single()))
        {
            using var pdb = new MemoryStream();
            await using (var entry = symbols.GetEntry("lib/net10.0/Orchestrator.Protocol.pdb")!.Open()) await entry.CopyToAsync(pdb);
            Assert.Contains($"https://raw.githubusercontent.com/example/orchestrator/{commit}/*", Encoding.UTF8.GetString(pdb.ToArray()));
        }

        await Processes.RunAsync("git", ["-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "--quiet", "--allow-empty", "-m", "another"], clone);
        var second = Path.Combine(_output, "second");
        await Processes.RunAsync("dotnet", ["pack", "src/Orchestrator.Protocol/Orchestrator.Protocol.csproj", "-c", "Release", "-o", second, "-nologo"], clone);
        var height = (string file) => int.Parse(Regex.Match(Path.GetFileName(file), @"alpha\.0\.(\d+)\.nupkg$").Groups[1].Value);
        Assert.Equal(height(package) + 1, height(Directory.GetFiles(second, "*.nupkg").Single()));
    }

    private Task PackAsync(string project, string configuration) =>
        Processes.RunAsync("dotnet", ["pack", project, "--no-build", "-c", configuration, "-o", _output, "-nologo"], Repository.Root);


    private string Version(string id) => Value(Read(id).Metadata, "version");

    private (XElement Metadata, string[] Files) Read(string id)
    {
        using var zip = ZipFile.OpenRead(Directory.GetFiles(_output, $"{id}.*.nupkg").Single(f => Regex.IsMatch(Path.GetFileName(f), $@"^{Regex.Escape(id)}\.\d")));
        using var nuspec = zip.GetEntry($"{id}.nuspec")!.Open();
        var metadata = XDocument.Load(nuspec).Root!.Elements().Single(e => e.Name.LocalName == "metadata");
        return (metadata, zip.Entries.Select(e => e.FullName).ToArray());
    }

    private string[] Dependencies(string id) =>
        Read(id).Metadata.Descendants().Where(e => e.Name.LocalName == "dependency").Select(e => e.Attribute("id")!.Value).Distinct().ToArray();

    private static string Value(XElement metadata, string name) => metadata.Elements().Single(e => e.Name.LocalName == name).Value;

    public void Dispose() => Directory.Delete(_output, recursive: true);
}
