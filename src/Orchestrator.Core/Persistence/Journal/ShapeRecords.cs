using Orchestrator.Protocol.Messages;
using Orchestrator.Protocol.Model;

namespace Orchestrator.Persistence.Journal;

// The values events carry, as the journal stores them: its own records, not the protocol's. A message or a model type
// of the API can change (a field renamed for the API, a type moved) without a stored row changing meaning; what a row
// holds changes only here, by the rule in CONTRIBUTING.md, "Changing an event". Each record mirrors, field by field,
// the shape version 1 of the format wrote, and maps to and from the value the actors use. Enums are stored by name
// (JournalEnumTests pins every name a row may hold). Collections are built as plain arrays: a compiler-made list type
// from a collection expression would reach the event, and Hyperion could not read it on another node.

internal sealed record DescriptionRecord
{
    public string? JobId { get; init; }
    public OrchestrationType? OrchestrationType { get; init; }
    public string[] TargetProviders { get; init; } = [];
    public required RequirementsRecord Requirements { get; init; }
    public PreferenceRecord[] Preferences { get; init; } = [];
    public SelectionCriterion? Selection { get; init; }
    public int? DeadlineSeconds { get; init; }
    public ExecutionRecord? Execution { get; init; }

    public static DescriptionRecord From(JobDescription d) => new()
    {
        JobId = d.JobId, OrchestrationType = d.OrchestrationType, TargetProviders = d.TargetProviders.ToArray(),
        Requirements = RequirementsRecord.From(d.Requirements), Preferences = d.Preferences.Select(PreferenceRecord.From).ToArray(),
        Selection = d.Selection, DeadlineSeconds = d.DeadlineSeconds, Execution = d.Execution is null ? null : ExecutionRecord.From(d.Execution),
    };

    public JobDescription ToModel() => new()
    {
        JobId = JobId, OrchestrationType = OrchestrationType, TargetProviders = TargetProviders, Requirements = Requirements.ToModel(),
        Preferences = Preferences.Select(p => p.ToModel()).ToArray(), Selection = Selection, DeadlineSeconds = DeadlineSeconds,
        Execution = Execution?.ToModel(),
    };
}

/// <summary>A job's execution part as the journal holds it (the module inline, as posted: a recovered job can ask for its run again).</summary>
internal sealed record ExecutionRecord
{
    public required ExecutorType Executor { get; init; }
    public string? Module { get; init; }
    public string? ModuleSha256 { get; init; }
    public string[] Args { get; init; } = [];
    public Dictionary<string, string> Env { get; init; } = [];
    public string? Stdin { get; init; }
    public string[] Outputs { get; init; } = [];
    public int? TimeoutSeconds { get; init; }
    public RestartMode? RestartMode { get; init; }
    public int? RestartMaxAttempts { get; init; }

    public static ExecutionRecord From(JobExecution e) => new()
    {
        Executor = e.Executor, Module = e.Module, ModuleSha256 = e.ModuleSha256, Args = e.Args.ToArray(),
        Env = new Dictionary<string, string>(e.Env, StringComparer.Ordinal), Stdin = e.Stdin, Outputs = e.Outputs.ToArray(), TimeoutSeconds = e.TimeoutSeconds,
        RestartMode = e.Restart?.Mode, RestartMaxAttempts = e.Restart?.MaxAttempts,
    };

    public JobExecution ToModel() => new()
    {
        Executor = Executor, Module = Module, ModuleSha256 = ModuleSha256, Args = Args, Env = Env, Stdin = Stdin, Outputs = Outputs,
        TimeoutSeconds = TimeoutSeconds, Restart = RestartMode is { } mode ? new RestartPolicy(mode, RestartMaxAttempts ?? 1) : null,
    };
}

/// <summary>How a run ended, as the journal holds it.</summary>
internal sealed record RunOutcomeRecord
{
    public int? ExitCode { get; init; }
    public RunFailure? Failure { get; init; }
    public required string Detail { get; init; }
    public long StdoutBytes { get; init; }
    public long StderrBytes { get; init; }
    public long StdoutDropped { get; init; }
    public long StderrDropped { get; init; }
    public OutputFileRecord[] Outputs { get; init; } = [];

