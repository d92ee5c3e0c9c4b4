using Akka.Hosting;
using Orchestrator.Api;
using Orchestrator.Node.Api;
using Orchestrator.Node.Startup;

if (Orchestrator.Node.Cli.CommandLine.IsCommand(args)) return Orchestrator.Node.Cli.CommandLine.Run(args);

var builder = WebApplication.CreateBuilder(args);
var options = NodeOptions.From(builder.Configuration);
NodePlan plan;
ApiAccess access;
NodeTrust trust;
Orchestrator.Trust.KeyPair nodeKey;
try
{
    access = ApiAccess.From(options);
    plan = NodePlan.Make(options, builder.Configuration);
    // The node's identity: created on first start, kept with its data (see `orchestrator identity show`).
    nodeKey = Orchestrator.Trust.KeyPair.LoadOrCreate(Path.Combine(plan.DataDirectory, Orchestrator.Node.Cli.IdentityCommands.NodeKeyFile));
    trust = NodeTrust.From(plan.Config, plan, nodeKey, DateTimeOffset.UtcNow);
}
catch (Exception e) when (e is StartupException or Akka.Configuration.ConfigurationException or Orchestrator.Trust.TrustException)
{
    Console.Error.WriteLine("orchestrator: " + e.Message);
    return 2;
}

if (options.LogFormat is not ("text" or "json"))
{
    Console.Error.WriteLine($"orchestrator: --log-format: '{options.LogFormat}' is not text or json");
    return 2;
}

if (options.LogFormat == "json")
{
    builder.Logging.ClearProviders();
    builder.Logging.AddJsonConsole();
}

builder.WebHost.UseUrls(options.Http);
builder.Services.AddOrchestratorApi();
builder.Services.AddOrchestratorMetrics();
if (trust is { Store: { } store, Credential: { } own })
    plan.Orchestrator.Trust = Orchestrator.Trust.ParticipantTrust.Signed(nodeKey, own, store);
builder.Services.AddAkka(AkkaSetup.ActorSystemName, akka => AkkaSetup.Configure(akka, plan));

var app = builder.Build();
app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseBearerToken(access);
app.MapOrchestrator();
app.MapOpenApi();
app.MapPrometheusScrapingEndpoint(Metrics.Path);

app.Logger.LogInformation("node {NodeId} (key {KeyId}): roles {Roles}, {Count} provider(s) onboarded, journal on {Store}, HTTP on {Http}{Token}",
    plan.Settings.NodeId, nodeKey.Id[..16], string.Join(",", plan.Roles), plan.Providers.Count,
    plan.Persistence.IsPostgres ? "PostgreSQL" : "SQLite " + Path.GetFullPath(plan.Persistence.Target), options.Http,
    access.RequiresToken ? " (changes need the API token)" : "");
if (trust.Credential is { } credential)
    app.Logger.LogInformation("node {NodeId}: approved by authority {Authority} (credential {Serial}) until {Expires:O}",
        plan.Settings.NodeId, credential.AuthorityKeyId[..16], credential.Serial, credential.ExpiresAt);
else
    app.Logger.LogWarning("node {NodeId}: no network authority configured (orchestrator.trust): counterparties are approved {How}, " +
                          "and bids and contracts are not signed", plan.Settings.NodeId,
        plan.Settings.ApprovedIds.Count > 0 ? "by id (orchestrator.approvedIds)" : "by membership of this cluster");
await app.RunAsync();
nodeKey.Dispose();
return 0;
