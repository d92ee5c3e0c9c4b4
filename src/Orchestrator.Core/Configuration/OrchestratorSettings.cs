using Akka.Configuration;
using Orchestrator.Protocol.Model;

namespace Orchestrator.Configuration;

/// <summary>
/// The <c>orchestrator</c> section of the node's HOCON, read and checked: each setting's key, default, bounds and
/// messages are its entry in <see cref="SettingsCatalog"/> (hocon/orchestrator.conf explains each at length).
/// </summary>
public sealed record OrchestratorSettings
{
    // A node id for settings made in code (tests); a node's own comes from orchestrator.nodeId, or its host name.
    public string NodeId { get; init; } = "local-node";
    public OrchestrationType DefaultOrchestrationType { get; init; } = Orchestration(SettingsCatalog.DefaultOrchestrationType.Default);
    public TimeSpan DefaultSearchTimeout { get; init; } = Duration(SettingsCatalog.DefaultSearchTimeout);
    public TimeSpan JobRequestTimeout { get; init; } = Duration(SettingsCatalog.JobRequestTimeout);
    public TimeSpan ContractTimeout { get; init; } = Duration(SettingsCatalog.ContractTimeout);
    public TimeSpan LockLease { get; init; } = Duration(SettingsCatalog.LockLease);
    public TimeSpan ContractConfirmAfter { get; init; } = Duration(SettingsCatalog.ContractConfirmAfter);
    public TimeSpan JobDeadline { get; init; } = Duration(SettingsCatalog.JobDeadline);
    public TimeSpan DefaultJobDuration { get; init; } = Duration(SettingsCatalog.DefaultJobDuration);
    public TimeSpan TerminalJobIdle { get; init; } = Duration(SettingsCatalog.TerminalJobIdle);
    public IReadOnlyList<string> ApprovedIds { get; init; } = [];
    public SelectionCriterion DefaultSelection { get; init; } = Selection(SettingsCatalog.DefaultSelection.Default);
    public int MaxBidRequests { get; init; } = Number(SettingsCatalog.MaxBidRequests);
    public int LowerPriceWeight { get; init; } = Number(SettingsCatalog.LowerPriceWeight);
    public int SpareCapacityWeight { get; init; } = Number(SettingsCatalog.SpareCapacityWeight);
    public TimeSpan SearchRetryMinBackoff { get; init; } = Duration(SettingsCatalog.SearchRetryMinBackoff);
    public TimeSpan SearchRetryMaxBackoff { get; init; } = Duration(SettingsCatalog.SearchRetryMaxBackoff);

    /// <summary>How many finished jobs each node's listing keeps in memory (the latest to finish); older ones are read by id.</summary>
    public int ListedFinishedJobs { get; init; } = Number(SettingsCatalog.ListedFinishedJobs);

    /// <summary>How many jobs each provider's EligibleComputeProvidersData keeps (the latest asked about).</summary>
    public int EligibilityKept { get; init; } = Number(SettingsCatalog.EligibilityKept);

    /// <summary>How long a provider keeps its comparison with a job after it was last asked about it.</summary>
    public TimeSpan EligibilityKeptFor { get; init; } = Duration(SettingsCatalog.EligibilityKeptFor);

    /// <summary>Where a provider's node keeps its runs' logs and outputs; empty: under the temp folder, named after the node.</summary>
    public string ExecutionDirectory { get; init; } = "";

    public long ExecutionLogLimit { get; init; } = Size(SettingsCatalog.ExecutionLogLimit);
    public long ExecutionOutputLimit { get; init; } = Size(SettingsCatalog.ExecutionOutputLimit);
    public long InlineModuleLimit { get; init; } = Size(SettingsCatalog.InlineModuleLimit);
    public TimeSpan ExecutionHeartbeat { get; init; } = Duration(SettingsCatalog.ExecutionHeartbeat);
    public TimeSpan ExecutionLostAfter { get; init; } = Duration(SettingsCatalog.ExecutionLostAfter);
    public RestartPolicy DefaultRestart { get; init; } = new(Restart(SettingsCatalog.RestartMode.Default), Number(SettingsCatalog.RestartMaxAttempts));

    /// <summary>How long an HTTP request waits for the actor it asks before answering 503.</summary>
    public TimeSpan ApiAskTimeout { get; init; } = Duration(SettingsCatalog.ApiAskTimeout);

    /// <summary>How long the providers listing waits for each provider.</summary>
    public TimeSpan ApiProviderAskTimeout { get; init; } = Duration(SettingsCatalog.ApiProviderAskTimeout);

    /// <summary>The folder of this node's runs (<see cref="ExecutionDirectory"/>, or its default).</summary>
    public string RunsFolder => ExecutionDirectory.Length > 0
        ? ExecutionDirectory
        : Path.Combine(Path.GetTempPath(), "orchestrator-allocations", string.Concat(NodeId.Select(ch => char.IsLetterOrDigit(ch) || ch is '-' or '_' ? ch : '_')));