    public static RunOutcomeRecord From(RunOutcome o) => new()
    {
        ExitCode = o.ExitCode, Failure = o.Failure, Detail = o.Detail, StdoutBytes = o.StdoutBytes, StderrBytes = o.StderrBytes,
        StdoutDropped = o.StdoutDropped, StderrDropped = o.StderrDropped, Outputs = o.Outputs.Select(f => new OutputFileRecord(f.Name, f.Bytes, f.Sha256)).ToArray(),
    };

    public RunOutcome ToModel() => new(ExitCode, Failure, Detail)
    {
        StdoutBytes = StdoutBytes, StderrBytes = StderrBytes, StdoutDropped = StdoutDropped, StderrDropped = StderrDropped,
        Outputs = Outputs.Select(f => new OutputFile(f.Name, f.Bytes, f.Sha256)).ToArray(),
    };
}

internal sealed record OutputFileRecord(string Name, long Bytes, string Sha256);

internal sealed record RequirementsRecord
{
    public required ResourceNeedsRecord Resources { get; init; }
    public ExecutorType[] Executors { get; init; } = [];
    public JobType? JobType { get; init; }
    public LocalityRecord[] Localities { get; init; } = [];
    public LibraryNeedRecord[] Libraries { get; init; } = [];
    public StorageNeedRecord[] Storage { get; init; } = [];
    public ConnectivityNeedRecord? Connectivity { get; init; }
    public decimal? MaxPricePerHour { get; init; }
    public string? Currency { get; init; }
    public decimal? MaxTotalBudget { get; init; }
    public int? DurationMinutes { get; init; }
    public LabelConstraintRecord[] Labels { get; init; } = [];
    public ExecutorType? Runs { get; init; }

    public static RequirementsRecord From(JobRequirements r) => new()
    {
        Resources = ResourceNeedsRecord.From(r.Resources), Executors = r.Executors.ToArray(), JobType = r.JobType,
        Localities = r.Localities.Select(LocalityRecord.From).ToArray(), Libraries = r.Libraries.Select(LibraryNeedRecord.From).ToArray(),
        Storage = r.Storage.Select(StorageNeedRecord.From).ToArray(), Connectivity = r.Connectivity is null ? null : ConnectivityNeedRecord.From(r.Connectivity),
        MaxPricePerHour = r.MaxPricePerHour, Currency = r.Currency, MaxTotalBudget = r.MaxTotalBudget, DurationMinutes = r.DurationMinutes,
        Labels = r.Labels.Select(LabelConstraintRecord.From).ToArray(), Runs = r.Runs,
    };

    public JobRequirements ToModel() => new()
    {
        Resources = Resources.ToModel(), Executors = Executors, JobType = JobType, Localities = Localities.Select(l => l.ToModel()).ToArray(),
        Libraries = Libraries.Select(l => l.ToModel()).ToArray(), Storage = Storage.Select(s => s.ToModel()).ToArray(), Connectivity = Connectivity?.ToModel(),
        MaxPricePerHour = MaxPricePerHour, Currency = Currency, MaxTotalBudget = MaxTotalBudget, DurationMinutes = DurationMinutes,
        Labels = Labels.Select(l => l.ToModel()).ToArray(), Runs = Runs,
    };
}

internal sealed record ResourceNeedsRecord
{
    public required int CpuCores { get; init; }
    public int? CpuClockMhz { get; init; }
    public string? Architecture { get; init; }
    public required long RamMb { get; init; }
    public required long DiskGb { get; init; }
    public string? DiskType { get; init; }
    public GpuNeedRecord[] Gpus { get; init; } = [];

    public static ResourceNeedsRecord From(ResourceRequirements r) => new()
    {
        CpuCores = r.CpuCores, CpuClockMhz = r.CpuClockMhz, Architecture = r.Architecture, RamMb = r.RamMb, DiskGb = r.DiskGb,
        DiskType = r.DiskType, Gpus = r.Gpus.Select(GpuNeedRecord.From).ToArray(),
    };

