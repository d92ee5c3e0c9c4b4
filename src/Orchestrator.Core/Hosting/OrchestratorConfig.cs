using Akka.Configuration;

namespace Orchestrator.Hosting;

/// <summary>
/// The orchestrator's configuration in one place: the defaults that ship inside the library (hocon/*.conf, embedded),
/// under the host's HOCON (<see cref="OrchestratorOptions.Hocon"/>), under the options set in code or bound from the
/// host's configuration.
/// </summary>
public static class OrchestratorConfig
{
    private static readonly string[] DefaultFiles = ["orchestrator.conf", "cluster.conf", "sharding.conf", "persistence.conf"];

    /// <summary>The library's defaults: every key the README documents, with its default value.</summary>
    public static Config Defaults { get; } = DefaultFiles.Select(Embedded).Aggregate(Config.Empty, (all, file) => all.WithFallback(file));

    private static readonly HashSet<string> KnownKeys = LeafKeys(Defaults, "orchestrator").ToHashSet(StringComparer.Ordinal);

    private static void RefuseUnknownKeys(Config given)
    {
        foreach (var key in LeafKeys(given, "orchestrator"))
        {
            if (KnownKeys.Contains(key)) continue;
            var near = Orchestrator.Configuration.Spelling.Closest(key, KnownKeys);
            throw new ConfigurationException($"{key}: no such setting" + (near is null ? "" : $"; did you mean {near}?") +
                                             " (every setting is listed in hocon/orchestrator.conf)");
        }
    }

    /// <summary>Every leaf key under <paramref name="path"/>, dotted.</summary>
    internal static IEnumerable<string> LeafKeys(Config config, string path)
    {
        if (!config.HasPath(path)) yield break;
        var value = config.GetValue(path);
        if (!value.IsObject())
        {
            yield return path;
            yield break;
        }

        foreach (var child in value.GetObject().Items.Keys)
        foreach (var key in LeafKeys(config, path + "." + child))
            yield return key;
    }

    /// <summary>One of the embedded hocon/*.conf files.</summary>
    public static Config Embedded(string file)
    {
        using var stream = typeof(OrchestratorConfig).Assembly.GetManifestResourceStream("Orchestrator.hocon." + file)
                           ?? throw new InvalidOperationException($"hocon/{file} is not embedded in {typeof(OrchestratorConfig).Assembly.GetName().Name}");
        using var reader = new StreamReader(stream);
        return ConfigurationFactory.ParseString(reader.ReadToEnd());
    }

    /// <summary>
    /// Options over HOCON over defaults; the split-brain resolver counts the jobs role only, and on PostgreSQL breaks
    /// even splits with the database's lease (<see cref="TieBreakLease"/>). A key under
    /// <c>orchestrator</c> that the defaults do not have is a mistake (a typo would otherwise be ignored and the
    /// default used): it is refused, naming the closest known key.
    /// </summary>
    public static Config Compose(OrchestratorOptions options, string hoconSource = "OrchestratorOptions.Hocon")
    {
        var given = ConfigurationFactory.ParseString(options.ToHocon());
        if (!string.IsNullOrWhiteSpace(options.Hocon)) given = given.WithFallback(HoconText.Parse(options.Hocon, hoconSource));
        RefuseUnknownKeys(given);
        var config = given.WithFallback(Defaults);
        var jobsRole = config.GetString("orchestrator.roles.jobs");
        // Akka reads the role of the strategy in force (keep-majority.role, lease-majority.role), not a key of its own.
        var role = HoconText.Quote(jobsRole);
        var strategy = PersistenceChoice.From(config).IsPostgres && config.GetString("akka.cluster.split-brain-resolver.active-strategy") == "keep-majority" ? "akka.cluster.split-brain-resolver.active-strategy = lease-majority\n" : "";
        return ConfigurationFactory.ParseString(strategy +
            $"akka.cluster.split-brain-resolver {{ role = {role}, keep-majority.role = {role}, lease-majority.role = {role} }}").WithFallback(config);
    }
}

/// <summary>Where the journal lives: one SQLite file (embedded default), a PostgreSQL database, or the host's own set-up.</summary>
public sealed record PersistenceChoice(string Provider, string Target)
{
    public bool IsPostgres => Provider == "postgres";
    public bool IsHostConfigured => Provider == "host";

    public static PersistenceChoice From(Config config)
    {
        var section = config.GetConfig("orchestrator") ?? Config.Empty;
        var provider = Configuration.SettingsCatalog.PersistenceProvider.Choice(section);
        var postgres = (string)Configuration.SettingsCatalog.PostgresConnectionString.Read(section);
        if (provider == "sqlite" && postgres.Length > 0) provider = "postgres";
        return provider switch
        {
            "sqlite" => new PersistenceChoice("sqlite", (string)Configuration.SettingsCatalog.SqliteFile.Read(section)),
            "postgres" when postgres.Length > 0 => new PersistenceChoice("postgres", postgres),
            "postgres" => throw new ConfigurationException(
                "orchestrator.persistence.provider is postgres but orchestrator.persistence.postgres.connectionString is empty (--postgres or ORCHESTRATOR_POSTGRES)"),
            _ => new PersistenceChoice("host", ""),
        };
    }
}
