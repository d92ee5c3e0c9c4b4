using Akka.Hosting;
using Orchestrator.Api;
using Orchestrator.Node.Api;
using Orchestrator.Trust;

namespace Orchestrator.Node.Startup;

/// <summary>
/// The executable as a host of the library: it decides everything before starting (and refuses to start, naming the
/// setting, when something is wrong), then adds the orchestrator and its API to its web app by the same two calls
/// an embedding DMS makes.
/// </summary>
public sealed class NodeHost
{
    private readonly NodeOptions _options;
    private readonly NodePlan _plan;
    private readonly ApiAccess _access;
    private readonly NodeTrust _trust;
    private readonly KeyPair _nodeKey;
    private readonly RecentLogs _recentLogs = new();

    private NodeHost(NodeOptions options, NodePlan plan, ApiAccess access, NodeTrust trust, KeyPair nodeKey)
    {
        _options = options;
        _plan = plan;
        _access = access;
        _trust = trust;
        _nodeKey = nodeKey;
    }

    /// <summary>Reads and checks the node's options and adds its services; null (after saying why) when it must not start.</summary>
    public static NodeHost? Prepare(WebApplicationBuilder builder)
    {
        NodeHost node;
        try
        {
            var options = NodeOptions.From(builder.Configuration);
            if (options.LogFormat is not ("text" or "json"))
                throw new StartupException($"--log-format: '{options.LogFormat}' is not text or json");
            var access = ApiAccess.From(options);
            var plan = NodePlan.Make(options, builder.Configuration);
            // The node's identity: created on first start, kept with its data (see `orchestrator identity show`).
            var nodeKey = KeyPair.LoadOrCreate(Path.Combine(plan.DataDirectory, Cli.IdentityCommands.NodeKeyFile));
            var trust = NodeTrust.From(plan.Config, plan, nodeKey, DateTimeOffset.UtcNow);
            if (trust is { Store: { } store, Credential: { } own }) plan.Orchestrator.Trust = ParticipantTrust.Signed(nodeKey, own, store);
            node = new NodeHost(options, plan, access, trust, nodeKey);
        }
        catch (Exception e) when (e is StartupException or Akka.Configuration.ConfigurationException or TrustException)
        {
            Console.Error.WriteLine("orchestrator: " + e.Message);
            return null;
        }

        // ASP.NET Core's line per request (twice, at information) drowns the node's own lines: warnings only, by default.
        // The lowest-precedence source, so appsettings.json or Logging__LogLevel__Microsoft.AspNetCore=Information wins.
        builder.Configuration.Sources.Insert(0, new Microsoft.Extensions.Configuration.Memory.MemoryConfigurationSource
        {
            InitialData = new Dictionary<string, string?> { ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning" },
        });

        // A start that fails is reported in one line (RunAsync); the host's own report of it is a stack trace.
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical);
        if (node._options.LogFormat == "json")
        {
            builder.Logging.ClearProviders();
            builder.Logging.AddJsonConsole();
        }

        // The recent lines in memory too, for `orchestrator log tail` (GET /ops/logs).
        builder.Logging.AddProvider(node._recentLogs);

        builder.WebHost.UseUrls(node._options.Http);
        builder.WebHost.ConfigureKestrel(RequestLimits.RaiseKestrelLimits);
        builder.Services.AddOrchestratorApi();
        builder.Services.AddOrchestratorMetrics();
        builder.Services.DocumentBearerToken();
        builder.Services.AddAkka(AkkaSetup.ActorSystemName, akka => AkkaSetup.Configure(akka, node._plan));
        return node;
    }

    /// <summary>
    /// Serves until stopped: 0. A node that cannot start (a port taken, the transport's address unusable) says why in
    /// one line and returns 2, as for any other setting it cannot use.
    /// </summary>
    public async Task<int> RunAsync(WebApplication app)
    {
        Map(app);
        try
        {
            await app.StartAsync();
        }
        catch (Exception e)
        {
            Console.Error.WriteLine("orchestrator: " + StartFailure(e));
            return 2;
        }

        await app.WaitForShutdownAsync();
        return 0;
    }

