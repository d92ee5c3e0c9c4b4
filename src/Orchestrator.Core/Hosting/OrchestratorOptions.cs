using System.Text;
using Microsoft.Extensions.Configuration;
using Orchestrator.Protocol.Model;
using Orchestrator.Trust;

namespace Orchestrator.Hosting;

/// <summary>
/// What a host sets for the orchestrator it embeds. Every setting is optional: what is left unset comes from the
/// host's configuration (<see cref="Bind"/>: an <c>Orchestrator</c> section of appsettings.json, or environment
/// variables such as <c>Orchestrator__DefaultSearchTimeout=00:00:03</c>), then from <see cref="Hocon"/>, then from
/// the defaults that ship inside the library (hocon/*.conf, where each is documented). Set in code after binding,
/// a value overrides the host's configuration: code &gt; host configuration &gt; HOCON &gt; defaults.
/// </summary>
public sealed class OrchestratorOptions
{
    public const string SectionName = "Orchestrator";

    /// <summary>This node's id as a service provider (orchestrator.nodeId); the machine's host name when empty.</summary>
    public string? NodeId { get; set; }

    public OrchestrationType? DefaultOrchestrationType { get; set; }
    public TimeSpan? DefaultSearchTimeout { get; set; }
    public TimeSpan? JobRequestTimeout { get; set; }
    public TimeSpan? ContractTimeout { get; set; }
    public TimeSpan? LockLease { get; set; }

    /// <summary>When a provider asks the job about a contract it committed and the job has not confirmed (orchestrator.contractConfirmAfter).</summary>
    public TimeSpan? ContractConfirmAfter { get; set; }

    public TimeSpan? JobDeadline { get; set; }
    public TimeSpan? DefaultJobDuration { get; set; }
    public TimeSpan? TerminalJobIdle { get; set; }
    public TimeSpan? SearchRetryMinBackoff { get; set; }
    public TimeSpan? SearchRetryMaxBackoff { get; set; }

    /// <summary>score, lowest-price or earliest-bid (orchestrator.defaultSelection).</summary>
    public string? DefaultSelection { get; set; }

    public int? MaxBidRequests { get; set; }

    /// <summary>How many finished jobs each node's listing keeps in memory (orchestrator.listedFinishedJobs).</summary>
    public int? ListedFinishedJobs { get; set; }

    /// <summary>How many jobs each provider's EligibleComputeProvidersData keeps (orchestrator.eligibilityKept).</summary>
    public int? EligibilityKept { get; set; }

    /// <summary>How long a provider keeps its comparison with a job (orchestrator.eligibilityKeptFor).</summary>
    public TimeSpan? EligibilityKeptFor { get; set; }

    /// <summary>Node and provider ids approved for contracts when the network has no authority; empty: approval by membership.</summary>
    public List<string>? ApprovedIds { get; set; }

    public RoleOptions Roles { get; set; } = new();
    public TlsOptions Tls { get; set; } = new();
    public PersistenceOptions Persistence { get; set; } = new();
    public ExecutionOptions Execution { get; set; } = new();
    public BuiltinPreferenceOptions BuiltinPreferences { get; set; } = new();

    /// <summary>The network authority's files (orchestrator.trust): what <see cref="Trust"/> is built from by the executable.</summary>
    public TrustFileOptions TrustFiles { get; set; } = new();

    public ApiOptions Api { get; set; } = new();

    /// <summary>
    /// HOCON beneath the options above and above the library's defaults (the executable's <c>--config</c> file):
    /// <c>orchestrator.*</c> keys, and any <c>akka.*</c> key for the actor system.
    /// </summary>
    public string? Hocon { get; set; }

    /// <summary>
    /// The executors this node's providers run contracted programs with, beside the built-in <c>wasm</c> and
    /// <c>simulated</c> (one of the same type replaces the built-in): a DMS's own runtimes (code only). A provider still
    /// declares the executors it offers in its capability; a job that runs a program is contracted only where both hold.
    /// </summary>
    public List<Execution.IExecutor> Executors { get; set; } = [];

    /// <summary>
    /// What moves the money of a settled contract (code only): a DMS's payment rail. Unset: settlements are recorded in
    /// the journal on both sides and nothing moves (<see cref="Settlements.JournalSettlementProvider"/>).
    /// </summary>
    public Settlements.ISettlementProvider? SettlementProvider { get; set; }

    /// <summary>The compute providers this node onboards at start, when it has the providers role (code only).</summary>
    public IReadOnlyList<ProviderCapability>? Providers { get; set; }

    /// <summary>
    /// How this node signs and checks its counterparties (code only). Unset: approval by list when
    /// <see cref="ApprovedIds"/> (or orchestrator.approvedIds) names any, by cluster membership otherwise.
    /// </summary>
    public ParticipantTrust? Trust { get; set; }

    /// <summary>
    /// Binds the <c>Orchestrator</c> section of <paramref name="configuration"/> onto these options; a value that
    /// cannot be converted stops with the key named.
    /// </summary>
    public OrchestratorOptions Bind(IConfiguration configuration)
    {
        var section = configuration.GetSection(SectionName);
        var unknown = UnknownKeys(section, GetType()).ToList();
        if (unknown.Count > 0) throw new Akka.Configuration.ConfigurationException(string.Join("; ", unknown));
        try
        {
            section.Bind(this, binder => binder.ErrorOnUnknownConfiguration = true);
        }
        catch (InvalidOperationException e)
        {
            throw new Akka.Configuration.ConfigurationException($"{SectionName}: {e.Message}");
        }

        return this;
    }