    public ResourceRequirements ToModel() => new()
    {
        CpuCores = CpuCores, CpuClockMhz = CpuClockMhz, Architecture = Architecture, RamMb = RamMb, DiskGb = DiskGb, DiskType = DiskType,
        Gpus = Gpus.Select(g => g.ToModel()).ToArray(),
    };
}

internal sealed record GpuNeedRecord
{
    public string? Vendor { get; init; }
    public string? Model { get; init; }
    public long? VramMb { get; init; }

    public static GpuNeedRecord From(GpuRequirement g) => new() { Vendor = g.Vendor, Model = g.Model, VramMb = g.VramMb };

    public GpuRequirement ToModel() => new() { Vendor = Vendor, Model = Model, VramMb = VramMb };
}

internal sealed record LocalityRecord(string Kind, string Name)
{
    public static LocalityRecord From(Locality l) => new(l.Kind, l.Name);

    public Locality ToModel() => new(Kind, Name);
}

internal sealed record LibraryNeedRecord(string Name, string Constraint = "")
{
    public static LibraryNeedRecord From(LibraryRequirement l) => new(l.Name, l.Constraint);

    public LibraryRequirement ToModel() => new(Name, Constraint);
}

internal sealed record StorageNeedRecord(string Kind, long SizeGb = 0)
{
    public static StorageNeedRecord From(StorageRequirement s) => new(s.Kind, s.SizeGb);

    public StorageRequirement ToModel() => new(Kind, SizeGb);
}

internal sealed record ConnectivityNeedRecord
{
    public int[] Ports { get; init; } = [];
    public bool? Vpn { get; init; }

    public static ConnectivityNeedRecord From(ConnectivityRequirement c) => new() { Ports = c.Ports.ToArray(), Vpn = c.Vpn };

    public ConnectivityRequirement ToModel() => new() { Ports = Ports, Vpn = Vpn };
}

internal sealed record LabelConstraintRecord
{
    public required string Key { get; init; }
    public LabelOperator Op { get; init; } = LabelOperator.Equals;
    public string? Value { get; init; }
    public string[] Values { get; init; } = [];

    public static LabelConstraintRecord From(LabelConstraint l) => new() { Key = l.Key, Op = l.Op, Value = l.Value, Values = l.Values.ToArray() };

    public LabelConstraint ToModel() => new() { Key = Key, Op = Op, Value = Value, Values = Values };
}

internal sealed record PreferenceRecord
{
    public required int Weight { get; init; }
    public LocalityRecord[]? Localities { get; init; }
    public ExecutorType? Executor { get; init; }
    public GpuNeedRecord? Gpu { get; init; }
    public LabelConstraintRecord? Label { get; init; }
    public LibraryNeedRecord? Library { get; init; }
    public string? DiskType { get; init; }
    public MorePreferenceRecord? More { get; init; }
    public bool? LowerPrice { get; init; }
    public bool? SpareCapacity { get; init; }

    public static PreferenceRecord From(Preference p) => new()
    {
        Weight = p.Weight, Localities = p.Localities is null ? null : p.Localities.Select(LocalityRecord.From).ToArray(), Executor = p.Executor,
        Gpu = p.Gpu is null ? null : GpuNeedRecord.From(p.Gpu), Label = p.Label is null ? null : LabelConstraintRecord.From(p.Label),
        Library = p.Library is null ? null : LibraryNeedRecord.From(p.Library), DiskType = p.DiskType,
        More = p.More is null ? null : new MorePreferenceRecord(p.More.Resource, p.More.Target), LowerPrice = p.LowerPrice, SpareCapacity = p.SpareCapacity,
    };

    public Preference ToModel() => new()
    {
        Weight = Weight, Localities = Localities?.Select(l => l.ToModel()).ToArray(), Executor = Executor, Gpu = Gpu?.ToModel(), Label = Label?.ToModel(),
        Library = Library?.ToModel(), DiskType = DiskType, More = More is null ? null : new MorePreference(More.Resource, More.Target),
        LowerPrice = LowerPrice, SpareCapacity = SpareCapacity,
    };
}

internal sealed record MorePreferenceRecord(ResourceDimension Resource, long? Target = null);

