namespace Orchestrator.Node.Startup;

/// <summary>
/// Options of <c>orchestrator</c>: <c>--key value</c> on the command line, or the environment variable
/// <c>ORCHESTRATOR_KEY</c> (dashes as underscores), for containers. They override the HOCON files.
/// </summary>
public sealed record NodeOptions
{
    public string Http { get; init; } = "http://127.0.0.1:9999";
    public string? DataDirectory { get; init; }
    public string? ProvidersFile { get; init; }
    public string? ConfigFile { get; init; }
    public string? NodeId { get; init; }
    public string? RemoteHost { get; init; }
    public int? RemotePort { get; init; }
    public string? PublicHost { get; init; }
    public IReadOnlyList<string> Seeds { get; init; } = [];
    public IReadOnlyList<string> Roles { get; init; } = [];
    public string? Postgres { get; init; }
    public string? ApiToken { get; init; }
    public string? ApiTokenFile { get; init; }
    /// <summary>How the node finds the others without seeds: kubernetes (the Kubernetes API) or config (<see cref="ContactPoints"/>).</summary>
    public string? Discovery { get; init; }

    public string DiscoveryService { get; init; } = "orchestrator";
    public IReadOnlyList<string> ContactPoints { get; init; } = [];
    public int RequiredContactPoints { get; init; } = 2;
    public string? TlsCertificate { get; init; }
    public string? TlsPassword { get; init; }
    public string? TlsCa { get; init; }

    /// <summary>"text" (default) or "json": one JSON object per log line, for log shippers.</summary>
    public string LogFormat { get; init; } = "text";

    public static NodeOptions From(IConfiguration config)
    {
        string? Get(string key) =>
            config[key] is { Length: > 0 } value ? value
            : Environment.GetEnvironmentVariable("ORCHESTRATOR_" + key.Replace('-', '_').ToUpperInvariant()) is { Length: > 0 } env ? env
            : null;

        static IReadOnlyList<string> List(string? value) =>
            value?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries) ?? [];

        var port = Get("remote-port");
        static int Number(string option, string? text, int fallback, int min, int max) =>
            text is null ? fallback
            : int.TryParse(text, out var n) && n >= min && n <= max ? n
            : throw new StartupException($"--{option}: '{text}' is not a whole number from {min} to {max}");
        return new NodeOptions
        {
            Http = Urls(Get("http") ?? "http://127.0.0.1:9999"),
            DataDirectory = Get("data"),
            ProvidersFile = Get("providers"),
            ConfigFile = Get("config"),
            NodeId = Get("node-id"),
            RemoteHost = Get("remote-host"),
            RemotePort = port is null ? null
                : int.TryParse(port, out var p) && p is >= 0 and <= 65535 ? p
                : throw new StartupException($"--remote-port: '{port}' is not a port number"),
            PublicHost = Get("public-host"),
            Seeds = List(Get("seeds")).Select(Seed).ToArray(),
            Roles = List(Get("roles")),
            Postgres = Get("postgres") is { } postgres ? ConnectionString(postgres) : null,
            ApiToken = Get("api-token"),
            ApiTokenFile = Get("api-token-file"),
            Discovery = Get("discovery") is { } discovery
                ? discovery is "kubernetes" or "config" ? discovery : throw new StartupException($"--discovery: '{discovery}' is not kubernetes or config")
                : null,
            DiscoveryService = Get("discovery-service") ?? "orchestrator",
            ContactPoints = List(Get("contact-points")).Select(ContactPoint).ToArray(),
            RequiredContactPoints = Number("required-contact-points", Get("required-contact-points"), 2, 1, 100),
            TlsCertificate = Get("tls-certificate"),
            TlsPassword = Get("tls-password"),
            TlsCa = Get("tls-ca"),
            LogFormat = Get("log-format") ?? "text",
        };
    }

    /// <summary>One or more absolute http(s) URLs, separated by semicolons (Kestrel's own syntax).</summary>
    private static string Urls(string value)
    {
        foreach (var url in value.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).DefaultIfEmpty(""))
        {
            var parsed = url.Replace("://*", "://0.0.0.0").Replace("://+", "://0.0.0.0");
            if (!Uri.TryCreate(parsed, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.Host.Length == 0)
                throw new StartupException($"--http: '{url}' is not a URL to listen on, like http://127.0.0.1:9999");
        }

        return value;
    }

    private static string Seed(string value)
    {
        try
        {
            var address = Akka.Actor.Address.Parse(value);
            if (address.Host is null || address.Port is null) throw new UriFormatException("no host or port");
            return value;
        }
        catch (Exception e) when (e is UriFormatException or ArgumentException or FormatException)
        {
            throw new StartupException($"--seeds: '{value}' is not a node address like akka.tcp://orchestrator@node-1:4053");
        }
    }

    private static string ContactPoint(string value)
    {
        var colon = value.LastIndexOf(':');
        return colon > 0 && int.TryParse(value[(colon + 1)..], out var port) && port is > 0 and <= 65535
            ? value
            : throw new StartupException($"--contact-points: '{value}' is not host:port");
    }

    private static string ConnectionString(string value)
    {
        try
        {
            var builder = new Npgsql.NpgsqlConnectionStringBuilder(value);
            if (!string.IsNullOrEmpty(builder.Host)) return value;
        }
        catch (ArgumentException)
        {
            // Reported below, in the user's words.
        }

        throw new StartupException("--postgres: not a PostgreSQL connection string like 'Host=127.0.0.1;Username=postgres;Password=...;Database=orchestrator' " +
                                   "(keywords separated by ';', Host required)");
    }
}
