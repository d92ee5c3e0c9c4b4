using System.Diagnostics;
using System.IO.Compression;
using System.Text;
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
        Assert.Equal(["Orchestrator.AspNetCore.0.1.0.nupkg", "Orchestrator.Client.0.1.0.nupkg", "Orchestrator.Core.0.1.0.nupkg", "Orchestrator.Protocol.0.1.0.nupkg"],
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
            var repository = metadata.Elements().Single(e => e.Name.LocalName == "repository");
            Assert.Equal("git", repository.Attribute("type")!.Value);
            Assert.Matches("^[0-9a-f]{40}$", repository.Attribute("commit")!.Value);
            Assert.Contains($"lib/net10.0/{id}.dll", files);
        }

        // The library's defaults travel inside it: a host needs no files.
        using var core = ZipFile.OpenRead(Path.Combine(_output, "Orchestrator.Core.0.1.0.nupkg"));
        using var dll = new MemoryStream();
        await using (var entry = core.GetEntry("lib/net10.0/Orchestrator.Core.dll")!.Open()) await entry.CopyToAsync(dll);
        Assert.Contains("Orchestrator.hocon.orchestrator.conf", Encoding.UTF8.GetString(dll.ToArray()));
    }

    private async Task PackAsync(string project, string configuration)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = Repository.Root,
        };
        foreach (var arg in new[] { "pack", project, "--no-build", "-c", configuration, "-o", _output, "-nologo" }) info.ArgumentList.Add(arg);
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, $"dotnet pack {project} exited {process.ExitCode}:\n{await output}\n{await errors}");
    }

    private (XElement Metadata, string[] Files) Read(string id)
    {
        using var zip = ZipFile.OpenRead(Path.Combine(_output, $"{id}.0.1.0.nupkg"));
        using var nuspec = zip.GetEntry($"{id}.nuspec")!.Open();
        var metadata = XDocument.Load(nuspec).Root!.Elements().Single(e => e.Name.LocalName == "metadata");
        return (metadata, zip.Entries.Select(e => e.FullName).ToArray());
    }

    private string[] Dependencies(string id) =>
        Read(id).Metadata.Descendants().Where(e => e.Name.LocalName == "dependency").Select(e => e.Attribute("id")!.Value).Distinct().ToArray();

    private static string Value(XElement metadata, string name) => metadata.Elements().Single(e => e.Name.LocalName == name).Value;

    public void Dispose() => Directory.Delete(_output, recursive: true);
}