internal sealed record CapabilityRecord
{
    public required string Id { get; init; }
    public required ResourcesRecord Resources { get; init; }
    public ExecutorType[] Executors { get; init; } = [];
    public JobType[] JobTypes { get; init; } = [];
    public LocalityRecord[] Localities { get; init; } = [];
    public LibraryRecord[] Libraries { get; init; } = [];
    public StorageRecord[] Storage { get; init; } = [];
    public ConnectivityRecord Connectivity { get; init; } = new();
    public decimal PricePerHour { get; init; }
    public decimal? PricePerResult { get; init; }
    public string Currency { get; init; } = "USD";
    public int MaxJobDurationMinutes { get; init; }
    public Dictionary<string, string> Labels { get; init; } = new(StringComparer.Ordinal);
    public bool LockOnBid { get; init; }

    public static CapabilityRecord From(ProviderCapability c) => new()
    {
        Id = c.Id, Resources = ResourcesRecord.From(c.Resources), Executors = c.Executors.ToArray(), JobTypes = c.JobTypes.ToArray(),
        Localities = c.Localities.Select(LocalityRecord.From).ToArray(), Libraries = c.Libraries.Select(l => new LibraryRecord(l.Name, l.Version)).ToArray(),
        Storage = c.Storage.Select(s => new StorageRecord(s.Kind, s.SizeGb)).ToArray(),
        Connectivity = new ConnectivityRecord { OpenPorts = c.Connectivity.OpenPorts.ToArray(), Vpn = c.Connectivity.Vpn },
        PricePerHour = c.PricePerHour, PricePerResult = c.PricePerResult, Currency = c.Currency, MaxJobDurationMinutes = c.MaxJobDurationMinutes,
        Labels = new Dictionary<string, string>(c.Labels, StringComparer.Ordinal), LockOnBid = c.LockOnBid,
    };

    public ProviderCapability ToModel() => new()
    {
        Id = Id, Resources = Resources.ToModel(), Executors = Executors, JobTypes = JobTypes, Localities = Localities.Select(l => l.ToModel()).ToArray(),
        Libraries = Libraries.Select(l => new Library(l.Name, l.Version)).ToArray(), Storage = Storage.Select(s => new Storage(s.Kind, s.SizeGb)).ToArray(),
        Connectivity = new Connectivity { OpenPorts = Connectivity.OpenPorts, Vpn = Connectivity.Vpn }, PricePerHour = PricePerHour,
        PricePerResult = PricePerResult, Currency = Currency, MaxJobDurationMinutes = MaxJobDurationMinutes, Labels = Labels, LockOnBid = LockOnBid,
    };
}

internal sealed record ResourcesRecord
{
    public required int CpuCores { get; init; }
    public int CpuClockMhz { get; init; }
    public string Architecture { get; init; } = "";
    public required long RamMb { get; init; }
    public required long DiskGb { get; init; }
    public string DiskType { get; init; } = "";
    public GpuRecord[] Gpus { get; init; } = [];

    public static ResourcesRecord From(Resources r) => new()
    {
        CpuCores = r.CpuCores, CpuClockMhz = r.CpuClockMhz, Architecture = r.Architecture, RamMb = r.RamMb, DiskGb = r.DiskGb,
        DiskType = r.DiskType, Gpus = r.Gpus.Select(GpuRecord.From).ToArray(),
    };

    public Resources ToModel() => new()
    {
        CpuCores = CpuCores, CpuClockMhz = CpuClockMhz, Architecture = Architecture, RamMb = RamMb, DiskGb = DiskGb, DiskType = DiskType,
        Gpus = Gpus.Select(g => g.ToModel()).ToArray(),
    };
}

internal sealed record GpuRecord(string Vendor, string Model, long VramMb)
{
    public static GpuRecord From(Gpu g) => new(g.Vendor, g.Model, g.VramMb);

    public Gpu ToModel() => new(Vendor, Model, VramMb);
}

internal sealed record LibraryRecord(string Name, string Version);

internal sealed record StorageRecord(string Kind, long SizeGb);

internal sealed record ConnectivityRecord
{
    public int[] OpenPorts { get; init; } = [];
    public bool Vpn { get; init; }
}

