using System.Text.RegularExpressions;
using System.Xml.Linq;
using Orchestrator.EndToEnd.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Orchestrator.EndToEnd.Tests;

/// <summary>
/// docs/embedding.md works alone: each project it tells a reader to make (<c>dotnet new</c>, <c>dotnet add package</c>)
/// is made from its own words, each file it shows is put in, exactly as written, and built against the packages
/// packed from this commit; the console client it shows then posts a job to a real node and follows it.
/// </summary>
public sealed partial class GuideTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("guide-").FullName;

    [Fact]
    public async Task Every_file_of_the_embedding_guide_builds_as_written_and_the_console_client_follows_a_job()
    {
        var guide = Repository.Read("docs/embedding.md");
        var projects = Projects(guide);
        Assert.Equal(["client", "host"], projects.Keys.Order());
        Assert.True(projects["host"].Files.Count >= 3, "the guide shows the host's Program.cs, an executor and a settlement provider");

        // The packages of this build, under a version no cache has seen.
        var feed = Path.Combine(_root, "feed");
        var version = $"0.0.0-guide.{DateTime.UtcNow:yyyyMMddHHmmssfff}";
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
        foreach (var package in new[] { "Orchestrator.Protocol", "Orchestrator.Client", "Orchestrator.Core", "Orchestrator.AspNetCore" })
            await Processes.RunAsync("dotnet", ["pack", $"src/{package}/{package}.csproj", "--no-build", "-c", configuration, "-o", feed, $"-p:PackageVersion={version}", "-nologo"], Repository.Root);
        await File.WriteAllTextAsync(Path.Combine(_root, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration><packageSources><add key="orchestrator" value="{feed}" /></packageSources></configuration>
            """);

        var pinned = XDocument.Load(Path.Combine(Repository.Root, "Directory.Packages.props")).Descendants("PackageVersion")
            .ToDictionary(p => p.Attribute("Include")!.Value, p => p.Attribute("Version")!.Value);
        foreach (var (name, project) in projects)
        {
            var folder = Path.Combine(_root, name);
            Directory.CreateDirectory(folder);
            var references = string.Join("\n", project.Packages.Select(p =>
                $"""    <PackageReference Include="{p}" Version="{(p.StartsWith("Orchestrator.", StringComparison.Ordinal) ? version : pinned[p])}" />"""));
            // What `dotnet new web` / `dotnet new console` write, with the packages `dotnet add package` adds.
            await File.WriteAllTextAsync(Path.Combine(folder, $"{project.Name}.csproj"), $"""
                <Project Sdk="{(project.Web ? "Microsoft.NET.Sdk.Web" : "Microsoft.NET.Sdk")}">
                  <PropertyGroup>
                    {(project.Web ? "" : "<OutputType>Exe</OutputType>")}
                    <TargetFramework>net10.0</TargetFramework>
                    <ImplicitUsings>enable</ImplicitUsings>
                    <Nullable>enable</Nullable>
                  </PropertyGroup>
                  <ItemGroup>
                {references}
                  </ItemGroup>
                </Project>
                """);
            foreach (var (file, code) in project.Files) await File.WriteAllTextAsync(Path.Combine(folder, file), code);
            output.WriteLine(await Processes.RunAsync("dotnet", ["build", "-c", "Release", "-nologo", "-v", "q"], folder));
        }

        // The console client, run as the guide says, against a node on the remoting port it names.
        var port = NodeProcess.FreePort();
        using var setup = NodeSetup.Create("""[{"id":"cp-guide","resources":{"cpuCores":8,"ramMb":16384,"diskGb":100},"executors":["docker"],"pricePerHour":1.0}]""");
        setup.ExtraArguments.AddRange(["--remote-port", port.ToString(), "--seeds", $"akka.tcp://orchestrator@127.0.0.1:{port}"]);
        await using var node = await NodeProcess.StartAsync(setup);
        var client = Path.Combine(_root, "client", "bin", "Release", "net10.0", $"{projects["client"].Name}.dll");
        var printed = await Processes.RunAsync("dotnet", [client, $"akka.tcp://orchestrator@127.0.0.1:{port}"], _root);
        Assert.Contains("hello-from-a-client: Contracted", printed);
        Assert.Equal("Contracted", (await node.Http.GetJobAsync("hello-from-a-client")).State());
    }

    /// <summary>A project the guide makes: its name and SDK from <c>dotnet new</c>, its packages, its files.</summary>
    private sealed record GuideProject(string Name, bool Web, List<string> Packages, Dictionary<string, string> Files);

    private static Dictionary<string, GuideProject> Projects(string guide)
    {
        var projects = new Dictionary<string, GuideProject>();
        foreach (Match block in Marked().Matches(guide))
        {
            var (kind, target, body) = (block.Groups["kind"].Value, block.Groups["target"].Value, block.Groups["body"].Value);
            if (kind == "project")
            {
                var created = DotnetNew().Match(body);
                Assert.True(created.Success, $"the project '{target}' has no `dotnet new web|console -n Name`");
                projects[target] = new GuideProject(created.Groups["name"].Value, created.Groups["template"].Value == "web",
                    AddPackage().Matches(body).Select(m => m.Groups["package"].Value).ToList(), []);
            }
            else
            {
                var slash = target.IndexOf('/');
                Assert.True(projects.ContainsKey(target[..slash]), $"the file '{target}' comes before its project");
                projects[target[..slash]].Files[target[(slash + 1)..]] = body;
            }
        }

        return projects;
    }

    [GeneratedRegex(@"<!-- (?<kind>project|file): (?<target>\S+) -->\s*```(?:sh|csharp)\n(?<body>.*?)```", RegexOptions.Singleline)]
    private static partial Regex Marked();

    [GeneratedRegex(@"dotnet new (?<template>web|console) -n (?<name>\S+)")]
    private static partial Regex DotnetNew();

    [GeneratedRegex(@"dotnet add package (?<package>[A-Za-z0-9.]+)")]
    private static partial Regex AddPackage();


    public void Dispose() => Directory.Delete(_root, recursive: true);
}
