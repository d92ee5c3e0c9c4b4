using System.Text;
using Akka.Cluster.Hosting;
using Akka.Configuration;
using Akka.Hosting;
using Orchestrator.Configuration;
using Orchestrator.Hosting;
using Orchestrator.Protocol.Model;

namespace Orchestrator.Node.Startup;

/// <summary>Where the journal lives: one SQLite file (embedded default) or a PostgreSQL database.</summary>
public sealed record PersistenceChoice(string Provider, string Target)
{
    public bool IsPostgres => Provider == "postgres";
}

/// <summary>Everything the node decides before the actor system starts: config, providers, approval, store.</summary>
public sealed record NodePlan(
    Config Config,
    OrchestratorSettings Settings,
    IReadOnlyList<ProviderCapability> Providers,
    ApprovalPolicy Approval,
    PersistenceChoice Persistence,
    IReadOnlyList<string> Seeds,
    IReadOnlyList<string> Roles,
    string DataDirectory)
{
    public bool HostsProviders => Roles.Contains("providers");

    public static NodePlan Make(NodeOptions options)
    {
        var config = LoadHocon(options);
        var settings = OrchestratorSettings.FromConfig(config);
        var persistence = ChoosePersistence(config);
        var seeds = config.GetStringList("akka.cluster.seed-nodes", []).ToArray();
        var roles = config.GetStringList("akka.cluster.roles", []).ToArray();
        RefuseSharedSqlite(persistence, seeds, config);

        var dataDirectory = Path.GetDirectoryName(Path.GetFullPath(config.GetString("orchestrator.persistence.sqlite.file")))!;
        var providers = !roles.Contains("providers") ? []
            : options.ProvidersFile is { } file ? ProvidersFile.Load(file)
            : [LocalMachine.Detect(settings.NodeId + "-machine", dataDirectory)];
        return new NodePlan(config, settings, providers, ApprovalPolicy.For(settings, providers.Select(p => p.Id)), persistence, seeds, roles,
            dataDirectory);
    }

    /// <summary>hocon/*.conf shipped with the node, the operator's --config file on top, and the options on top of that.</summary>
    private static Config LoadHocon(NodeOptions options)
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "hocon");
        Config FromFile(string name) => ConfigurationFactory.ParseString(File.ReadAllText(Path.Combine(folder, name)));

        var config = FromFile("orchestrator.conf")
            .WithFallback(FromFile("cluster.conf"))
            .WithFallback(FromFile("sharding.conf"))
            .WithFallback(FromFile("persistence-sqlite.conf"))
            .WithFallback(FromFile("persistence-postgres.conf"));
        if (options.ConfigFile is { } extra)
        {
            if (!File.Exists(extra)) throw new StartupException($"--config: file '{extra}' does not exist");
            config = ConfigurationFactory.ParseString(File.ReadAllText(extra)).WithFallback(config);
        }

        return ConfigurationFactory.ParseString(Overrides(options)).WithFallback(config);
    }

    /// <summary>The node options as HOCON, so there is one source of truth for the actor system.</summary>
    private static string Overrides(NodeOptions o)
    {
        static string Q(string value) => "\"" + value.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
        var hocon = new StringBuilder();
        if (o.NodeId is { } id) hocon.AppendLine($"orchestrator.nodeId = {Q(id)}");
        if (o.RemoteHost is { } host) hocon.AppendLine($"akka.remote.dot-netty.tcp.hostname = {Q(host)}");
        if (o.RemotePort is { } port) hocon.AppendLine($"akka.remote.dot-netty.tcp.port = {port}");
        if (o.PublicHost is { } pub) hocon.AppendLine($"akka.remote.dot-netty.tcp.public-hostname = {Q(pub)}");
        if (o.Seeds.Count > 0) hocon.AppendLine($"akka.cluster.seed-nodes = [{string.Join(", ", o.Seeds.Select(Q))}]");
        if (o.Roles.Count > 0)
            hocon.AppendLine($"akka.cluster.roles = [{string.Join(", ", o.Roles.Prepend("orchestrator").Distinct().Select(Q))}]");
        if (o.DataDirectory is { } data) hocon.AppendLine($"orchestrator.persistence.sqlite.file = {Q(Path.Combine(data, "orchestrator.db"))}");
        if (o.Postgres is { } pg)
        {
            hocon.AppendLine("orchestrator.persistence.provider = postgres");
            hocon.AppendLine($"orchestrator.persistence.postgres.connectionString = {Q(pg)}");
        }

        return hocon.ToString();
    }

    private static PersistenceChoice ChoosePersistence(Config config)
    {
        var provider = config.GetString("orchestrator.persistence.provider", "sqlite");
        var postgres = config.GetString("orchestrator.persistence.postgres.connectionString", "");
        if (provider == "sqlite" && postgres.Length > 0) provider = "postgres";
        return provider switch
        {
            "sqlite" => new PersistenceChoice("sqlite", config.GetString("orchestrator.persistence.sqlite.file")),
            "postgres" when postgres.Length > 0 => new PersistenceChoice("postgres", postgres),
            "postgres" => throw new StartupException("orchestrator.persistence.provider is postgres but no connection string is set (--postgres or ORCHESTRATOR_POSTGRES)"),
            _ => throw new StartupException($"orchestrator.persistence.provider: '{provider}' is not one of sqlite, postgres"),
        };
    }

    /// <summary>SQLite allows one writer: several nodes cannot share it, and each with its own file would split the journal.</summary>
    private static void RefuseSharedSqlite(PersistenceChoice persistence, IReadOnlyList<string> seeds, Config config)
    {
        if (persistence.IsPostgres || seeds.Count == 0) return;
        var host = config.GetString("akka.remote.dot-netty.tcp.public-hostname", "") is { Length: > 0 } pub
            ? pub
            : config.GetString("akka.remote.dot-netty.tcp.hostname");
        var protocol = config.GetBoolean("akka.remote.dot-netty.tcp.enable-ssl") ? "akka.ssl.tcp" : "akka.tcp";
        var self = $"{protocol}://orchestrator@{host}:{config.GetInt("akka.remote.dot-netty.tcp.port")}";
        if (seeds.Count == 1 && seeds[0] == self) return;
        throw new StartupException(
            "a cluster of several nodes needs a shared journal, and SQLite cannot be shared by several writers: " +
            "set a PostgreSQL connection string (--postgres or ORCHESTRATOR_POSTGRES), or drop --seeds to run a single node");
    }
}

public static class AkkaSetup
{
    public static void Configure(AkkaConfigurationBuilder akka, NodePlan plan, Orchestrator.Trust.ParticipantTrust trust)
    {
        akka.AddHocon(plan.Config, HoconAddMode.Prepend)
            // Akka's own log lines go through Microsoft.Extensions.Logging with the web host's: one format, one
            // place, and the log source (an actor's path, which names the job) as the category.
            .ConfigureLoggers(loggers =>
            {
                loggers.ClearLoggers();
                loggers.AddLoggerFactory();
            })
            .WithClustering()
            .WithOrchestratorSerialization();
        if (plan.Persistence.IsPostgres) akka.WithPostgresPersistence(plan.Persistence.Target);
        else akka.WithSqlitePersistence(plan.Persistence.Target);

        akka.WithProviders(plan.HostsProviders ? plan.Providers : null, plan.Settings, trust)
            .WithJobs(plan.Settings, trust)
            .WithPlanner(plan.Settings)
            .WithJobIndex();

        // No seeds: this node forms a cluster of one.
        if (plan.Seeds.Count == 0) akka.WithClusterOfOne();
    }
}