    public static OrchestratorSettings FromConfig(Config root)
    {
        var c = root.GetConfig("orchestrator") ?? throw new ConfigurationException("missing the 'orchestrator' section");
        var settings = new OrchestratorSettings
        {
            NodeId = NonEmpty(SettingsCatalog.NodeId.Read(c) as string ?? "", Environment.MachineName),
            DefaultOrchestrationType = Orchestration(SettingsCatalog.DefaultOrchestrationType.Choice(c)),
            DefaultSearchTimeout = SettingsCatalog.DefaultSearchTimeout.Duration(c),
            JobRequestTimeout = SettingsCatalog.JobRequestTimeout.Duration(c),
            ContractTimeout = SettingsCatalog.ContractTimeout.Duration(c),
            LockLease = SettingsCatalog.LockLease.Duration(c),
            ContractConfirmAfter = SettingsCatalog.ContractConfirmAfter.Duration(c),
            JobDeadline = SettingsCatalog.JobDeadline.Duration(c),
            DefaultJobDuration = SettingsCatalog.DefaultJobDuration.Duration(c),
            TerminalJobIdle = SettingsCatalog.TerminalJobIdle.Duration(c),
            ApprovedIds = (string[])SettingsCatalog.ApprovedIds.Read(c),
            DefaultSelection = Selection(SettingsCatalog.DefaultSelection.Choice(c)),
            MaxBidRequests = SettingsCatalog.MaxBidRequests.WholeNumber(c),
            LowerPriceWeight = SettingsCatalog.LowerPriceWeight.WholeNumber(c),
            SpareCapacityWeight = SettingsCatalog.SpareCapacityWeight.WholeNumber(c),
            SearchRetryMinBackoff = SettingsCatalog.SearchRetryMinBackoff.Duration(c),
            SearchRetryMaxBackoff = SettingsCatalog.SearchRetryMaxBackoff.Duration(c),
            ListedFinishedJobs = SettingsCatalog.ListedFinishedJobs.WholeNumber(c),
            EligibilityKept = SettingsCatalog.EligibilityKept.WholeNumber(c),
            EligibilityKeptFor = SettingsCatalog.EligibilityKeptFor.Duration(c),
            ExecutionDirectory = (string)SettingsCatalog.ExecutionDirectory.Read(c),
            ExecutionLogLimit = SettingsCatalog.ExecutionLogLimit.Size(c),
            ExecutionOutputLimit = SettingsCatalog.ExecutionOutputLimit.Size(c),
            InlineModuleLimit = SettingsCatalog.InlineModuleLimit.Size(c),
            ExecutionHeartbeat = SettingsCatalog.ExecutionHeartbeat.Duration(c),
            ExecutionLostAfter = SettingsCatalog.ExecutionLostAfter.Duration(c),
            DefaultRestart = new RestartPolicy(Restart(SettingsCatalog.RestartMode.Choice(c)), SettingsCatalog.RestartMaxAttempts.WholeNumber(c)),
            ApiAskTimeout = SettingsCatalog.ApiAskTimeout.Duration(c),
            ApiProviderAskTimeout = SettingsCatalog.ApiProviderAskTimeout.Duration(c),
        };
        if (settings.ExecutionLostAfter <= settings.ExecutionHeartbeat * 2)
            throw new ConfigurationException("orchestrator.execution.lostAfter must be longer than two heartbeats (execution.heartbeat)");
        if (settings.JobDeadline <= settings.DefaultSearchTimeout + settings.JobRequestTimeout + settings.ContractTimeout)
            throw new ConfigurationException(
                "orchestrator.jobDeadline must be longer than defaultSearchTimeout + jobRequestTimeout + contractTimeout");
        return settings;
    }

    private static TimeSpan Duration(Setting setting) => (TimeSpan)setting.DefaultValue;
    private static int Number(Setting setting) => (int)setting.DefaultValue;
    private static long Size(Setting setting) => (long)setting.DefaultValue;

    private static OrchestrationType Orchestration(string choice) => choice == "push" ? OrchestrationType.Push : OrchestrationType.Pull;

    private static SelectionCriterion Selection(string choice) => choice switch
    {
        "lowest-price" => SelectionCriterion.LowestPrice,
        "earliest-bid" => SelectionCriterion.EarliestBid,
        _ => SelectionCriterion.Score,
    };

    private static RestartMode Restart(string choice) => choice == "never" ? RestartMode.Never : RestartMode.OnFailure;

    private static string NonEmpty(string value, string fallback) => string.IsNullOrWhiteSpace(value) ? fallback : value;
}
