using System.Text.RegularExpressions;
using Akka.Configuration;
using Akka.Hosting;
using Microsoft.Extensions.Configuration;
using Orchestrator.Hosting;
using Orchestrator.Protocol.Model;

namespace Orchestrator.Tests.Hosting;

/// <summary>
/// What an embedding host gets: every default the README documents, from inside the library (no files), and one
/// precedence — options set in code over the host's configuration (appsettings, environment) over HOCON over defaults.
/// </summary>
public sealed partial class ConfigurationTests
{
    [Fact]
    public async Task A_host_with_no_files_gets_every_default_the_README_documents()
    {
        await using var host = await EmbeddedHost.StartAsync(new OrchestratorOptions());
        var config = host.System.Settings.Config;

        var documented = DocumentedDefaults();
        Assert.True(documented.Count >= 20, $"the configuration page's table lists only {documented.Count} defaults");
        foreach (var (key, value) in documented)
        {
            // The host under test keeps its journal in a folder of its own, not in the build output: that default is
            // checked on the library's defaults instead.
            if (key == "orchestrator.persistence.sqlite.file")
            {
                Assert.Equal(value, OrchestratorConfig.Defaults.GetString(key));
                continue;
            }

            var actual = value == "[]" ? (config.GetStringList(key).Count == 0 ? "[]" : string.Join(",", config.GetStringList(key))) : config.GetString(key);
            Assert.True(value == actual, $"{key}: docs/configuration.md says {value}, the running host has {actual}");
        }

        Assert.Equal(TimeSpan.FromSeconds(5), host.Node.Settings.DefaultSearchTimeout);
        Assert.Equal(OrchestrationType.Pull, host.Node.Settings.DefaultOrchestrationType);
        Assert.True(host.Node.Trust.TrustsClusterMembers);
    }

    [Fact]
    public void The_settings_record_s_own_defaults_are_the_embedded_ones()
    {
        // The record's initial values serve the actor tests, which build settings in code: they must not drift from
        // hocon/orchestrator.conf, the one place each default is written.
        var fromHocon = Orchestrator.Configuration.OrchestratorSettings.FromConfig(OrchestratorConfig.Defaults);
        Assert.Equal(new Orchestrator.Configuration.OrchestratorSettings() with { NodeId = fromHocon.NodeId, ApprovedIds = fromHocon.ApprovedIds }, fromHocon);
    }