    private string StartFailure(Exception e)
    {
        var inner = e;
        while (inner.InnerException is not null && inner is not (IOException or System.Net.Sockets.SocketException)) inner = inner.InnerException;
        var text = inner.Message;
        if (text.Contains("address already in use", StringComparison.OrdinalIgnoreCase) || inner is System.Net.Sockets.SocketException { SocketErrorCode: System.Net.Sockets.SocketError.AddressAlreadyInUse })
            return e.ToString().Contains("Akka.Remote", StringComparison.Ordinal) || e.ToString().Contains("DotNetty", StringComparison.Ordinal)
                ? $"--remote-port: {_plan.Config.GetString("akka.remote.dot-netty.tcp.hostname")}:{_plan.Config.GetInt("akka.remote.dot-netty.tcp.port")} is in use by another program"
                : $"--http: {_options.Http} is in use by another program (choose another port with --http)";
        return "the node could not start: " + text;
    }

    /// <summary>The API behind the token (when one is set), the OpenAPI document and the metrics.</summary>
    private WebApplication Map(WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseRequestLimits();
        app.UseBearerToken(_access);
        app.UseNoQueryOn(Metrics.Path);
        app.MapOrchestrator();
        app.MapLogEndpoints(_recentLogs);
        app.MapOpenApi();
        app.MapPrometheusScrapingEndpoint(Metrics.Path);
        LogStart(app.Logger);
        WatchOwnCredential(app);
        app.Lifetime.ApplicationStopped.Register(_nodeKey.Dispose);
        return app;
    }

    /// <summary>
    /// Says so in the log when this node's own credential is revoked, expires, or will expire within a week — every
    /// counterparty would refuse it then, and readiness reports it — and again when it stands once more.
    /// </summary>
    private void WatchOwnCredential(WebApplication app)
    {
        if (_plan.Orchestrator.Trust is not { IsSigned: true } trust) return;
        var stopping = app.Lifetime.ApplicationStopping;
        _ = Task.Run(async () =>
        {
            string? said = null;
            while (!stopping.IsCancellationRequested)
            {
                var now = DateTimeOffset.UtcNow;
                var standing = trust.OwnStanding(now);
                var state = standing switch
                {
                    { Verdict.IsTrusted: false } s => $"this node's credential is no longer trusted: {s.Verdict}",
                    { ExpiresAt: var expires } when expires - now < TimeSpan.FromDays(7) => $"this node's credential expires at {expires:O}: ask the authority for a new one",
                    _ => "",
                };
                if (state != said)
                {
                    if (state.Length > 0) app.Logger.LogWarning("node {NodeId}: {State}", _plan.Settings.NodeId, state);
                    else if (said is not null) app.Logger.LogInformation("node {NodeId}: its credential is trusted again", _plan.Settings.NodeId);
                    said = state;
                }

                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(10), stopping);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        });
    }

    private void LogStart(ILogger log)
    {
        var plan = _plan;
        log.LogInformation("node {NodeId} (key {KeyId}): roles {Roles}, {Count} provider(s) onboarded, journal on {Store}, HTTP on {Http}{Token}",
            plan.Settings.NodeId, _nodeKey.Id[..16], string.Join(",", plan.Roles), plan.Providers.Count,
            plan.Persistence.IsPostgres ? "PostgreSQL" : "SQLite " + Path.GetFullPath(plan.Persistence.Target), _options.Http,
            _access.RequiresToken ? " (changes need the API token)" : "");
        if (_trust.Credential is { } credential)
            log.LogInformation("node {NodeId}: approved by authority {Authority} (credential {Serial}) until {Expires:O}",
                plan.Settings.NodeId, credential.AuthorityKeyId[..16], credential.Serial, credential.ExpiresAt);
        else
            log.LogWarning("node {NodeId}: no network authority configured (orchestrator.trust): counterparties are approved {How}, " +
                           "and bids and contracts are not signed", plan.Settings.NodeId,
                plan.Settings.ApprovedIds.Count > 0 ? "by id (orchestrator.approvedIds)" : "by membership of this cluster");
    }
}
