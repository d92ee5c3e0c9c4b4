using Akka.Hosting;
using Orchestrator.Node.Api;
using Orchestrator.Node.Startup;

var builder = WebApplication.CreateBuilder(args);
var options = NodeOptions.From(builder.Configuration);
NodePlan plan;
try
{
    plan = NodePlan.Make(options);
}
catch (Exception e) when (e is StartupException or Akka.Configuration.ConfigurationException)
{
    Console.Error.WriteLine("orchestrator: " + e.Message);
    return 2;
}

builder.WebHost.UseUrls(options.Http);
builder.Services.ConfigureHttpJsonOptions(json => ApiJson.Configure(json.SerializerOptions));
builder.Services.AddProblemDetails();
builder.Services.AddAkka("orchestrator", akka => AkkaSetup.Configure(akka, options, plan));

var app = builder.Build();
app.UseExceptionHandler();
app.UseStatusCodePages();
app.MapJobEndpoints();
app.MapProviderEndpoints();
app.MapHealthEndpoints();

app.Logger.LogInformation("node {NodeId}: {Count} provider(s) onboarded, data in {Data}, HTTP on {Http}",
    plan.Settings.NodeId, plan.Providers.Count, Path.GetFullPath(options.DataDirectory), options.Http);
await app.RunAsync();
return 0;