    [Fact]
    public async Task Code_overrides_appsettings_and_environment_which_override_the_defaults()
    {
        var folder = Directory.CreateTempSubdirectory("appsettings-").FullName;
        var appsettings = Path.Combine(folder, "appsettings.json");
        await File.WriteAllTextAsync(appsettings, """
            {"Orchestrator": {"DefaultSearchTimeout": "00:00:03", "ContractTimeout": "00:00:04", "NodeId": "from-appsettings",
                              "Roles": {"Jobs": "dms-jobs"}}}
            """);
        const string variable = "Orchestrator__JobRequestTimeout";
        Environment.SetEnvironmentVariable(variable, "00:00:07");
        try
        {
            var configuration = new ConfigurationBuilder().AddJsonFile(appsettings).AddEnvironmentVariables().Build();
            var options = new OrchestratorOptions().Bind(configuration);
            options.ContractTimeout = TimeSpan.FromSeconds(6); // code over appsettings
            options.Hocon = "orchestrator.lockLease = 40s\norchestrator.defaultSearchTimeout = 9s"; // HOCON under both

            await using var host = await EmbeddedHost.StartAsync(options, roles: ["dms-jobs", "providers"]);
            var settings = host.Node.Settings;
            Assert.Equal(TimeSpan.FromSeconds(3), settings.DefaultSearchTimeout); // appsettings over HOCON
            Assert.Equal(TimeSpan.FromSeconds(7), settings.JobRequestTimeout); // environment
            Assert.Equal(TimeSpan.FromSeconds(6), settings.ContractTimeout); // code
            Assert.Equal(TimeSpan.FromSeconds(40), settings.LockLease); // HOCON over the default
            Assert.Equal(TimeSpan.FromMinutes(2), settings.JobDeadline); // the default
            Assert.Equal("from-appsettings", settings.NodeId);
            // The split-brain resolver counts the members that host jobs, by the host's name for that role.
            Assert.Equal("dms-jobs", host.System.Settings.Config.GetString("akka.cluster.split-brain-resolver.role"));
            Assert.Equal("dms-jobs", host.Node.JobsRole);
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task An_akka_setting_the_host_adds_after_the_orchestrator_wins()
    {
        await using var host = await EmbeddedHost.StartAsync(new OrchestratorOptions(),
            after: akka => akka.AddHocon("akka.cluster.split-brain-resolver.stable-after = 12s", Akka.Hosting.HoconAddMode.Prepend));
        Assert.Equal(TimeSpan.FromSeconds(12), host.System.Settings.Config.GetTimeSpan("akka.cluster.split-brain-resolver.stable-after"));
    }

    [Theory]
    [InlineData("""{"Orchestrator": {"DefaultSearchTimeout": "banana"}}""", "Orchestrator:DefaultSearchTimeout")]
    [InlineData("""{"Orchestrator": {"DefaultSearchTimout": "00:00:03"}}""", "DefaultSearchTimout")]
    [InlineData("""{"Orchestrator": {"DefaultOrchestrationType": "sideways"}}""", "Orchestrator:DefaultOrchestrationType")]
    [InlineData("""{"Orchestrator": {"MaxBidRequests": "many"}}""", "Orchestrator:MaxBidRequests")]
    [InlineData("""{"Orchestrator": {"DefaultSerchTimeout": "00:00:03"}}""",
        "Orchestrator:DefaultSerchTimeout: no such setting; did you mean Orchestrator:DefaultSearchTimeout? (as an environment variable: Orchestrator__DefaultSearchTimeout)")]
    [InlineData("""{"Orchestrator": {"Persistence": {"Provder": "postgres"}}}""",
        "Orchestrator:Persistence:Provder: no such setting; did you mean Orchestrator:Persistence:Provider?")]
    public void Bad_host_configuration_is_refused_naming_the_key(string json, string named)
    {
        var configuration = new ConfigurationBuilder().AddJsonStream(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(json))).Build();
        var error = Assert.Throws<ConfigurationException>(() => new OrchestratorOptions().Bind(configuration));
        Assert.Contains(named, error.Message);
    }

    [Theory]
    [InlineData("-00:00:01", "orchestrator.defaultSearchTimeout must be positive")]
    [InlineData("00:05:00", "orchestrator.jobDeadline must be longer than")]
    public void Bad_values_stop_the_host_naming_the_key(string searchTimeout, string saying)
    {
        var options = new OrchestratorOptions { DefaultSearchTimeout = TimeSpan.Parse(searchTimeout) };
        var error = Assert.Throws<ConfigurationException>(() => OrchestratorConfigurationCheck(options));
        Assert.Contains(saying, error.Message);
    }

    [Fact]
    public void Bad_persistence_and_tls_settings_are_refused_naming_the_key()
    {
        var error = Assert.Throws<ConfigurationException>(() =>
            OrchestratorConfigurationCheck(new OrchestratorOptions { Persistence = new PersistenceOptions { Provider = "mongodb" } }));
        Assert.Contains("orchestrator.persistence.provider: 'mongodb' is not one of sqlite, postgres, host", error.Message);

        error = Assert.Throws<ConfigurationException>(() =>
            OrchestratorConfigurationCheck(new OrchestratorOptions { Tls = new TlsOptions { Certificate = "/nonexistent/node.pfx" } }));
        Assert.Contains("orchestrator.tls.certificate: file '/nonexistent/node.pfx' does not exist", error.Message);
    }

    [Fact]
    public async Task A_host_whose_transport_other_machines_can_reach_does_not_start_without_TLS()
    {
        var error = await Assert.ThrowsAsync<ConfigurationException>(() => EmbeddedHost.StartAsync(new OrchestratorOptions(),
            after: akka => akka.AddHocon("akka.remote.dot-netty.tcp.hostname = \"0.0.0.0\"", HoconAddMode.Prepend)));
        Assert.Contains("akka.remote.dot-netty.tcp.hostname", error.Message);
        Assert.Contains("without TLS", error.Message);
        Assert.Contains("orchestrator.tls.certificate", error.Message);
    }

    /// <summary>What WithOrchestrator checks when it is called, without starting anything.</summary>
    private static void OrchestratorConfigurationCheck(OrchestratorOptions options)
    {
        var builder = new Akka.Hosting.AkkaConfigurationBuilder(new Microsoft.Extensions.DependencyInjection.ServiceCollection(), "check");
        builder.WithOrchestrator(options);
    }

    /// <summary>The configuration page's table (docs/configuration.md): every row whose key and default are both literal.</summary>
    private static List<(string Key, string Default)> DocumentedDefaults()
    {
        var readme = Repository.Read("docs/configuration.md");
        return Row().Matches(readme).Select(m => (m.Groups["key"].Value, m.Groups["value"].Value.Trim('"'))).ToList();
    }


    // Not the rows of the every-key table (their third cell names the file: ConfigurationPageTests checks those).
    [GeneratedRegex(@"^\| `(?<key>(orchestrator|akka)\.[A-Za-z0-9.\-]+)` \| `(?<value>[^`]*)` \|(?! `hocon/)", RegexOptions.Multiline)]
    private static partial Regex Row();
}
