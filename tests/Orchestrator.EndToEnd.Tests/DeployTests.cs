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
        "ORCHESTRATOR_TLS_CERTIFICATE", "ORCHESTRATOR_TLS_CA", "ORCHESTRATOR_TLS_PASSWORD", "ORCHESTRATOR_DISCOVERY",
        "ORCHESTRATOR_DISCOVERY_SERVICE", "ORCHESTRATOR_CONTACT_POINTS", "ORCHESTRATOR_REQUIRED_CONTACT_POINTS",
    ];

    [Fact]
    public void The_compose_file_runs_three_nodes_on_postgres_over_mutual_TLS_each_with_its_own_data_volume()
    {
        var compose = Load("deploy/docker-compose.yml").Single();
        var services = (YamlMappingNode)compose["services"];
        Assert.Equal(["grafana", "node-1", "node-2", "node-3", "postgres", "prometheus"], services.Children.Keys.Select(k => k.ToString()).Order());
        var env = (YamlMappingNode)((YamlMappingNode)((YamlMappingNode)compose)["x-node"])["environment"];
        Assert.StartsWith("Host=postgres", env["ORCHESTRATOR_POSTGRES"].ToString());
        Assert.Equal("akka.ssl.tcp://orchestrator@node-1:4053", env["ORCHESTRATOR_SEEDS"].ToString());
        Assert.Equal("/certs/ca.pem", env["ORCHESTRATOR_TLS_CA"].ToString());
        var volumes = ((YamlMappingNode)compose["volumes"]).Children.Keys.Select(k => k.ToString()).ToArray();
        foreach (var node in new[] { "node-1", "node-2", "node-3" })
        {
            var service = (YamlMappingNode)services[node];
            Assert.Equal($"/certs/{node}.pfx", ((YamlMappingNode)service["environment"])["ORCHESTRATOR_TLS_CERTIFICATE"].ToString());
            var mounts = ((YamlSequenceNode)service["volumes"]).Children.Select(v => v.ToString()).ToArray();
            Assert.Contains($"{node}-data:/data", mounts);
            Assert.Contains("./certs:/certs:ro", mounts);
            Assert.Contains($"{node}-data", volumes);
        }
    }

    [Fact]
    public void Prometheus_scrapes_every_node_of_the_compose_file_and_grafana_shows_the_dashboard_over_it()
    {
        var compose = Load("deploy/docker-compose.yml").Single();
        var services = (YamlMappingNode)compose["services"];
        var nodes = services.Children.Keys.Select(k => k.ToString()).Where(k => k.StartsWith("node-", StringComparison.Ordinal)).Order().ToArray();
        var http = new Uri(((YamlMappingNode)((YamlMappingNode)compose["x-node"])["environment"])["ORCHESTRATOR_HTTP"].ToString());

        // Every node, at the port its HTTP API listens on, at the path the node serves its metrics.
        var scrape = (YamlMappingNode)((YamlSequenceNode)Load("deploy/prometheus/prometheus.yml").Single()["scrape_configs"]).Children.Single();
        Assert.Equal(Orchestrator.Node.Startup.Metrics.Path, scrape["metrics_path"].ToString());
        var targets = ((YamlSequenceNode)Path(((YamlSequenceNode)scrape["static_configs"]).Children.Single(), "targets")).Children.Select(t => t.ToString());
        Assert.Equal(nodes.Select(n => $"{n}:{http.Port}"), targets.Order());
        var prometheusMounts = ((YamlSequenceNode)Path(services, "prometheus", "volumes")).Children.Select(v => v.ToString()).ToArray();
        Assert.Contains("./prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro", prometheusMounts);

        // Grafana: the data source is that Prometheus, and the dashboard's panels all read it.
        var datasource = (YamlMappingNode)((YamlSequenceNode)Load("deploy/grafana/provisioning/datasources/prometheus.yml").Single()["datasources"]).Children.Single();
        Assert.Equal("http://prometheus:9090", datasource["url"].ToString());
        Assert.Contains("9090:9090", ((YamlSequenceNode)Path(services, "prometheus", "ports")).Children.Select(p => p.ToString()));
        var provider = (YamlMappingNode)((YamlSequenceNode)Load("deploy/grafana/provisioning/dashboards/orchestrator.yml").Single()["providers"]).Children.Single();
        var grafanaMounts = ((YamlSequenceNode)Path(services, "grafana", "volumes")).Children.Select(v => v.ToString()).ToArray();
        Assert.Contains($"./grafana/dashboards:{Path(provider, "options", "path")}:ro", grafanaMounts);
        Assert.Contains("./grafana/provisioning:/etc/grafana/provisioning:ro", grafanaMounts);
        var dashboard = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(System.IO.Path.Combine(Root, "deploy/grafana/dashboards/orchestrator.json")))!;
        var panels = dashboard["panels"]!.AsArray();
        Assert.True(panels.Count >= 7, $"only {panels.Count} panels");
        Assert.All(panels, p => Assert.Equal(datasource["uid"].ToString(), p!["datasource"]!["uid"]!.GetValue<string>()));
        Assert.All(panels, p => Assert.NotEmpty(p!["targets"]!.AsArray()));
    }

    [Fact]
    public void The_kubernetes_manifests_form_the_cluster_by_discovery_keep_each_node_s_identity_and_run_over_TLS()
    {
        var docs = Load("deploy/kubernetes/statefulset.yaml").Concat(Load("deploy/kubernetes/service.yaml"))
            .Concat(Load("deploy/kubernetes/configmap.yaml")).Concat(Load("deploy/kubernetes/rbac.yaml")).ToArray();
        var kinds = docs.Select(d => d["kind"].ToString()).Order().ToArray();
        Assert.Equal(["ConfigMap", "Role", "RoleBinding", "Service", "Service", "ServiceAccount", "StatefulSet"], kinds);

        var set = docs.Single(d => d["kind"].ToString() == "StatefulSet");
        Assert.Equal("3", Path(set, "spec", "replicas").ToString());
        var container = (YamlMappingNode)((YamlSequenceNode)Path(set, "spec", "template", "spec", "containers")).Children[0];
        Assert.Equal("/healthz/ready", Path(container, "readinessProbe", "httpGet", "path").ToString());
        Assert.Equal("/healthz/live", Path(container, "livenessProbe", "httpGet", "path").ToString());
        var headless = docs.Single(d => d["kind"].ToString() == "Service" && Path(d, "metadata", "name").ToString() == "orchestrator");
        Assert.Equal("None", Path(headless, "spec", "clusterIP").ToString());
        Assert.Equal("orchestrator", Path(set, "spec", "serviceName").ToString());

        // Discovery through the Kubernetes API, not seed addresses; the service account may read pods, nothing more.
        var config = (YamlMappingNode)docs.Single(d => d["kind"].ToString() == "ConfigMap")["data"];
        Assert.Equal("kubernetes", config["ORCHESTRATOR_DISCOVERY"].ToString());
        Assert.DoesNotContain(config.Children.Keys, k => k.ToString() == "ORCHESTRATOR_SEEDS");
        Assert.DoesNotContain("ORCHESTRATOR_SEEDS", File.ReadAllText(System.IO.Path.Combine(Root, "deploy/kubernetes/statefulset.yaml")));
        Assert.Equal("orchestrator", Path(set, "spec", "template", "spec", "serviceAccountName").ToString());
        var rule = (YamlMappingNode)((YamlSequenceNode)docs.Single(d => d["kind"].ToString() == "Role")["rules"]).Children.Single();
        Assert.Equal(["pods"], ((YamlSequenceNode)rule["resources"]).Children.Select(c => c.ToString()));
        Assert.Equal(["get", "list", "watch"], ((YamlSequenceNode)rule["verbs"]).Children.Select(c => c.ToString()).Order());
        var ports = ((YamlSequenceNode)container["ports"]).Children.Select(p => Path(p, "name").ToString()).ToArray();
        Assert.Contains("remoting", ports); // the port discovery looks for
        var labels = (YamlMappingNode)Path(set, "spec", "template", "metadata", "labels");
        Assert.Equal("orchestrator", labels["app.kubernetes.io/name"].ToString()); // the label discovery selects

        // The node key (the data folder) on a persistent volume per pod.
        var claim = (YamlMappingNode)((YamlSequenceNode)Path(set, "spec", "volumeClaimTemplates")).Children.Single();
        Assert.Equal("data", Path(claim, "metadata", "name").ToString());
        var mounts = ((YamlSequenceNode)container["volumeMounts"]).Children.Cast<YamlMappingNode>().ToArray();
        Assert.Contains(mounts, m => m["name"].ToString() == "data" && m["mountPath"].ToString() == "/data");

        // Mutual TLS from a secret: the CA for all, a certificate per pod.
        Assert.Equal("/etc/orchestrator/tls/ca.pem", config["ORCHESTRATOR_TLS_CA"].ToString());
        var env = ((YamlSequenceNode)container["env"]).Children.Cast<YamlMappingNode>().ToDictionary(e => e["name"].ToString());
        Assert.Equal("/etc/orchestrator/tls/$(POD_NAME).pfx", env["ORCHESTRATOR_TLS_CERTIFICATE"]["value"].ToString());
        Assert.Equal("orchestrator-tls", Path(env["ORCHESTRATOR_TLS_PASSWORD"], "valueFrom", "secretKeyRef", "name").ToString());
        Assert.Contains(mounts, m => m["name"].ToString() == "tls" && m["mountPath"].ToString() == "/etc/orchestrator/tls");
    }

    [Fact]
    public void The_dockerfile_keeps_the_data_folder_on_a_volume()
    {
        var dockerfile = File.ReadAllText(System.IO.Path.Combine(Root, "deploy/Dockerfile"));
        Assert.Contains("ORCHESTRATOR_DATA=/data", dockerfile);
        Assert.Contains("VOLUME /data", dockerfile);
    }

    [Fact]
    public void Every_variable_the_deployment_files_set_is_one_the_node_reads()
    {
        var files = new[] { "deploy/Dockerfile", "deploy/docker-compose.yml", "deploy/kubernetes/statefulset.yaml", "deploy/kubernetes/configmap.yaml",
            "deploy/kubernetes/rbac.yaml", "deploy/certificates.sh" };
        var used = files.SelectMany(f => Variable().Matches(File.ReadAllText(System.IO.Path.Combine(Root, f))).Select(m => m.Value)).Distinct().ToArray();
        Assert.NotEmpty(used);
        Assert.All(used, v => Assert.Contains(v, KnownVariables));
        var documented = File.ReadAllText(System.IO.Path.Combine(Root, "docs/configuration.md"));
        Assert.All(KnownVariables, v => Assert.Contains(v, documented));
    }

    [Fact]
    public void The_container_runs_the_command_the_README_documents()
    {
        var dockerfile = File.ReadAllText(System.IO.Path.Combine(Root, "deploy/Dockerfile"));
        var entrypoint = EntryPoint().Match(dockerfile);
        Assert.True(entrypoint.Success, "the Dockerfile has no ENTRYPOINT");
        var command = string.Join(" ", Regex.Matches(entrypoint.Groups[1].Value, "\"([^\"]+)\"").Select(m => m.Groups[1].Value));
        Assert.Equal("dotnet orchestrator.dll", command);
        Assert.Contains($"`{command}`", File.ReadAllText(System.IO.Path.Combine(Root, "docs/cluster-and-deployment.md")));
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