internal sealed record BidRecord(
    string JobId,
    string ProviderId,
    decimal PricePerHour,
    bool ResourcesLocked,
    DateTimeOffset? LockExpiresAt,
    double SpareCapacity,
    DateTimeOffset BidAt,
    CapabilityRecord? Capability = null,
    int[]? FreeGpuIndices = null,
    ProofRecord? Proof = null,
    ClaimRecord[]? Claims = null,
    decimal? PricePerResult = null,
    int? EstimatedMinutes = null,
    string? Currency = null)
{
    public static BidRecord From(Bid b) => new(b.JobId, b.ProviderId, b.PricePerHour, b.ResourcesLocked, b.LockExpiresAt, b.SpareCapacity, b.BidAt,
        b.Capability is null ? null : CapabilityRecord.From(b.Capability), b.FreeGpuIndices?.ToArray(), b.Proof is null ? null : ProofRecord.From(b.Proof),
        b.Claims?.Select(c => new ClaimRecord(c.Index, c.Preference, c.Weight, c.Score)).ToArray(), b.PricePerResult, b.EstimatedMinutes, b.Currency);

    public Bid ToMessage() => new(JobId, ProviderId, PricePerHour, ResourcesLocked, LockExpiresAt, SpareCapacity, BidAt, Capability?.ToModel(),
        FreeGpuIndices, Proof?.ToModel(), Claims?.Select(c => new SoftConstraintScore(c.Index, c.Preference, c.Weight, c.Score)).ToArray())
    {
        PricePerResult = PricePerResult, EstimatedMinutes = EstimatedMinutes, Currency = Currency,
    };
}

/// <summary>A provider's own score for one of the job's soft constraints, as its bid claimed it (optional: added without a new version).</summary>
internal sealed record ClaimRecord(int Index, string Preference, int Weight, double? Score);

internal sealed record DeclineRecord(string JobId, string ProviderId, ExchangePhase Phase, DeclineReason Reason, string Detail)
{
    public static DeclineRecord From(DeclineMessage d) => new(d.JobId, d.ProviderId, d.Phase, d.Reason, d.Detail);

    public DeclineMessage ToMessage() => new(JobId, ProviderId, Phase, Reason, Detail);
}

internal sealed record TimeoutRecord(string JobId, string ProviderId, ExchangePhase Phase, TimeSpan After)
{
    public static TimeoutRecord From(TimeoutResponse t) => new(t.JobId, t.ProviderId, t.Phase, t.After);

    public TimeoutResponse ToMessage() => new(JobId, ProviderId, Phase, After);
}

internal sealed record ExplanationRecord(
    OrchestrationType OrchestrationType,
    SelectionCriterion Selection,
    int Attempt,
    int Considered,
    int Asked,
    Dictionary<string, int> FilteredOut,
    int TimedOut,
    int Eligible,
    RankedRecord[] Ranking)
{
    public static ExplanationRecord From(SearchExplanation e) => new(e.OrchestrationType, e.Selection, e.Attempt, e.Considered, e.Asked,
        new Dictionary<string, int>(e.FilteredOut, StringComparer.Ordinal), e.TimedOut, e.Eligible, e.Ranking.Select(RankedRecord.From).ToArray());

    public SearchExplanation ToMessage() => new(OrchestrationType, Selection, Attempt, Considered, Asked, FilteredOut, TimedOut, Eligible,
        Ranking.Select(r => r.ToMessage()).ToArray());
}

internal sealed record RankedRecord(int Rank, string ProviderId, double Score, decimal PricePerHour, bool ResourcesLocked, ScoreTermRecord[] Breakdown,
    DisagreementRecord[]? Disagreements = null,
    decimal? ExpectedTotal = null,
    string? PriceBasis = null)
{
    public static RankedRecord From(RankedProvider r) => new(r.Rank, r.ProviderId, r.Score, r.PricePerHour, r.ResourcesLocked,
        r.Breakdown.Select(t => new ScoreTermRecord(t.Preference, t.Weight, t.Score, t.Contribution)).ToArray(),
        r.Disagreements.Count == 0 ? null : r.Disagreements.Select(d => new DisagreementRecord(d.Index, d.Preference, d.Claimed, d.Computed)).ToArray(),
        r.ExpectedTotal, r.PriceBasis.Length == 0 ? null : r.PriceBasis);

    public RankedProvider ToMessage() => new(Rank, ProviderId, Score, PricePerHour, ResourcesLocked,
        Breakdown.Select(t => new ScoreTerm(t.Preference, t.Weight, t.Score, t.Contribution)).ToArray())
    {
        Disagreements = Disagreements?.Select(d => new ScoreDisagreement(d.Index, d.Preference, d.Claimed, d.Computed)).ToArray() ?? [],
        ExpectedTotal = ExpectedTotal ?? 0, PriceBasis = PriceBasis ?? "",
    };
}

