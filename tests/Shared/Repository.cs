namespace Orchestrator.Testing;

/// <summary>The repository the tests run from: its README, sources and deployment files, as a reader sees them (linked into each test project).</summary>
public static class Repository
{
    public static string Root { get; } = Find();

    public static string Read(string relativePath) => File.ReadAllText(Path.Combine(Root, relativePath));

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Orchestrator.sln"))) return dir.FullName;
        throw new InvalidOperationException("Orchestrator.sln not found above " + AppContext.BaseDirectory);
    }
}
