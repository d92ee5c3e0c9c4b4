using Akka.Configuration;
using Orchestrator.Protocol.Model;

namespace Orchestrator.Configuration;

/// <summary>The <c>orchestrator</c> section of the node's HOCON (see hocon/orchestrator.conf for each key).</summary>
public sealed record OrchestratorSettings
{
    public string NodeId { get; init; } = "local-node";
    public OrchestrationType DefaultOrchestrationType { get; init; } = OrchestrationType.Pull;
    public TimeSpan DefaultSearchTimeout { get; init; } = TimeSpan.FromSeconds(5);
    public TimeSpan JobRequestTimeout { get; init; } = TimeSpan.FromSeconds(5);
    public TimeSpan ContractTimeout { get; init; } = TimeSpan.FromSeconds(5);
    public TimeSpan LockLease { get; init; } = TimeSpan.FromSeconds(30);
    public TimeSpan ContractConfirmAfter { get; init; } = TimeSpan.FromSeconds(10);
    public TimeSpan JobDeadline { get; init; } = TimeSpan.FromMinutes(2);
    public TimeSpan DefaultJobDuration { get; init; } = TimeSpan.FromHours(1);
    public TimeSpan TerminalJobIdle { get; init; } = TimeSpan.FromSeconds(10);
    public IReadOnlyList<string> ApprovedIds { get; init; } = [];
    public SelectionCriterion DefaultSelection { get; init; } = SelectionCriterion.Score;
    public int MaxBidRequests { get; init; } = 16;
    public int LowerPriceWeight { get; init; } = 10;
    public int SpareCapacityWeight { get; init; } = 5;
    public TimeSpan SearchRetryMinBackoff { get; init; } = TimeSpan.FromSeconds(1);
    public TimeSpan SearchRetryMaxBackoff { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How many finished jobs each node's listing keeps in memory (the latest to finish); older ones are read by id.</summary>
    public int ListedFinishedJobs { get; init; } = ReadModel.JobIndex.DefaultMaxFinished;

    /// <summary>How many jobs each provider's EligibleComputeProvidersData keeps (the latest asked about).</summary>
    public int EligibilityKept { get; init; } = 256;

    /// <summary>How long a provider keeps its comparison with a job after it was last asked about it.</summary>
    public TimeSpan EligibilityKeptFor { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Where a provider's node keeps its runs' logs and outputs; empty: under the temp folder, named after the node.</summary>
    public string ExecutionDirectory { get; init; } = "";

    public long ExecutionLogLimit { get; init; } = 1 << 20;
    public long ExecutionOutputLimit { get; init; } = 16 << 20;
    public long InlineModuleLimit { get; init; } = 1 << 20;
    public TimeSpan ExecutionHeartbeat { get; init; } = TimeSpan.FromSeconds(1);
    public TimeSpan ExecutionLostAfter { get; init; } = TimeSpan.FromSeconds(10);
    public RestartPolicy DefaultRestart { get; init; } = new(RestartMode.OnFailure, 3);

    /// <summary>The folder of this node's runs (<see cref="ExecutionDirectory"/>, or its default).</summary>
    public string RunsFolder => ExecutionDirectory.Length > 0
        ? ExecutionDirectory
        : Path.Combine(Path.GetTempPath(), "orchestrator-allocations", string.Concat(NodeId.Select(ch => char.IsLetterOrDigit(ch) || ch is '-' or '_' ? ch : '_')));

    public static OrchestratorSettings FromConfig(Config root)
    {
        var c = root.GetConfig("orchestrator") ?? throw new ConfigurationException("missing the 'orchestrator' section");
        var d = new OrchestratorSettings();
        var type = c.GetString("defaultOrchestrationType", "pull");
        if (!Enum.TryParse<OrchestrationType>(type, ignoreCase: true, out var orchestrationType))
            throw new ConfigurationException($"orchestrator.defaultOrchestrationType: '{type}' is not one of pull, push");

        var settings = new OrchestratorSettings
        {
            NodeId = NonEmpty(c.GetString("nodeId", ""), Environment.MachineName),
            DefaultOrchestrationType = orchestrationType,
            DefaultSearchTimeout = Positive(c, "defaultSearchTimeout", d.DefaultSearchTimeout),
            JobRequestTimeout = Positive(c, "jobRequestTimeout", d.JobRequestTimeout),
            ContractTimeout = Positive(c, "contractTimeout", d.ContractTimeout),
            LockLease = Positive(c, "lockLease", d.LockLease),
            ContractConfirmAfter = Positive(c, "contractConfirmAfter", d.ContractConfirmAfter),
            JobDeadline = Positive(c, "jobDeadline", d.JobDeadline),
            DefaultJobDuration = Positive(c, "defaultJobDuration", d.DefaultJobDuration),
            TerminalJobIdle = Positive(c, "terminalJobIdle", d.TerminalJobIdle),
            ApprovedIds = c.GetStringList("approvedIds", []).Where(s => !string.IsNullOrWhiteSpace(s)).ToArray(),
            DefaultSelection = Selection(c.GetString("defaultSelection", "score")),
            MaxBidRequests = Between(c, "maxBidRequests", d.MaxBidRequests, 1, 1000),
            LowerPriceWeight = Between(c, "builtinPreferences.lowerPrice", d.LowerPriceWeight, 0, 100),
            SpareCapacityWeight = Between(c, "builtinPreferences.spareCapacity", d.SpareCapacityWeight, 0, 100),
            SearchRetryMinBackoff = Positive(c, "searchRetryMinBackoff", d.SearchRetryMinBackoff),
            SearchRetryMaxBackoff = Positive(c, "searchRetryMaxBackoff", d.SearchRetryMaxBackoff),
            ListedFinishedJobs = Between(c, "listedFinishedJobs", d.ListedFinishedJobs, 0, 100_000_000),
            EligibilityKept = Between(c, "eligibilityKept", d.EligibilityKept, 0, 1_000_000),
            EligibilityKeptFor = Positive(c, "eligibilityKeptFor", d.EligibilityKeptFor),
            ExecutionDirectory = c.GetString("execution.directory", ""),
            ExecutionLogLimit = Bytes(c, "execution.logLimit", d.ExecutionLogLimit),
            ExecutionOutputLimit = Bytes(c, "execution.outputLimit", d.ExecutionOutputLimit),
            InlineModuleLimit = Bytes(c, "execution.inlineModuleLimit", d.InlineModuleLimit),
            ExecutionHeartbeat = Positive(c, "execution.heartbeat", d.ExecutionHeartbeat),
            ExecutionLostAfter = Positive(c, "execution.lostAfter", d.ExecutionLostAfter),
            DefaultRestart = Restart(c, d.DefaultRestart),
        };
        if (settings.ExecutionLostAfter <= settings.ExecutionHeartbeat * 2)
            throw new ConfigurationException("orchestrator.execution.lostAfter must be longer than two heartbeats (execution.heartbeat)");
        if (settings.JobDeadline <= settings.DefaultSearchTimeout + settings.JobRequestTimeout + settings.ContractTimeout)
            throw new ConfigurationException(
                "orchestrator.jobDeadline must be longer than defaultSearchTimeout + jobRequestTimeout + contractTimeout");
        return settings;
    }

    private static SelectionCriterion Selection(string value) => value.Replace("-", "").ToLowerInvariant() switch
    {
        "score" => SelectionCriterion.Score,
        "lowestprice" => SelectionCriterion.LowestPrice,
        "earliestbid" => SelectionCriterion.EarliestBid,
        _ => throw new ConfigurationException($"orchestrator.defaultSelection: '{value}' is not one of score, lowest-price, earliest-bid"),
    };

    private static int Between(Config c, string key, int fallback, int min, int max)
    {
        int value;
        try
        {
            value = c.GetInt(key, fallback);
        }
        catch (Exception e) when (e is FormatException or OverflowException or ArgumentException)
        {
            throw new ConfigurationException($"orchestrator.{key}: '{c.GetString(key)}' is not a whole number from {min} to {max}");
        }

        if (value < min || value > max) throw new ConfigurationException($"orchestrator.{key} must be between {min} and {max}, was {value}");
        return value;
    }

    private static RestartPolicy Restart(Config c, RestartPolicy fallback)
    {
        var mode = c.GetString("execution.restart.mode", "on-failure");
        var parsed = mode.Replace("-", "").ToLowerInvariant() switch
        {
            "never" => RestartMode.Never,
            "onfailure" => RestartMode.OnFailure,
            _ => throw new ConfigurationException($"orchestrator.execution.restart.mode: '{mode}' is not one of never, on-failure"),
        };
        return new RestartPolicy(parsed, Between(c, "execution.restart.maxAttempts", fallback.MaxAttempts, 1, 100));
    }

    private static long Bytes(Config c, string key, long fallback)
    {
        long? value;
        try
        {
            value = c.HasPath(key) ? c.GetByteSize(key) : fallback;
        }
        catch (Exception e) when (e is FormatException or OverflowException or ArgumentException)
        {
            value = null;
        }

        if (value is null or <= 0 or > 1L << 40)
            throw new ConfigurationException($"orchestrator.{key}: '{c.GetString(key)}' is not a size from 1 byte to 1 TiB (e.g. 512k, 1m, 2g)");
        return value.Value;
    }

    private static string NonEmpty(string value, string fallback) => string.IsNullOrWhiteSpace(value) ? fallback : value;

    private static TimeSpan Positive(Config c, string key, TimeSpan fallback)
    {
        TimeSpan value;
        try
        {
            value = c.GetTimeSpan(key, fallback, allowInfinite: false);
        }
        catch (FormatException)
        {
            var text = c.GetString(key);
            throw new ConfigurationException(text.TrimStart().StartsWith('-')
                ? $"orchestrator.{key} must be positive, was {text}"
                : $"orchestrator.{key}: '{text}' is not a duration (e.g. 200ms, 5s, 2m, 1h)");
        }

        if (value <= TimeSpan.Zero) throw new ConfigurationException($"orchestrator.{key} must be positive, was {value}");
        return value;
    }
}