/// <summary>Where a provider's claimed score for a preference differed from the job's (added without a new version: optional).</summary>
internal sealed record DisagreementRecord(int Index, string Preference, double Claimed, double Computed);

internal sealed record ScoreTermRecord(string Preference, int Weight, double Score, double Contribution);

internal sealed record VerdictRecord(string ProviderId, string Outcome, string? Reason = null, string? Detail = null)
{
    public static VerdictRecord From(ProviderVerdict v) => new(v.ProviderId, v.Outcome, v.Reason, v.Detail);

    public ProviderVerdict ToMessage() => new(ProviderId, Outcome, Reason, Detail);
}

internal sealed record ContractRecord(
    string ContractId,
    string JobId,
    string RequesterNodeId,
    string ProviderId,
    ResourceNeedsRecord Resources,
    GpuRecord[] AssignedGpus,
    decimal PricePerHour,
    DateTimeOffset SignedAt,
    DateTimeOffset StartsAt,
    DateTimeOffset EndsAt,
    decimal? PricePerResult = null,
    string? Currency = null,
    ExecutorType? Runs = null)
{
    public static ContractRecord From(Contract c) => new(c.ContractId, c.JobId, c.RequesterNodeId, c.ProviderId, ResourceNeedsRecord.From(c.Resources),
        c.AssignedGpus.Select(GpuRecord.From).ToArray(), c.PricePerHour, c.SignedAt, c.StartsAt, c.EndsAt, c.PricePerResult, c.Currency, c.Runs);

    public Contract ToModel() => new(ContractId, JobId, RequesterNodeId, ProviderId, Resources.ToModel(), AssignedGpus.Select(g => g.ToModel()).ToArray(),
        PricePerHour, SignedAt, StartsAt, EndsAt) { PricePerResult = PricePerResult, Currency = Currency, Runs = Runs };
}

internal sealed record ProofRecord(string Signature, CredentialRecord Credential)
{
    public static ProofRecord From(Proof p) => new(p.Signature, CredentialRecord.From(p.Credential));

    public Proof ToModel() => new(Signature, Credential.ToModel());
}

internal sealed record CredentialRecord
{
    public int Version { get; init; } = 1;
    public required string Serial { get; init; }
    public required string SubjectKeyId { get; init; }
    public required string SubjectPublicKey { get; init; }
    public required ParticipantRole[] Roles { get; init; }
    public required string[] Ids { get; init; }
    public required DateTimeOffset IssuedAt { get; init; }
    public required DateTimeOffset ExpiresAt { get; init; }
    public required string AuthorityKeyId { get; init; }
    public string Signature { get; init; } = "";

    public static CredentialRecord From(Credential c) => new()
    {
        Version = c.Version, Serial = c.Serial, SubjectKeyId = c.SubjectKeyId, SubjectPublicKey = c.SubjectPublicKey, Roles = c.Roles.ToArray(),
        Ids = c.Ids.ToArray(), IssuedAt = c.IssuedAt, ExpiresAt = c.ExpiresAt, AuthorityKeyId = c.AuthorityKeyId, Signature = c.Signature,
    };

    public Credential ToModel() => new()
    {
        Version = Version, Serial = Serial, SubjectKeyId = SubjectKeyId, SubjectPublicKey = SubjectPublicKey, Roles = Roles, Ids = Ids,
        IssuedAt = IssuedAt, ExpiresAt = ExpiresAt, AuthorityKeyId = AuthorityKeyId, Signature = Signature,
    };
}

