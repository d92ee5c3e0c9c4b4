namespace Orchestrator.Configuration;

/// <summary>
/// Every setting of the <c>orchestrator</c> section, each declared once: key, kind, default, bounds, meaning, and the
/// typed option that sets it. <see cref="OrchestratorSettings"/> reads and checks values through it,
/// <c>OrchestratorOptions</c> writes what a host sets through it, the executable's <c>--help</c> takes its words from
/// it, and tests hold hocon/orchestrator.conf (where each key is explained at length) and the table in
/// docs/configuration.md to it. A new setting is one entry here, its key in the HOCON file, and an option property.
/// </summary>
public static class SettingsCatalog
{
    public static readonly Setting JobsRole = new("roles.jobs", SettingKind.Text, "jobs",
        "the cluster role of the members that host jobs (and alone count in the split-brain resolver)") { Option = "Roles.Jobs" };

    public static readonly Setting ProvidersRole = new("roles.providers", SettingKind.Text, "providers",
        "the cluster role of the members that onboard providers") { Option = "Roles.Providers" };

    public static readonly Setting NodeId = new("nodeId", SettingKind.Text, "\"\"",
        "this node's id as service provider (the requester in contracts); empty: the machine's host name") { Option = "NodeId", DefaultInWords = "host name" };

    public static readonly Setting DefaultOrchestrationType = new("defaultOrchestrationType", SettingKind.Choice, "pull",
        "the seed's `defaultOrchestrationType`: pull (providers bid) or push (the job names providers)")
    {
        Option = "DefaultOrchestrationType", Choices = ["pull", "push"],
    };

    public static readonly Setting DefaultSearchTimeout = new("defaultSearchTimeout", SettingKind.Duration, "5s",
        "the seed's `defaultSearchTimeout`: how long a search waits for bids") { Option = "DefaultSearchTimeout" };

    public static readonly Setting JobRequestTimeout = new("jobRequestTimeout", SettingKind.Duration, "5s",
        "how long the job waits for the shortlisted provider to lock") { Option = "JobRequestTimeout" };

    public static readonly Setting ContractTimeout = new("contractTimeout", SettingKind.Duration, "5s",
        "how long the job waits for the provider to verify and sign the contract") { Option = "ContractTimeout" };

    public static readonly Setting LockLease = new("lockLease", SettingKind.Duration, "30s",
        "lease of a lock that has not become a contract") { Option = "LockLease" };

    public static readonly Setting ContractConfirmAfter = new("contractConfirmAfter", SettingKind.Duration, "10s",
        "a provider asks the job about a contract it committed that the job has not confirmed after this long (and after a restart), " +
        "then at doubling intervals; it reverts what the job does not hold") { Option = "ContractConfirmAfter" };

    public static readonly Setting JobDeadline = new("jobDeadline", SettingKind.Duration, "2m",
        "every job is terminal by this long after posting (longer than the three timeouts above together)") { Option = "JobDeadline" };

    public static readonly Setting DefaultJobDuration = new("defaultJobDuration", SettingKind.Duration, "60m",
        "contract length when the job gives none") { Option = "DefaultJobDuration" };

    public static readonly Setting TerminalJobIdle = new("terminalJobIdle", SettingKind.Duration, "10s",
        "a finished job leaves memory after this idle time (reloaded on demand)") { Option = "TerminalJobIdle" };

    public static readonly Setting DefaultSelection = new("defaultSelection", SettingKind.Choice, "score",
        "how the preferred bid is picked unless a job says: score, lowest-price or earliest-bid")
    {
        Option = "DefaultSelection", Choices = ["score", "lowest-price", "earliest-bid"],
    };

    public static readonly Setting LowerPriceWeight = new("builtinPreferences.lowerPrice", SettingKind.WholeNumber, "10",
        "weight of the built-in lower-price preference (0 = off)") { Option = "BuiltinPreferences.LowerPrice", Max = 100 };

    public static readonly Setting SpareCapacityWeight = new("builtinPreferences.spareCapacity", SettingKind.WholeNumber, "5",
        "weight of the built-in spare-capacity preference (0 = off)") { Option = "BuiltinPreferences.SpareCapacity", Max = 100 };

