using System.Text.RegularExpressions;
using Orchestrator.EndToEnd.Tests.Infrastructure;
using YamlDotNet.RepresentationModel;

namespace Orchestrator.EndToEnd.Tests;

/// <summary>
/// No container engine runs here, so the deployment files are checked for what can be checked: they parse, they
/// say what the README says, and the environment variables they set are ones the node reads — shown by a node
/// configured through the environment alone.
/// </summary>
public partial class DeployTests
{
    private static readonly string Root = Repository.Root;

    private static readonly string[] KnownVariables =
    [
        "ORCHESTRATOR_HTTP", "ORCHESTRATOR_DATA", "ORCHESTRATOR_PROVIDERS", "ORCHESTRATOR_CONFIG", "ORCHESTRATOR_NODE_ID",
        "ORCHESTRATOR_REMOTE_HOST", "ORCHESTRATOR_REMOTE_PORT", "ORCHESTRATOR_PUBLIC_HOST", "ORCHESTRATOR_SEEDS",
        "ORCHESTRATOR_ROLES", "ORCHESTRATOR_POSTGRES", "ORCHESTRATOR_API_TOKEN", "ORCHESTRATOR_API_TOKEN_FILE",
        "ORCHESTRATOR_TLS_CERTIFICATE", "ORCHESTRATOR_TLS_CA", "ORCHESTRATOR_TLS_PASSWORD",
    ];

    [Fact]
    public void The_compose_file_runs_three_nodes_on_postgres_seeded_by_node_1()
    {
        var compose = Load("deploy/docker-compose.yml").Single();
        var services = (YamlMappingNode)compose["services"];
        Assert.Equal(["node-1", "node-2", "node-3", "postgres"], services.Children.Keys.Select(k => k.ToString()).Order());
        var env = (YamlMappingNode)((YamlMappingNode)((YamlMappingNode)compose)["x-node"])["environment"];
        Assert.StartsWith("Host=postgres", env["ORCHESTRATOR_POSTGRES"].ToString());
        Assert.Equal("akka.tcp://orchestrator@node-1:4053", env["ORCHESTRATOR_SEEDS"].ToString());
    }

    [Fact]
    public void The_kubernetes_manifests_are_a_statefulset_with_probes_a_headless_service_and_a_configmap()
    {
        var docs = Load("deploy/kubernetes/statefulset.yaml").Concat(Load("deploy/kubernetes/service.yaml"))
            .Concat(Load("deploy/kubernetes/configmap.yaml")).ToArray();
        var kinds = docs.Select(d => d["kind"].ToString()).Order().ToArray();
        Assert.Equal(["ConfigMap", "Service", "Service", "StatefulSet"], kinds);

        var set = docs.Single(d => d["kind"].ToString() == "StatefulSet");
        Assert.Equal("3", Path(set, "spec", "replicas").ToString());
        var container = (YamlMappingNode)((YamlSequenceNode)Path(set, "spec", "template", "spec", "containers")).Children[0];
        Assert.Equal("/healthz/ready", Path(container, "readinessProbe", "httpGet", "path").ToString());
        Assert.Equal("/healthz/live", Path(container, "livenessProbe", "httpGet", "path").ToString());

        var headless = docs.Single(d => d["kind"].ToString() == "Service" && Path(d, "metadata", "name").ToString() == "orchestrator");
        Assert.Equal("None", Path(headless, "spec", "clusterIP").ToString());
        Assert.Equal("orchestrator", Path(set, "spec", "serviceName").ToString());
    }

    [Fact]
    public void Every_variable_the_deployment_files_set_is_one_the_node_reads()
    {
        var files = new[] { "deploy/Dockerfile", "deploy/docker-compose.yml", "deploy/kubernetes/statefulset.yaml", "deploy/kubernetes/configmap.yaml" };
        var used = files.SelectMany(f => Variable().Matches(File.ReadAllText(System.IO.Path.Combine(Root, f))).Select(m => m.Value)).Distinct().ToArray();
        Assert.NotEmpty(used);
        Assert.All(used, v => Assert.Contains(v, KnownVariables));
        var readme = File.ReadAllText(System.IO.Path.Combine(Root, "README.md"));
        Assert.All(KnownVariables, v => Assert.Contains(v, readme));
    }

    [Fact]
    public void The_container_runs_the_command_the_README_documents()
    {
        var dockerfile = File.ReadAllText(System.IO.Path.Combine(Root, "deploy/Dockerfile"));
        var entrypoint = EntryPoint().Match(dockerfile);
        Assert.True(entrypoint.Success, "the Dockerfile has no ENTRYPOINT");
        var command = string.Join(" ", Regex.Matches(entrypoint.Groups[1].Value, "\"([^\"]+)\"").Select(m => m.Groups[1].Value));
        Assert.Equal("dotnet orchestrator.dll", command);
        Assert.Contains($"`{command}`", File.ReadAllText(System.IO.Path.Combine(Root, "README.md")));
    }

    [Fact]
    public async Task A_node_configured_only_through_environment_variables_uses_them()
    {
        using var setup = NodeSetup.Create("""
            [{"id":"cp-env","resources":{"cpuCores":4,"ramMb":4096,"diskGb":50},"executors":["docker"],"pricePerHour":1.0}]
            """, hocon: "orchestrator.defaultSearchTimeout = 2s", nodeId: "node-from-env", viaEnvironment: true);
        await using var node = await NodeProcess.StartAsync(setup);

        var job = await node.Http.AwaitTerminalAsync(await node.Http.PostJobOkAsync("""{"requirements":{"resources":{"cpuCores":1,"ramMb":256,"diskGb":1}}}"""));
        Assert.Equal("node-from-env", job["contract"]!["requesterNodeId"]!.GetValue<string>());
        Assert.Equal("cp-env", job["contract"]!["providerId"]!.GetValue<string>());
        Assert.True(File.Exists(System.IO.Path.Combine(setup.DataDirectory, "data", "orchestrator.db")));
        Assert.Contains("node node-from-env", node.Output);
    }

    private static IEnumerable<YamlMappingNode> Load(string relative)
    {
        var stream = new YamlStream();
        using var reader = new StreamReader(System.IO.Path.Combine(Root, relative));
        stream.Load(reader);
        return stream.Documents.Select(d => (YamlMappingNode)d.RootNode);
    }

    private static YamlNode Path(YamlNode node, params string[] keys) =>
        keys.Aggregate(node, (current, key) => ((YamlMappingNode)current)[key]);

    [GeneratedRegex(@"ORCHESTRATOR_[A-Z_]+")]
    private static partial Regex Variable();

    [GeneratedRegex(@"ENTRYPOINT\s*\[(.*)\]")]
    private static partial Regex EntryPoint();
}