internal sealed record SignaturesRecord(ProofRecord Requester, ProofRecord Provider)
{
    public static SignaturesRecord From(ContractSignatures s) => new(ProofRecord.From(s.Requester), ProofRecord.From(s.Provider));

    public ContractSignatures ToModel() => new(Requester.ToModel(), Provider.ToModel());
}

/// <summary>
/// A provider's comparison with a job (its EligibleComputeProvidersData entry), as written with the contract it led to
/// (added to <c>contract-committed/1</c> without a new version: optional).
/// </summary>
internal sealed record EligibilityRecord(
    string JobId,
    string RequesterNodeId,
    ExchangePhase Phase,
    bool DryRun,
    DateTimeOffset FirstAskedAt,
    DateTimeOffset LastAskedAt,
    int Asked,
    bool Eligible,
    string Answer,
    DeclineReason? DeclinedFor,
    ConstraintCheckRecord[] HardConstraints,
    ClaimRecord[] SoftConstraints)
{
    public static EligibilityRecord From(EligibilityEntry e) => new(e.JobId, e.RequesterNodeId, e.Phase, e.DryRun, e.FirstAskedAt, e.LastAskedAt, e.Asked,
        e.Eligible, e.Answer, e.DeclinedFor, e.HardConstraints.Select(c => new ConstraintCheckRecord(c.Constraint, c.Passed, c.Required, c.Offered, c.Reason)).ToArray(),
        e.SoftConstraints.Select(c => new ClaimRecord(c.Index, c.Preference, c.Weight, c.Score)).ToArray());

    public EligibilityEntry ToMessage() => new(JobId, RequesterNodeId, Phase, DryRun, FirstAskedAt, LastAskedAt, Asked, Eligible, Answer, DeclinedFor,
        HardConstraints.Select(c => new ConstraintCheck(c.Constraint, c.Passed, c.Required, c.Offered, c.Reason)).ToArray(),
        SoftConstraints.Select(c => new SoftConstraintScore(c.Index, c.Preference, c.Weight, c.Score)).ToArray());
}

internal sealed record ConstraintCheckRecord(string Constraint, bool Passed, string Required, string Offered, DeclineReason Reason);

internal sealed record ReceiptRecord(string ContractId, string JobId, string ProviderId, int Run, DateTimeOffset StartedAt, DateTimeOffset EndedAt, long WallMs,
    long CpuMs, long PeakMemoryBytes, long OutputBytes, string Outcome, int? ExitCode, string ResultHash)
{
    public static ReceiptRecord From(UsageReceipt r) => new(r.ContractId, r.JobId, r.ProviderId, r.Run, r.StartedAt, r.EndedAt, r.WallMs, r.CpuMs,
        r.PeakMemoryBytes, r.OutputBytes, r.Outcome, r.ExitCode, r.ResultHash);

    public static ReceiptRecord? FromOptional(UsageReceipt? r) => r is null ? null : From(r);

    public UsageReceipt ToModel() => new(ContractId, JobId, ProviderId, Run, StartedAt, EndedAt, WallMs, CpuMs, PeakMemoryBytes, OutputBytes, Outcome, ExitCode,
        ResultHash);
}

internal sealed record SettlementShapeRecord(string ContractId, string JobId, string RequesterNodeId, string ProviderId, PriceUnit Unit, decimal Price,
    string Currency, string Outcome, long BilledSeconds, decimal Amount, string Basis, ReceiptRecord Usage, DateTimeOffset At)
{
    public static SettlementShapeRecord From(Settlement s) => new(s.ContractId, s.JobId, s.RequesterNodeId, s.ProviderId, s.Unit, s.Price, s.Currency,
        s.Outcome, s.BilledSeconds, s.Amount, s.Basis, ReceiptRecord.From(s.Usage), s.At);

    public Settlement ToModel() => new(ContractId, JobId, RequesterNodeId, ProviderId, Unit, Price, Currency, Outcome, BilledSeconds, Amount, Basis,
        Usage.ToModel(), At);
}

internal static class OptionalProof
{
    public static ProofRecord? From(Proof? p) => p is null ? null : ProofRecord.From(p);
}