    public static readonly Setting MaxBidRequests = new("maxBidRequests", SettingKind.WholeNumber, "16",
        "most bid requests one search sends") { Option = "MaxBidRequests", Min = 1, Max = 1000 };

    public static readonly Setting SearchRetryMinBackoff = new("searchRetryMinBackoff", SettingKind.Duration, "1s",
        "first pause before a pull job that found nothing searches again (doubling each time)") { Option = "SearchRetryMinBackoff" };

    public static readonly Setting SearchRetryMaxBackoff = new("searchRetryMaxBackoff", SettingKind.Duration, "30s",
        "longest pause between a pull job's searches") { Option = "SearchRetryMaxBackoff" };

    public static readonly Setting ListedFinishedJobs = new("listedFinishedJobs", SettingKind.WholeNumber, "100000",
        "finished jobs each node's listing keeps in memory (the latest to finish; older ones are read by id, and counted in the page's `notListed`)")
    {
        Option = "ListedFinishedJobs", Max = 100_000_000,
    };

    public static readonly Setting EligibilityKept = new("eligibilityKept", SettingKind.WholeNumber, "256",
        "each provider's EligibleComputeProvidersData: the latest jobs it keeps its comparison of (hard constraints, soft scores) for")
    {
        Option = "EligibilityKept", Max = 1_000_000,
    };

    public static readonly Setting EligibilityKeptFor = new("eligibilityKeptFor", SettingKind.Duration, "1h",
        "how long a provider keeps its comparison with a job after it was last asked about it") { Option = "EligibilityKeptFor" };

    public static readonly Setting ExecutionDirectory = new("execution.directory", SettingKind.Text, "\"\"",
        "where a provider's node keeps each run's logs and outputs; empty: under the temp folder (the executable uses its `--data` folder)")
    {
        Option = "Execution.Directory", DefaultInWords = "temp folder",
    };

    public static readonly Setting ExecutionLogLimit = new("execution.logLimit", SettingKind.Size, "1m",
        "of each run's stdout and stderr, this much is kept (past it, counted and dropped)") { Option = "Execution.LogLimit" };

    public static readonly Setting ExecutionOutputLimit = new("execution.outputLimit", SettingKind.Size, "16m",
        "the outputs a run keeps, in all") { Option = "Execution.OutputLimit" };

    public static readonly Setting InlineModuleLimit = new("execution.inlineModuleLimit", SettingKind.Size, "1m",
        "the largest module a job may send inline (decoded)") { Option = "Execution.InlineModuleLimit" };

    public static readonly Setting ExecutionHeartbeat = new("execution.heartbeat", SettingKind.Duration, "1s",
        "how often a running allocation reports to its job") { Option = "Execution.Heartbeat" };

    public static readonly Setting ExecutionLostAfter = new("execution.lostAfter", SettingKind.Duration, "10s",
        "a run not heard from this long fails as provider-lost (longer than two heartbeats)") { Option = "Execution.LostAfter" };

    public static readonly Setting RestartMode = new("execution.restart.mode", SettingKind.Choice, "on-failure",
        "what a failed run does when its job does not say: never, or on-failure") { Option = "Execution.Restart.Mode", Choices = ["never", "on-failure"] };

    public static readonly Setting RestartMaxAttempts = new("execution.restart.maxAttempts", SettingKind.WholeNumber, "3",
        "with on-failure: runs in all, each on a provider that has not failed the job") { Option = "Execution.Restart.MaxAttempts", Min = 1, Max = 100 };

    public static readonly Setting ApprovedIds = new("approvedIds", SettingKind.TextList, "[]",
        "approved node and provider ids; empty = approval by membership of the cluster (see [Trust](trust.md#trust-node-keys-the-network-authority-tls)); unused with an authority")
    {
        Option = "ApprovedIds",
    };

    public static readonly Setting TrustAuthorities = new("trust.authorities", SettingKind.TextList, "[]",
        "public key files of the network authorities this node trusts (see [Trust](trust.md#trust-node-keys-the-network-authority-tls))")
    {
        Option = "TrustFiles.Authorities",
    };

    public static readonly Setting TrustCredential = new("trust.credential", SettingKind.Text, "\"\"",
        "this node's credential from one of them (`orchestrator authority approve`)") { Option = "TrustFiles.Credential" };