    /// <summary>
    /// Each key under the section that names no setting, with the closest one that does, spelled as a configuration key
    /// and as the environment variable it is most often typed as (<c>Orchestrator__DefaultSerchTimeout</c>).
    /// </summary>
    private static IEnumerable<string> UnknownKeys(IConfigurationSection section, Type type)
    {
        var properties = type.GetProperties(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance)
            .Where(p => p.CanWrite || !p.PropertyType.IsValueType && p.PropertyType != typeof(string)).ToArray();
        foreach (var child in section.GetChildren())
        {
            var property = properties.FirstOrDefault(p => string.Equals(p.Name, child.Key, StringComparison.OrdinalIgnoreCase));
            if (property is null)
            {
                var near = Configuration.Spelling.Closest(child.Key, properties.Select(p => p.Name));
                yield return $"{child.Path}: no such setting" + (near is null
                    ? $" ({type.Name} has {string.Join(", ", properties.Select(p => p.Name))})"
                    : $"; did you mean {child.Path[..^child.Key.Length]}{near}? (as an environment variable: {(child.Path[..^child.Key.Length] + near).Replace(":", "__")})");
                continue;
            }

            var nested = property.PropertyType;
            if (nested.IsClass && nested != typeof(string) && !typeof(System.Collections.IEnumerable).IsAssignableFrom(nested))
                foreach (var error in UnknownKeys(child, nested)) yield return error;
        }
    }

    /// <summary>
    /// The options that are set, as HOCON over the <c>orchestrator</c> section: each setting of
    /// <see cref="Configuration.SettingsCatalog"/> from the option it names.
    /// </summary>
    internal string ToHocon()
    {
        var hocon = new StringBuilder();
        foreach (var setting in Configuration.SettingsCatalog.All)
            if (OptionValue(this, setting.Option) is { } value)
                hocon.Append(setting.Path).Append(" = ").AppendLine(setting.ToHocon(value));
        return hocon.ToString();
    }

    /// <summary>The value of the option at <paramref name="path"/> (<c>Execution.Restart.Mode</c>), null when unset.</summary>
    internal static object? OptionValue(object options, string path)
    {
        object? value = options;
        foreach (var name in path.Split('.'))
        {
            if (value is null) return null;
            var property = value.GetType().GetProperty(name) ?? throw new InvalidOperationException($"{value.GetType().Name} has no option {name} ({path})");
            value = property.GetValue(value);
        }

        return value;
    }
}

/// <summary>The built-in preferences every job gets unless it states its own (orchestrator.builtinPreferences), weights 0–100.</summary>
public sealed class BuiltinPreferenceOptions
{
    public int? LowerPrice { get; set; }
    public int? SpareCapacity { get; set; }
}

/// <summary>The network authority's files (orchestrator.trust; docs/trust.md).</summary>
public sealed class TrustFileOptions
{
    /// <summary>Public key files of the authorities this node trusts.</summary>
    public List<string>? Authorities { get; set; }

    /// <summary>This node's credential from one of them.</summary>
    public string? Credential { get; set; }

    /// <summary>The revocation lists the authorities publish.</summary>
    public List<string>? Revocations { get; set; }
}

/// <summary>The HTTP API's waits (orchestrator.api).</summary>
public sealed class ApiOptions
{
    /// <summary>How long a request waits for the actor it asks before answering 503.</summary>
    public TimeSpan? AskTimeout { get; set; }

    /// <summary>How long the providers listing waits for each provider.</summary>
    public TimeSpan? ProviderAskTimeout { get; set; }
}

/// <summary>The default restart policy of a failed run (orchestrator.execution.restart).</summary>
public sealed class RestartOptions
{
    /// <summary>never or on-failure.</summary>
    public string? Mode { get; set; }

    /// <summary>With on-failure, runs in all (1–100).</summary>
    public int? MaxAttempts { get; set; }
}

/// <summary>Running what was contracted (orchestrator.execution): where a provider's node keeps its runs.</summary>
public sealed class ExecutionOptions
{
    /// <summary>Where a provider's node keeps each run's logs and outputs (orchestrator.execution.directory).</summary>
    public string? Directory { get; set; }

    /// <summary>Bytes of each run's stdout and stderr kept.</summary>
    public long? LogLimit { get; set; }

    /// <summary>Bytes of outputs a run keeps, in all.</summary>
    public long? OutputLimit { get; set; }

    /// <summary>Bytes of the largest module a job may send inline.</summary>
    public long? InlineModuleLimit { get; set; }

    /// <summary>How often a running allocation reports to its job.</summary>
    public TimeSpan? Heartbeat { get; set; }

    /// <summary>A run not heard from this long is lost.</summary>
    public TimeSpan? LostAfter { get; set; }

    public RestartOptions Restart { get; set; } = new();
}

/// <summary>The cluster roles that decide what a member does (orchestrator.roles).</summary>
public sealed class RoleOptions
{
    /// <summary>Members with this role host job entities, and alone count in the split-brain resolver's decision.</summary>
    public string? Jobs { get; set; }

    /// <summary>Members with this role onboard compute providers.</summary>
    public string? Providers { get; set; }
}

/// <summary>Where the journal lives (orchestrator.persistence).</summary>
public sealed class PersistenceOptions
{
    /// <summary>sqlite, postgres, or host (the host configured Akka.Persistence itself).</summary>
    public string? Provider { get; set; }

    public string? SqliteFile { get; set; }
    public string? PostgresConnectionString { get; set; }
}

/// <summary>Mutual TLS on the cluster transport (orchestrator.tls).</summary>
public sealed class TlsOptions
{
    /// <summary>PKCS#12 file with this node's certificate and private key.</summary>
    public string? Certificate { get; set; }

    public string? Password { get; set; }

    /// <summary>The CA (PEM or DER) every member's certificate must chain to; unset: the machine's trust store.</summary>
    public string? Ca { get; set; }
}
