using System.Globalization;
using System.Reflection;
using Akka.Configuration;
using Microsoft.Extensions.Configuration;
using Orchestrator.Configuration;
using Orchestrator.Hosting;
using Orchestrator.Testing;

namespace Orchestrator.Tests.Hosting;

/// <summary>
/// Each setting is declared once, in <see cref="SettingsCatalog"/>; everything else that names it is held to that
/// declaration here: the shipped HOCON's keys and defaults, the typed options (each setting reachable from a host's
/// configuration), and the table in docs/configuration.md. A setting added, renamed or re-defaulted in one place only
/// fails one of these.
/// </summary>
public sealed class SettingsCatalogTests
{
    private const string Begin = "<!-- settings: generated from SettingsCatalog";
    private const string End = "<!-- end of settings -->";

    public static TheoryData<string> Keys() => new(SettingsCatalog.All.Select(s => s.Key));

    [Fact]
    public void The_shipped_HOCON_has_exactly_the_catalogs_settings()
    {
        var shipped = OrchestratorConfig.LeafKeys(OrchestratorConfig.Defaults, "orchestrator").Order().ToArray();
        Assert.Equal(SettingsCatalog.All.Select(s => s.Path).Order(), shipped);
        Assert.Equal(SettingsCatalog.All.Count, SettingsCatalog.All.Select(s => s.Key).Distinct().Count());
    }

    [Theory]
    [MemberData(nameof(Keys))]
    public void The_shipped_default_is_the_catalogs(string key)
    {
        var setting = SettingsCatalog.Of(key);
        Assert.Equal(Text(setting.DefaultValue), Text(setting.Read(OrchestratorConfig.Defaults.GetConfig("orchestrator"))));
    }

    /// <summary>
    /// From a host's configuration (<c>Orchestrator:Execution:LogLimit</c>, as appsettings.json or an environment variable
    /// gives it) through the typed options to the composed configuration, where the setting reads the value given.
    /// </summary>
    [Theory]
    [MemberData(nameof(Keys))]
    public void The_setting_is_reachable_through_the_typed_options_from_a_hosts_configuration(string key)
    {
        var setting = SettingsCatalog.Of(key);
        var (given, expected) = Sample(setting);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(given).Build();
        var options = new OrchestratorOptions().Bind(configuration);

        var composed = OrchestratorConfig.Compose(options).GetConfig("orchestrator");
        Assert.Equal(expected, Text(setting.Read(composed)));
        Assert.NotEqual(Text(setting.DefaultValue), expected);
    }

    [Fact]
    public void Every_option_that_is_not_code_only_sets_a_setting()
    {
        string[] codeOnly = ["Hocon", "Executors", "SettlementProvider", "Providers", "Trust"];
        var options = Leaves(typeof(OrchestratorOptions), "").Where(o => !codeOnly.Contains(o)).Order().ToArray();
        Assert.Equal(SettingsCatalog.All.Select(s => s.Option).Order(), options);
    }

    [Fact]
    public void A_value_out_of_its_bounds_is_refused_naming_the_key_and_the_bounds()
    {
        foreach (var setting in SettingsCatalog.All.Where(s => s.Kind == SettingKind.WholeNumber))
        {
            var error = Assert.Throws<ConfigurationException>(() => setting.Read(ConfigurationFactory.ParseString($"{setting.Key} = {setting.Max + 1}")));
            Assert.Equal($"{setting.Path} must be between {setting.Min} and {setting.Max}, was {setting.Max + 1}", error.Message);
        }

        foreach (var setting in SettingsCatalog.All.Where(s => s.Kind == SettingKind.Choice))
        {
            var error = Assert.Throws<ConfigurationException>(() => setting.Read(ConfigurationFactory.ParseString($"{setting.Key} = sideways")));
            Assert.Equal($"{setting.Path}: 'sideways' is not one of {string.Join(", ", setting.Choices)}", error.Message);
        }
    }

    [Fact]
    public void The_table_of_settings_in_the_docs_is_the_catalogs()
    {
        var file = Path.Combine(Repository.Root, "docs", "configuration.md");
        var page = File.ReadAllText(file);
        var from = page.IndexOf(Begin, StringComparison.Ordinal);
        var to = page.IndexOf(End, StringComparison.Ordinal);
        Assert.True(from >= 0 && to > from, $"docs/configuration.md has no '{Begin} … {End}' block");
        var header = page.IndexOf('\n', from) + 1;
        var expected = SettingsCatalog.MarkdownTable();
        if (page[header..to] == expected) return;
        if (Environment.GetEnvironmentVariable("ORCHESTRATOR_WRITE_DOCS") == "1")
        {
            File.WriteAllText(file, page[..header] + expected + page[to..]);
            return;
        }

        Assert.Fail("docs/configuration.md's table of settings is not the catalog's: run the tests with ORCHESTRATOR_WRITE_DOCS=1 to rewrite it");
    }

    /// <summary>A value other than the default, as a host's configuration gives it, and as the setting then reads it.</summary>
    private static (Dictionary<string, string?> Given, string Expected) Sample(Setting setting)
    {
        var key = "Orchestrator:" + setting.Option.Replace('.', ':');
        switch (setting.Kind)
        {
            case SettingKind.Duration:
                var duration = (TimeSpan)setting.DefaultValue * 3;
                return (new() { [key] = duration.ToString("c", CultureInfo.InvariantCulture) }, Text(duration));
            case SettingKind.WholeNumber:
                return (new() { [key] = setting.Max.ToString(CultureInfo.InvariantCulture) }, setting.Max.ToString(CultureInfo.InvariantCulture));
            case SettingKind.Size:
                var size = (long)setting.DefaultValue * 2;
                return (new() { [key] = size.ToString(CultureInfo.InvariantCulture) }, size.ToString(CultureInfo.InvariantCulture));
            case SettingKind.Choice:
                var choice = setting.Choices.Last(c => c != (string)setting.DefaultValue);
                return (new() { [key] = choice }, choice);
            case SettingKind.TextList:
                return (new() { [key + ":0"] = "first", [key + ":1"] = "second" }, "first, second");
            default:
                return (new() { [key] = "sample-value" }, "sample-value");
        }
    }

    private static string Text(object value) => value switch
    {
        TimeSpan t => ((long)t.TotalMilliseconds).ToString(CultureInfo.InvariantCulture) + " ms",
        string s => s,
        IEnumerable<string> list => string.Join(", ", list),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture)!,
    };

    /// <summary>The settable leaf options, dotted (<c>Execution.Restart.Mode</c>).</summary>
    private static IEnumerable<string> Leaves(Type type, string prefix)
    {
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            var name = prefix + property.Name;
            var t = property.PropertyType;
            if (t.IsClass && t != typeof(string) && !typeof(System.Collections.IEnumerable).IsAssignableFrom(t) && !t.IsInterface && !t.IsAbstract &&
                t.Namespace == typeof(OrchestratorOptions).Namespace)
                foreach (var leaf in Leaves(t, name + ".")) yield return leaf;
            else if (property.CanWrite) yield return name;
        }
    }
}
