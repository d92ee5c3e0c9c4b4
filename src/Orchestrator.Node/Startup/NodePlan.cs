using System.Text;
using Akka.Configuration;
using Orchestrator.Configuration;
using Orchestrator.Hosting;
using Orchestrator.Protocol.Model;

namespace Orchestrator.Node.Startup;

/// <summary>
/// Everything the executable decides before the actor system starts, from its options: the library's options
/// (<see cref="OrchestratorOptions"/>, the same the embedding hosts use), the executable's own actor-system HOCON
/// (hocon/node.conf under the command-line overrides), and the effective configuration both make, which the checks
/// before start read.
/// </summary>
public sealed record NodePlan(
    OrchestratorOptions Orchestrator,
    Config NodeHocon,
    Config Overrides,
    Config Config,
    OrchestratorSettings Settings,
    PersistenceChoice Persistence,
    IReadOnlyList<string> Seeds,
    IReadOnlyList<string> Roles,
    string DataDirectory,
    NodeOptions Options)
{
    /// <summary>hocon/node.conf, embedded in the executable: remoting and membership of its own actor system.</summary>
    public static Config NodeDefaults { get; } = LoadNodeDefaults();

    public bool HostsProviders => Roles.Contains(Config.GetString("orchestrator.roles.providers"));
    public bool HostsJobs => Roles.Contains(Config.GetString("orchestrator.roles.jobs"));
    public IReadOnlyList<ProviderCapability> Providers => Orchestrator.Providers ?? [];

    public static NodePlan Make(NodeOptions options, IConfiguration? hostConfiguration = null)
    {
        var orchestrator = new OrchestratorOptions();
        if (hostConfiguration is not null) orchestrator.Bind(hostConfiguration);
        if (options.ConfigFile is { } extra)
        {
            if (!File.Exists(extra)) throw new StartupException($"--config: file '{extra}' does not exist");
            orchestrator.Hocon = File.ReadAllText(extra);
        }

        if (options.DataDirectory is { } folder && File.Exists(folder))
            throw new StartupException($"--data: '{folder}' is a file; it must be a folder (created if missing)");

        if (options.NodeId is { } id)
        {
            if (global::Orchestrator.Validation.Limits.CheckId(id) is { } bad) throw new StartupException($"--node-id: '{id}' {bad}");
            orchestrator.NodeId = id;
        }
        if (options.DataDirectory is { } data) orchestrator.Persistence.SqliteFile = Path.Combine(data, "orchestrator.db");
        if (options.TlsCertificate is { } certificate) orchestrator.Tls.Certificate = certificate;
        if (options.TlsPassword is { } password) orchestrator.Tls.Password = password;
        if (options.TlsCa is { } ca) orchestrator.Tls.Ca = ca;
        if (options.Postgres is { } pg)
        {
            orchestrator.Persistence.Provider = "postgres";
            orchestrator.Persistence.PostgresConnectionString = pg;
        }

        // Runs' logs and outputs beside the journal, unless the host's configuration or the --config file says where.
        if (options.DataDirectory is { } dataFolder && orchestrator.Execution.Directory is null &&
            (orchestrator.Hocon is null || HoconText.Parse(orchestrator.Hocon, $"--config: '{options.ConfigFile}'")
                .GetString(SettingsCatalog.ExecutionDirectory.Path, "").Length == 0))
            orchestrator.Execution.Directory = Path.GetFullPath(Path.Combine(dataFolder, "allocations"));

        // Composed once: the command line's actor-system options over the orchestrator's configuration over node.conf.
        var overrides = ConfigurationFactory.ParseString(CommandLineHocon(options));
        var config = overrides.WithFallback(OrchestratorConfig.Compose(orchestrator, $"--config: '{options.ConfigFile}'")).WithFallback(NodeDefaults);
        var settings = OrchestratorSettings.FromConfig(config);
        var persistence = PersistenceChoice.From(config);
        var seeds = config.GetStringList("akka.cluster.seed-nodes", []).ToArray();
        var roles = config.GetStringList("akka.cluster.roles", []).ToArray();
        var known = new[] { config.GetString("orchestrator.roles.jobs"), config.GetString("orchestrator.roles.providers") };
        if (roles.FirstOrDefault(r => !known.Contains(r)) is { } unknown)
            throw new StartupException($"--roles: '{unknown}' is not one of {string.Join(", ", known)}");
        RefuseAmbiguousJoining(options, seeds);
        RefuseSharedSqlite(persistence, seeds, config, options.Discovery is not null);
        try
        {
            ClusterTransportTls.RefuseOpenTransport(config);
        }
        catch (ConfigurationException e)
        {
            throw new StartupException("--remote-host: " + e.Message + " (--tls-certificate, --tls-ca and ORCHESTRATOR_TLS_PASSWORD on the command line; deploy/certificates.sh makes them)");
        }

        ClusterTransportTls.Check(config);

        var dataDirectory = Path.GetDirectoryName(Path.GetFullPath(config.GetString("orchestrator.persistence.sqlite.file")))!;
        var plan = new NodePlan(orchestrator, NodeDefaults, overrides, config, settings, persistence, seeds, roles, dataDirectory, options);
        orchestrator.Providers = !plan.HostsProviders ? []
            : options.ProvidersFile is { } file ? ProvidersFile.Load(file)
            : [LocalMachine.Detect(settings.NodeId + "-machine", dataDirectory)];
        return plan;
    }

    private static Config LoadNodeDefaults()
    {
        using var stream = typeof(NodePlan).Assembly.GetManifestResourceStream("Orchestrator.Node.hocon.node.conf")
                           ?? throw new InvalidOperationException("hocon/node.conf is not embedded in the executable");
        using var reader = new StreamReader(stream);
        return ConfigurationFactory.ParseString(reader.ReadToEnd());
    }

    /// <summary>The command line's actor-system options as HOCON, over everything else.</summary>
    private static string CommandLineHocon(NodeOptions o)
    {
        var hocon = new StringBuilder();
        if (o.RemoteHost is { } host) hocon.AppendLine($"akka.remote.dot-netty.tcp.hostname = {HoconText.Quote(host)}");
        if (o.RemotePort is { } port) hocon.AppendLine($"akka.remote.dot-netty.tcp.port = {port}");
        if (o.PublicHost is { } pub) hocon.AppendLine($"akka.remote.dot-netty.tcp.public-hostname = {HoconText.Quote(pub)}");
        if (o.Seeds.Count > 0) hocon.AppendLine($"akka.cluster.seed-nodes = [{string.Join(", ", o.Seeds.Select(HoconText.Quote))}]");
        if (o.Roles.Count > 0) hocon.AppendLine($"akka.cluster.roles = [{string.Join(", ", o.Roles.Distinct().Select(HoconText.Quote))}]");
        return hocon.ToString();
    }

    /// <summary>SQLite allows one writer: several nodes cannot share it, and each with its own file would split the journal.</summary>
    private static void RefuseAmbiguousJoining(NodeOptions options, IReadOnlyList<string> seeds)
    {
        if (options.Discovery is null) return;
        if (seeds.Count > 0)
            throw new StartupException("--discovery: the node finds its cluster by discovery or joins --seeds, not both");
        if (options.Discovery == "config" && options.ContactPoints.Count == 0)
            throw new StartupException("--discovery config: name the other nodes' management endpoints with --contact-points host:port,host:port");
    }

    private static void RefuseSharedSqlite(PersistenceChoice persistence, IReadOnlyList<string> seeds, Config config, bool discovers)
    {
        if (persistence.Provider != "sqlite" || (seeds.Count == 0 && !discovers)) return;
        var host = config.GetString("akka.remote.dot-netty.tcp.public-hostname", "") is { Length: > 0 } pub
            ? pub
            : config.GetString("akka.remote.dot-netty.tcp.hostname");
        var protocol = config.GetBoolean("akka.remote.dot-netty.tcp.enable-ssl") ? "akka.ssl.tcp" : "akka.tcp";
        var self = $"{protocol}://{AkkaSetup.ActorSystemName}@{host}:{config.GetInt("akka.remote.dot-netty.tcp.port")}";
        if (seeds.Count == 1 && seeds[0] == self) return;
        throw new StartupException(
            "a cluster of several nodes needs a shared journal, and SQLite cannot be shared by several writers: " +
            "set a PostgreSQL connection string (--postgres or ORCHESTRATOR_POSTGRES), or drop --seeds to run a single node");
    }
}