    public static readonly Setting TrustRevocations = new("trust.revocations", SettingKind.TextList, "[]",
        "the revocation lists the authorities publish (reread when a file changes)") { Option = "TrustFiles.Revocations" };

    public static readonly Setting TlsCertificate = new("tls.certificate", SettingKind.Text, "\"\"",
        "mutual TLS on the cluster transport: this node's certificate and key (PKCS#12); empty: no TLS") { Option = "Tls.Certificate" };

    public static readonly Setting TlsPassword = new("tls.password", SettingKind.Text, "\"\"",
        "the certificate file's password") { Option = "Tls.Password" };

    public static readonly Setting TlsCa = new("tls.ca", SettingKind.Text, "\"\"",
        "the CA (PEM or DER) every member's certificate must chain to; empty: the machine's trust store") { Option = "Tls.Ca" };

    public static readonly Setting PersistenceProvider = new("persistence.provider", SettingKind.Choice, "sqlite",
        "`sqlite`, `postgres`, or `host` (the host configured Akka.Persistence itself)") { Option = "Persistence.Provider", Choices = ["sqlite", "postgres", "host"] };

    public static readonly Setting SqliteFile = new("persistence.sqlite.file", SettingKind.Text, "\"data/orchestrator.db\"",
        "the SQLite file (relative to the working directory)") { Option = "Persistence.SqliteFile" };

    public static readonly Setting PostgresConnectionString = new("persistence.postgres.connectionString", SettingKind.Text, "\"\"",
        "PostgreSQL; setting it chooses `postgres`") { Option = "Persistence.PostgresConnectionString" };

    public static readonly Setting ApiAskTimeout = new("api.askTimeout", SettingKind.Duration, "15s",
        "how long an HTTP request waits for the actor it asks (a job, the listing, a run's node) before answering 503; a read of a job is asked again meanwhile (after 1 s, then every 2 s)") { Option = "Api.AskTimeout" };

    public static readonly Setting ApiProviderAskTimeout = new("api.providerAskTimeout", SettingKind.Duration, "3s",
        "how long the providers listing waits for each provider (one slow provider is listed as unreachable, not the whole page held)")
    {
        Option = "Api.ProviderAskTimeout",
    };

    /// <summary>Every setting, in the order hocon/orchestrator.conf and the docs give them.</summary>
    public static IReadOnlyList<Setting> All { get; } =
    [
        JobsRole, ProvidersRole, NodeId, DefaultOrchestrationType, DefaultSearchTimeout, JobRequestTimeout, ContractTimeout, LockLease,
        ContractConfirmAfter, JobDeadline, DefaultJobDuration, TerminalJobIdle, DefaultSelection, LowerPriceWeight, SpareCapacityWeight,
        MaxBidRequests, SearchRetryMinBackoff, SearchRetryMaxBackoff, ListedFinishedJobs, EligibilityKept, EligibilityKeptFor,
        ExecutionDirectory, ExecutionLogLimit, ExecutionOutputLimit, InlineModuleLimit, ExecutionHeartbeat, ExecutionLostAfter, RestartMode,
        RestartMaxAttempts, ApprovedIds, TrustAuthorities, TrustCredential, TrustRevocations, TlsCertificate, TlsPassword, TlsCa,
        PersistenceProvider, SqliteFile, PostgresConnectionString, ApiAskTimeout, ApiProviderAskTimeout,
    ];

    /// <summary>The setting at <paramref name="key"/> (under <c>orchestrator</c>).</summary>
    public static Setting Of(string key) => All.FirstOrDefault(s => s.Key == key) ?? throw new ArgumentException($"no setting orchestrator.{key}", nameof(key));

    /// <summary>The table of docs/configuration.md: key, default, meaning, and the option that sets it in code.</summary>
    public static string MarkdownTable()
    {
        var text = new System.Text.StringBuilder();
        text.AppendLine("| key | default | meaning | in code (`OrchestratorOptions`) |");
        text.AppendLine("|---|---|---|---|");
        foreach (var s in All)
            text.AppendLine($"| `{s.Path}` | {(s.DefaultInWords ?? $"`{s.Default}`")} | {s.Meaning} | `{s.Option}` |");
        return text.ToString();
    }
}
