using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Akka.Actor;
using Akka.Persistence;
using Orchestrator.Jobs;
using Orchestrator.Persistence;
using Orchestrator.Protocol.Events;
using Orchestrator.Protocol.Messages;
using Orchestrator.Protocol.Model;
using Orchestrator.Tests.Actors;
using static Orchestrator.Tests.Fixtures;

namespace Orchestrator.Tests.Persistence;

/// <summary>
/// The journal is a public contract. <c>Golden/journal-v1.jsonl</c> holds rows as this version's journal format
/// wrote them (one event of every kind, in the histories a job and a provider really go through); every later version
/// must recover every job and provider in it exactly. A change that breaks old journals fails here: add a version of
/// the event and keep the reader of the old one instead (CONTRIBUTING.md, "Changing an event"). The file is written
/// once per format version, by <c>scripts/golden-journal.sh</c>, and never edited by hand.
/// </summary>
public sealed class GoldenJournalTests(Xunit.Abstractions.ITestOutputHelper output) : ActorTestBase(output)
{
    /// <summary>The golden file of the format this version writes; the older ones stay, and are read too.</summary>
    private const string GoldenFile = "Golden/journal-v5.jsonl";

    public static TheoryData<string> GoldenFiles() => new(System.IO.Directory.GetFiles("Golden", "journal-v*.jsonl").Order().Select(f => f.Replace('\\', '/')));
    private static readonly DateTimeOffset T0 = new(2026, 11, 30, 9, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Far = new(2099, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void The_golden_journal_holds_every_kind_of_event_this_version_can_write()
    {
        var written = Histories().SelectMany(h => h.Events).SelectMany(Flatten).Select(e => e.GetType()).ToHashSet();
        Assert.Equal(JournalEventSerializer.Manifests.Select(m => m.Type).OrderBy(t => t.Name), written.OrderBy(t => t.Name));

        var path = Environment.GetEnvironmentVariable("ORCHESTRATOR_WRITE_GOLDEN_JOURNAL");
        if (!string.IsNullOrEmpty(path)) File.WriteAllText(path, Rows());
        var golden = File.ReadAllLines(GoldenFile).Select(l => JsonNode.Parse(l)!)
            .SelectMany(row => row["payload"]!["steps"] is JsonArray steps
                ? steps.Select(step => step!["manifest"]!.GetValue<string>()).Append(row["manifest"]!.GetValue<string>())
                : [row["manifest"]!.GetValue<string>()])
            .ToHashSet();
        Assert.Equal(JournalEventSerializer.Manifests.Select(m => m.Manifest).Order(), golden.Order());
    }

    [Theory]
    [MemberData(nameof(GoldenFiles))]
    public void Every_job_and_provider_of_every_golden_journal_recovers_exactly(string file)
    {
        Assert.True(System.IO.Directory.GetFiles("Golden", "journal-v*.jsonl").Length >= 2, "the golden files were not found");
        Load(file);

        // Jobs: recovered by real job actors from the journal, as a restarted node would.
        var contracted = JobStatusOf("golden-contracted");
        Assert.Equal(JobState.Contracted, contracted.State);
        Assert.Equal("cp-golden-a", contracted.Contract!.ProviderId);
        Assert.Equal("golden-contracted@cp-golden-a", contracted.Contract.ContractId);
        Assert.Equal([JobState.Posted, JobState.Searching, JobState.Matched, JobState.Requested, JobState.Matched, JobState.Requested, JobState.Contracted],
            contracted.History.Select(h => h.State));
        Assert.Equal(T0.AddSeconds(4), contracted.History[^1].At);
        Assert.Equal(DeclineReason.InsufficientCpu, Assert.Single(contracted.Declines).Reason);
        Assert.Equal(["cp-golden-a", "cp-golden-b"], contracted.EligibleProviders.Select(b => b.ProviderId));

        var failed = JobStatusOf("golden-failed");
        Assert.Equal(JobState.Failed, failed.State);
        Assert.Equal(FailureReason.NoEligibleProvider, failed.Failure!.Reason);
        Assert.Equal(1, failed.Explanation!.Attempt); // the last search that completed; the second found nobody to ask
        Assert.Equal("cp-golden-b", Assert.Single(failed.Timeouts).ProviderId);

        var cancelled = JobStatusOf("golden-cancelled");
        Assert.Equal((JobState.Failed, FailureReason.Cancelled), (cancelled.State, cancelled.Failure!.Reason));

        if (Version(file) >= 4)
        {
            var ran = JobStatusOf("golden-ran");
            Assert.Equal(JobState.Completed, ran.State);
            Assert.True(ran.Final);
            Assert.Equal("golden-ran@cp-golden-r", ran.Contract!.ContractId);
            Assert.Equal([(1, "cp-golden-b", RunFailure.ProviderLost), (2, "cp-golden-r", (RunFailure?)null)],
                ran.Runs.Select(r => (r.Run, r.ProviderId, r.Outcome!.Failure)).ToArray());
            Assert.Equal([JobState.Posted, JobState.Searching, JobState.Matched, JobState.Contracted, JobState.Running, JobState.Searching, JobState.Searching,
                JobState.Matched, JobState.Contracted, JobState.Running, JobState.Completed], ran.History.Select(h => h.State));
            Assert.Equal((T0.AddSeconds(16), T0.AddSeconds(17), "akka.tcp://orchestrator@10.0.0.3:4053"), (ran.Runs[1].StartedAt, ran.Runs[1].EndedAt, ran.Runs[1].Node));
            // The first provider failed the job: it is not asked again (and the new search had as long as the first).
            Assert.Equal(T0.AddSeconds(13).AddMinutes(2), ran.Deadline);
            // The provider whose run ended holds nothing; its allocation's journal says how the run ended.
            var r = ProviderStatusOf(Provider("cp-golden-r", cpu: 8));
            Assert.Empty(r.Contracts);
            Assert.Equal(8, r.Free.CpuCores);
        }

        if (Version(file) >= 5)
        {
            var settled = JobStatusOf("golden-settled");
            Assert.Equal(JobState.Completed, settled.State);
            var row = Assert.Single(settled.Settlements);
            Assert.Equal((SettlementState.Settled, 4.5m, "NTX", PriceUnit.Result, "journal"), (row.State, row.Settlement!.Amount, row.Settlement.Currency,
                row.Settlement.Unit, row.Transfer!.Provider));
            Assert.Equal((T0.AddSeconds(17), T0.AddSeconds(20)), (row.EndedAt, row.UpdatedAt));
            Assert.NotNull(row.ProviderProof);
            Assert.NotNull(row.RequesterProof);
            Assert.Equal(4.5m, settled.Contract!.PricePerResult);
            var disputed = Assert.Single(JobStatusOf("golden-disputed").Settlements);
            Assert.Equal((SettlementState.Disputed, "requester", "the run ends in the future", 3), (disputed.State, disputed.DisputedBy, disputed.DisputeReason,
                disputed.Receipt!.ExitCode));
            // The provider's side: both recorded, nothing left unsettled, and its earnings.
            var s = ProviderStatusOf(Provider("cp-golden-s", cpu: 8));
            // The contract revoked before its run started waits to be settled (for nothing used).
            Assert.Equal(["golden-unstarted@cp-golden-s"], s.Unsettled);
            Assert.Equal([new CurrencyTotal("NTX", 1, 1, 4.5m)], s.Earnings);
        }

        // An unfinished job: its state as recovery rebuilds it (a running actor would carry on at once).
        var requested = Job.New("golden-requested").Apply(Histories().Single(h => h.PersistenceId == "job-golden-requested").Events.Cast<IJobEvent>());
        Assert.Equal((JobState.Requested, "cp-golden-a", false), (requested.State, requested.Selected!.ProviderId, requested.ResourcesLocked));

        // Providers: recovered by real provider actors.
        var a = ProviderStatusOf(Provider("cp-golden-a", cpu: 8));
        Assert.Equal(["golden-contracted"], a.Contracts.Select(c => c.JobId));
        Assert.Empty(a.Locks);
        Assert.Empty(a.Unconfirmed);
        Assert.Equal(6, a.Free.CpuCores);

        var b = ProviderStatusOf(Provider("cp-golden-b", cpu: 8));
        Assert.Empty(b.Contracts);
        Assert.Empty(b.Locks);
        Assert.True(b.Offboarding);
        Assert.Equal(8, b.Free.CpuCores);
    }

    [Theory]
    [MemberData(nameof(GoldenFiles))]
    public void Every_field_of_every_golden_journal_reads_back(string file)
    {
        // The shapes no job's history above looks into: every field of a job description, a provider capability, a
        // bid with its proof, a contract's signatures. Compared field by field with the values they were written from.
        Load(file);
        var cancelled = JobStatusOf("golden-cancelled");
        WireRoundTripTests.AssertSameFields(RichDescription("golden-cancelled"), cancelled.Description, "description");
        WireRoundTripTests.AssertSameFields(RichDescription("golden-cancelled").Preferences, cancelled.Preferences, "preferences");
        Assert.Equal((OrchestrationType.Push, SelectionCriterion.EarliestBid), (cancelled.OrchestrationType, cancelled.Selection));

        var contracted = JobStatusOf("golden-contracted");
        var bid = contracted.EligibleProviders.Single(b => b.ProviderId == "cp-golden-b");
        WireRoundTripTests.AssertSameFields(RichCapability("cp-golden-b"), bid.Capability, "bid.capability");
        WireRoundTripTests.AssertSameFields(GoldenProof("cp-golden-b"), bid.Proof, "bid.proof");
        Assert.Equal([0], bid.FreeGpuIndices);
        WireRoundTripTests.AssertSameFields(new ContractSignatures(GoldenProof("sp-test"), GoldenProof("cp-golden-a")), contracted.Signatures, "signatures");
        Assert.Equal(TimeSpan.FromSeconds(3), Assert.Single(JobStatusOf("golden-failed").Timeouts).After);

        var onboarded = Assert.IsType<ProviderOnboarded>(Row(file, "provider-host-golden", 1));
        WireRoundTripTests.AssertSameFields(RichCapability("cp-golden-b"), onboarded.Capability, "onboarded.capability");
        var committed = Assert.IsType<ContractCommitted>(Row(file, "provider-cp-golden-a", 3));
        WireRoundTripTests.AssertSameFields(GoldenProof("sp-test"), committed.RequesterProof, "committed.requesterProof");

        // Version 3 added optional fields; older files read them as absent.
        if (Version(file) >= 3)
        {
            WireRoundTripTests.AssertSameFields(GoldenEligibility, committed.Eligibility, "committed.eligibility");
            Assert.Equal([GoldenDisagreement], contracted.Explanation!.Ranking.Single(r => r.ProviderId == "cp-golden-b").Disagreements);
            var completed = Assert.IsType<JobStepsRecorded>(Row(file, "job-golden-contracted", 2)).Steps.OfType<SearchCompleted>().Single();
            Assert.Equal(GoldenClaims, completed.Bids.Single(b => b.ProviderId == "cp-golden-b").Claims);
            // And the provider's data has the comparison behind its contract back.
            var provider = Sys.ActorOf(Orchestrator.Providers.ProviderActor.Props(Provider("cp-golden-a", cpu: 8), Settings() with { EligibilityKeptFor = TimeSpan.FromDays(100_000) },
                Approve(Settings(), "cp-golden-a")));
            provider.Tell(new GetEligibility("cp-golden-a"));
            WireRoundTripTests.AssertSameFields(GoldenEligibility, Assert.Single(ExpectMsg<ProviderEligibility>().Entries), "restored eligibility");
        }
        else Assert.Null(committed.Eligibility);
        if (Version(file) >= 4)
        {
            var ran = JobStatusOf("golden-ran");
            WireRoundTripTests.AssertSameFields(GoldenExecution, ran.Description.Execution, "description.execution");
            WireRoundTripTests.AssertSameFields(GoldenOutcome, ran.Runs[1].Outcome, "runs[1].outcome");
            var posted = Assert.IsType<JobPosted>(Row(file, "job-golden-ran", 1));
            Assert.Equal(ExecutorType.Wasm, posted.Requirements.Runs);
            Assert.Equal([ExecutorType.Wasm], posted.Requirements.Executors);
            var lost = Assert.IsType<RunEnded>(Row(file, "job-golden-ran", 7));
            Assert.Equal(("golden-ran@cp-golden-b", "cp-golden-b", 1, true, "no word for 10 s"), (lost.ContractId, lost.ProviderId, lost.Run, lost.Retry, lost.Outcome.Detail));
            var allocated = Assert.IsType<ContractAllocated>(Row(file, "provider-cp-golden-r", 2));
            Assert.Equal(("cp-golden-r", "golden-ran", "golden-ran@cp-golden-r", T0.AddSeconds(16)), (allocated.ProviderId, allocated.JobId, allocated.ContractId, allocated.At));
            var started = Assert.IsType<AllocationStarted>(Row(file, "allocation-golden-ran@cp-golden-r", 1));
            Assert.Equal((2, ExecutorType.Wasm, "golden-ran"), (started.Run, started.Executor, started.JobId));
            var ended = Assert.IsType<AllocationEnded>(Row(file, "allocation-golden-ran@cp-golden-r", 2));
            WireRoundTripTests.AssertSameFields(GoldenOutcome, ended.Outcome, "allocation.outcome");
        }

        if (Version(file) >= 5)
        {
            var ended = Assert.IsType<AllocationEnded>(Row(file, "allocation-golden-settled@cp-golden-s", 2));
            WireRoundTripTests.AssertSameFields(GoldenReceipt, ended.Receipt, "allocation.receipt");
            WireRoundTripTests.AssertSameFields(GoldenProof("cp-golden-s"), ended.ReceiptProof, "allocation.receiptProof");
            var steps = Assert.IsType<JobStepsRecorded>(Row(file, "job-golden-settled", 2)).Steps;
            var perResult = steps.OfType<SearchCompleted>().Single().Bids.Single();
            Assert.Equal((4.5m, (int?)20, "NTX"), (perResult.PricePerResult, perResult.EstimatedMinutes, perResult.Currency));
            var ranked = steps.OfType<SearchCompleted>().Single().Explanation.Ranking.Single();
            Assert.Equal((4.5m, "4.5 per result"), (ranked.ExpectedTotal, ranked.PriceBasis));
            var closed = steps.OfType<ContractClosed>().Single().Contract;
            Assert.Equal((4.5m, "NTX", (ExecutorType?)ExecutorType.Wasm), (closed.PricePerResult, closed.Currency, closed.Runs));
            var proposed = Assert.IsType<JobStepsRecorded>(Row(file, "job-golden-settled", 3)).Steps.OfType<SettlementProposed>().Single();
            WireRoundTripTests.AssertSameFields(GoldenReceipt, proposed.Settlement.Usage, "proposed.usage");
            Assert.Equal(("completed", 0L, "completed: 4.5 NTX per result"), (proposed.Settlement.Outcome, proposed.Settlement.BilledSeconds, proposed.Settlement.Basis));
            var lockedPerResult = Assert.IsType<ResourcesLocked>(Row(file, "provider-cp-golden-s", 1));
            Assert.Equal(4.5m, lockedPerResult.PricePerResult);
        }

        var locked = Assert.IsType<ResourcesLocked>(Row(file, "provider-cp-golden-a", 1));
        Assert.Equal((2, 1024L, 10L, 1.0m, T0.AddSeconds(30)), (locked.Resources.CpuCores, locked.Resources.RamMb, locked.Resources.DiskGb, locked.PricePerHour, locked.ExpiresAt));
    }

    private static int Version(string file) => int.Parse(System.Text.RegularExpressions.Regex.Match(file, @"journal-v(\d+)\.jsonl").Groups[1].Value);

    /// <summary>One row of the golden file, read by the serializer it names.</summary>
    private object Row(string file, string persistenceId, long sequenceNr)
    {
        var row = File.ReadAllLines(file).Select(l => JsonNode.Parse(l)!)
            .Single(r => r["persistenceId"]!.GetValue<string>() == persistenceId && r["sequenceNr"]!.GetValue<long>() == sequenceNr);
        return Sys.Serialization.Deserialize(Encoding.UTF8.GetBytes(row["payload"]!.ToJsonString()), row["serializerId"]!.GetValue<int>(),
            row["manifest"]!.GetValue<string>());
    }

    private JobStatus JobStatusOf(string jobId)
    {
        var job = Sys.ActorOf(JobActor.Props(jobId, Settings(), Approve(Settings(), "cp-golden-a", "cp-golden-b"), Directory));
        job.Tell(new GetJob(jobId));
        return ExpectMsg<JobStatus>();
    }

    private ProviderStatus ProviderStatusOf(ProviderCapability capability)
    {
        var provider = Sys.ActorOf(Orchestrator.Providers.ProviderActor.Props(capability, Settings(), Approve(Settings(), capability.Id)));
        provider.Tell(new GetProviderStatus(capability.Id));
        return ExpectMsg<ProviderStatus>();
    }

    private static IEnumerable<object> Flatten(object e) => e switch
    {
        JobStepsRecorded steps => steps.Steps.Prepend<object>(steps),
        ProviderStepsRecorded steps => steps.Steps.Prepend<object>(steps),
        _ => [e],
    };

    private static JobStepsRecorded Steps(params IJobEvent[] steps) => new(steps[0].JobId, steps);

    /// <summary>The rows into this system's journal, each payload read by the serializer its row names.</summary>
    private void Load(string file)
    {
        var journal = Akka.Persistence.Persistence.Instance.Apply(Sys).JournalFor(null);
        foreach (var group in File.ReadAllLines(file).Select(l => JsonNode.Parse(l)!).GroupBy(r => r["persistenceId"]!.GetValue<string>()))
        {
            var writes = group.Select(r =>
            {
                var payload = Encoding.UTF8.GetBytes(r["payload"]!.ToJsonString());
                var e = Sys.Serialization.Deserialize(payload, r["serializerId"]!.GetValue<int>(), r["manifest"]!.GetValue<string>());
                return (IPersistentEnvelope)new AtomicWrite(new Persistent(e, r["sequenceNr"]!.GetValue<long>(), group.Key));
            }).ToList();
            journal.Tell(new WriteMessages(writes, TestActor, 1));
            ExpectMsg<WriteMessagesSuccessful>();
            ReceiveN(writes.Count);
        }
    }

    /// <summary>The rows as the journal format writes them: persistence id, sequence number, serializer, manifest, payload.</summary>
    private string Rows()
    {
        var serializer = (JournalEventSerializer)Sys.Serialization.FindSerializerForType(typeof(JobPosted));
        var text = new StringBuilder();
        foreach (var (persistenceId, events) in Histories())
            for (var i = 0; i < events.Count; i++)
            {
                var row = new JsonObject
                {
                    ["persistenceId"] = persistenceId,
                    ["sequenceNr"] = i + 1,
                    ["serializerId"] = serializer.Identifier,
                    ["manifest"] = serializer.Manifest(events[i]),
                    ["payload"] = JsonNode.Parse(serializer.ToBinary(events[i])),
                };
                text.Append(row.ToJsonString(new JsonSerializerOptions { WriteIndented = false })).Append('\n');
            }

        return text.ToString();
    }

    /// <summary>A job description with every field set and one preference of every kind: the whole shape is in the file.</summary>
    internal static JobDescription RichDescription(string jobId)
    {
        var requirements = new JobRequirements
        {
            Resources = new ResourceRequirements
            {
                CpuCores = 2, CpuClockMhz = 2400, Architecture = "amd64", RamMb = 1024, DiskGb = 10, DiskType = "ssd",
                Gpus = [new GpuRequirement { Vendor = "nvidia", Model = "a100", VramMb = 40960 }],
            },
            Executors = [ExecutorType.Docker, ExecutorType.Wasm],
            JobType = JobType.LongRunning,
            Localities = [new Locality("country", "DE")],
            Libraries = [new LibraryRequirement("cuda", ">=12.0")],
            Storage = [new StorageRequirement("s3", 50)],
            Connectivity = new ConnectivityRequirement { Ports = [22, 443], Vpn = true },
            MaxPricePerHour = 2.5m,
            Currency = "NTX",
            MaxTotalBudget = 100m,
            DurationMinutes = 90,
            Labels = [new LabelConstraint { Key = "tier", Op = LabelOperator.In, Values = ["gold", "silver"] }, new LabelConstraint { Key = "uptime", Op = LabelOperator.GreaterThanOrEqual, Value = "99.5" }],
        };
        return new JobDescription
        {
            JobId = jobId,
            OrchestrationType = OrchestrationType.Push,
            TargetProviders = ["cp-golden-a", "cp-golden-b"],
            Requirements = requirements,
            Preferences =
            [
                new Preference { Weight = 5, Localities = [new Locality("city", "Berlin")] },
                new Preference { Weight = 6, Executor = ExecutorType.Firecracker },
                new Preference { Weight = 7, Gpu = new GpuRequirement { Vendor = "amd" } },
                new Preference { Weight = 8, Label = new LabelConstraint { Key = "sgx", Op = LabelOperator.Exists } },
                new Preference { Weight = 9, Library = new LibraryRequirement("torch") },
                new Preference { Weight = 10, DiskType = "nvme" },
                new Preference { Weight = 11, More = new MorePreference(ResourceDimension.GpuVramMb, 81920) },
                new Preference { Weight = 12, LowerPrice = true },
                new Preference { Weight = 13, SpareCapacity = true },
            ],
            Selection = SelectionCriterion.EarliestBid,
            DeadlineSeconds = 600,
        };
    }

    /// <summary>A provider capability with every field set.</summary>
    internal static ProviderCapability RichCapability(string id) => new()
    {
        Id = id,
        Resources = new Resources
        {
            CpuCores = 8, CpuClockMhz = 3000, Architecture = "arm64", RamMb = 16384, DiskGb = 100, DiskType = "nvme",
            Gpus = [new Gpu("nvidia", "a100", 40960)],
        },
        Executors = [ExecutorType.Docker],
        JobTypes = [JobType.Batch, JobType.LongRunning],
        Localities = [new Locality("country", "DE")],
        Libraries = [new Library("cuda", "12.2")],
        Storage = [new Storage("s3", 500)],
        Connectivity = new Connectivity { OpenPorts = [22], Vpn = true },
        PricePerHour = 1.25m,
        Currency = "NTX",
        MaxJobDurationMinutes = 1440,
        Labels = new Dictionary<string, string> { ["tier"] = "gold" },
        LockOnBid = true,
    };

    /// <summary>A proof as a signing node attaches it (the values are not checked when a journal is read).</summary>
    internal static Proof GoldenProof(string subject) => new("c2lnbmF0dXJl", new Credential
    {
        Serial = "serial-" + subject,
        SubjectKeyId = "key-" + subject,
        SubjectPublicKey = "cHVibGlj",
        Roles = [ParticipantRole.ComputeProvider, ParticipantRole.ServiceProvider],
        Ids = [subject],
        IssuedAt = T0,
        ExpiresAt = Far,
        AuthorityKeyId = "authority",
        Signature = "YXV0aG9yaXR5",
    });

    /// <summary>Histories a job and a provider really go through, with one event of every kind among them.</summary>
    // Optional fields added in version 3 of the golden file (no new manifest): a bid's claims, a ranked provider's
    // disagreements, the comparison written with a contract.
    private static readonly SoftConstraintScore[] GoldenClaims = [new(0, "executor docker", 10, 1.0), new(1, "lower price", 10, null)];
    private static readonly ScoreDisagreement GoldenDisagreement = new(0, "executor docker", 1.0, 0.0);

    private static readonly EligibilityEntry GoldenEligibility = new("golden-contracted", "sp-test", ExchangePhase.JobRequest, false, T0.AddSeconds(1),
        T0.AddSeconds(2), 2, true, "locked", null,
        [new ConstraintCheck("cpu-cores", true, "2", "8 free of 8", DeclineReason.InsufficientCpu), new ConstraintCheck("locality", true, "country=DE", "country=DE", DeclineReason.LocalityMismatch)],
        GoldenClaims);

    // Version 4: the execution part of a description (every field) and a run's outcome (every field).
    private static readonly JobExecution GoldenExecution = new()
    {
        Executor = ExecutorType.Wasm, Module = "AGFzbQEAAAA=", Args = ["30", "--fast"], Env = new Dictionary<string, string> { ["GREETING"] = "hi" },
        Stdin = "input", Outputs = ["result.txt"], TimeoutSeconds = 60, Restart = new RestartPolicy(RestartMode.OnFailure, 2),
    };

    private static readonly RunOutcome GoldenOutcome = new(0, null, "exited with 0")
    {
        StdoutBytes = 25, StderrBytes = 3, StdoutDropped = 7, StderrDropped = 1, Outputs = [new OutputFile("result.txt", 11, new string('a', 64))],
    };

    // Version 5: a receipt with every field set.
    private static readonly UsageReceipt GoldenReceipt = new("golden-settled@cp-golden-s", "golden-settled", "cp-golden-s", 1, T0.AddSeconds(3), T0.AddSeconds(17),
        14_000, 12_345, 65_536, 36, "completed", 0, new string('b', 64));

    private static IReadOnlyList<(string PersistenceId, IReadOnlyList<object> Events)> Histories()
    {
        var needs = Needs(cpu: 2);
        var description = JobOf(needs, "golden-contracted") with { Preferences = [new Preference { Weight = 10, Executor = ExecutorType.Docker }] };
        var bidA = new Bid("golden-contracted", "cp-golden-a", 1.0m, false, null, 0.75, T0.AddSeconds(1), FreeGpuIndices: []);
        var bidB = new Bid("golden-contracted", "cp-golden-b", 1.2m, false, null, 0.5, T0.AddSeconds(1), RichCapability("cp-golden-b"), [0],
            GoldenProof("cp-golden-b"), GoldenClaims);
        var explanation = new SearchExplanation(OrchestrationType.Pull, SelectionCriterion.Score, 1, 3, 2, new Dictionary<string, int> { ["cpu"] = 1 }, 0, 2,
        [
            new RankedProvider(1, "cp-golden-a", 0.9, 1.0m, false, [new ScoreTerm("price", 1, 0.9, 0.9)]),
            new RankedProvider(2, "cp-golden-b", 0.7, 1.2m, false, [new ScoreTerm("price", 1, 0.7, 0.7)]) { Disagreements = [GoldenDisagreement] },
        ]);
        var contract = new Contract("golden-contracted@cp-golden-a", "golden-contracted", "sp-test", "cp-golden-a", needs.Resources, [], 1.0m,
            T0.AddSeconds(4), T0.AddSeconds(4), Far);
        var declined = new DeclineMessage("golden-contracted", "cp-golden-b", ExchangePhase.JobRequest, DeclineReason.InsufficientCpu,
            "needs 2 cores, 1 free");
        // As the job actor writes them: the steps decided together in one row each.
        IReadOnlyList<object> contractedJob =
        [
            Steps(
                new JobPosted("golden-contracted", description, OrchestrationType.Pull, SelectionCriterion.Score,
                    [new Preference { Weight = 10, Executor = ExecutorType.Docker }], needs, "sp-test", Far, T0),
                new SearchStarted("golden-contracted", 1, ["cp-golden-a", "cp-golden-b"], 3, new Dictionary<string, int> { ["cpu"] = 1 }, T0),
                new ProvidersRuledOut("golden-contracted", 1, [new ProviderVerdict("cp-golden-c", "filtered-out", "cpu", "needs 2 cores, has 1")], 0, T0)),
            Steps(
                new SearchCompleted("golden-contracted", [bidA, bidB], [], [], explanation, T0.AddSeconds(1)),
                new ProviderShortlisted("golden-contracted", "cp-golden-b", "ranked 2 (a tie broken by the seed)", T0.AddSeconds(1)),
                new JobRequestSent("golden-contracted", "cp-golden-b", T0.AddSeconds(1))),
            Steps(
                new CandidateDropped("golden-contracted", "cp-golden-b", declined, null, T0.AddSeconds(2)),
                new ProviderShortlisted("golden-contracted", "cp-golden-a", "ranked 1", T0.AddSeconds(2)),
                new JobRequestSent("golden-contracted", "cp-golden-a", T0.AddSeconds(2))),
            Steps(
                new ResourcesConfirmed("golden-contracted", bidA with { ResourcesLocked = true, LockExpiresAt = T0.AddSeconds(32) }, T0.AddSeconds(3)),
                new ContractClosed("golden-contracted", contract, T0.AddSeconds(4),
                    new ContractSignatures(GoldenProof("sp-test"), GoldenProof("cp-golden-a")))),
        ];
        var failedNeeds = Needs(cpu: 64);
        IReadOnlyList<object> failedJob =
        [
            new JobPosted("golden-failed", JobOf(failedNeeds, "golden-failed"), OrchestrationType.Pull, SelectionCriterion.Score, [], failedNeeds,
                "sp-test", T0.AddMinutes(1), T0),
            new SearchStarted("golden-failed", 1, ["cp-golden-b"], 3, new Dictionary<string, int>(), T0),
            new SearchCompleted("golden-failed", [], [], [new TimeoutResponse("golden-failed", "cp-golden-b", ExchangePhase.Bid, TimeSpan.FromSeconds(3))],
                explanation with { Eligible = 0, Ranking = [] }, T0.AddSeconds(3)),
            new SearchRetryScheduled("golden-failed", 1, T0.AddSeconds(10), FailureReason.NoEligibleProvider, "no provider can take it now", T0.AddSeconds(3)),
            new SearchStarted("golden-failed", 2, [], 3, new Dictionary<string, int> { ["cpu"] = 3 }, T0.AddSeconds(10)),
            new JobFailed("golden-failed", FailureReason.NoEligibleProvider, "no provider has 64 cores", T0.AddSeconds(10)),
        ];
        IReadOnlyList<object> cancelledJob =
        [
            new JobPosted("golden-cancelled", RichDescription("golden-cancelled"), OrchestrationType.Push, SelectionCriterion.EarliestBid,
                RichDescription("golden-cancelled").Preferences, RichDescription("golden-cancelled").Requirements, "sp-test", Far, T0),
            new JobFailed("golden-cancelled", FailureReason.Cancelled, "cancelled while Posted: not needed", T0.AddSeconds(1)),
        ];
        IReadOnlyList<object> requestedJob =
        [
            new JobPosted("golden-requested", JobOf(needs, "golden-requested"), OrchestrationType.Pull, SelectionCriterion.Score, [], needs, "sp-test", Far, T0),
            new SearchStarted("golden-requested", 1, ["cp-golden-a"], 3, new Dictionary<string, int>(), T0),
            new SearchCompleted("golden-requested", [bidA with { JobId = "golden-requested" }], [], [], explanation, T0.AddSeconds(1)),
            new ProviderShortlisted("golden-requested", "cp-golden-a", "ranked 1", T0.AddSeconds(1)),
            new JobRequestSent("golden-requested", "cp-golden-a", T0.AddSeconds(1)),
        ];
        var ended = contract with { ContractId = "golden-ended@cp-golden-a", JobId = "golden-ended", EndsAt = T0.AddHours(1) };
        var revoked = contract with { ContractId = "golden-revoked@cp-golden-a", JobId = "golden-revoked" };
        IReadOnlyList<object> providerA =
        [
            // Written by versions that journaled locks; read by this one, released as they were.
            new ResourcesLocked("cp-golden-a", "golden-old-lock", "sp-test", needs.Resources, [], 1.0m, T0.AddSeconds(30), T0),
            new LockReleased("cp-golden-a", "golden-old-lock", "another provider was contracted", T0.AddSeconds(1)),
            new ContractCommitted("cp-golden-a", contract, [], T0.AddSeconds(4), GoldenProof("sp-test"), GoldenEligibility),
            new ContractCommitted("cp-golden-a", ended, [], T0.AddSeconds(5)),
            // The confirmations that arrived since the last write ride along in the next contract's row.
            new ProviderStepsRecorded("cp-golden-a",
                [new ContractsConfirmed("cp-golden-a", ["golden-contracted", "golden-ended"], T0.AddSeconds(6)), new ContractCommitted("cp-golden-a", revoked, [], T0.AddSeconds(6))]),
            new ContractRevoked("cp-golden-a", "golden-revoked", "the job does not hold it: it moved on", T0.AddSeconds(20)),
            new ContractEnded("cp-golden-a", "golden-ended", T0.AddHours(1)),
        ];
        IReadOnlyList<object> providerB = [new ProviderOffboarding("cp-golden-b", T0.AddSeconds(30))];
        // Version 4: a job that runs a program (its execution part), lost on its first provider and completed on the second;
        // the second provider's allocation, and its own journal.
        var ranNeeds = needs with { Runs = ExecutorType.Wasm, Executors = [ExecutorType.Wasm] };
        var ranDescription = JobOf(needs, "golden-ran") with { Execution = GoldenExecution };
        var firstRun = contract with { ContractId = "golden-ran@cp-golden-b", JobId = "golden-ran", ProviderId = "cp-golden-b" };
        var secondRun = contract with { ContractId = "golden-ran@cp-golden-r", JobId = "golden-ran", ProviderId = "cp-golden-r", EndsAt = T0.AddHours(1) };
        IReadOnlyList<object> ranJob =
        [
            new JobPosted("golden-ran", ranDescription, OrchestrationType.Pull, SelectionCriterion.Score, [], ranNeeds, "sp-test", T0.AddMinutes(2), T0),
            new SearchStarted("golden-ran", 1, ["cp-golden-b"], 3, new Dictionary<string, int>(), T0),
            new SearchCompleted("golden-ran", [bidA with { JobId = "golden-ran", ProviderId = "cp-golden-b" }], [], [], explanation, T0.AddSeconds(1)),
            new ProviderShortlisted("golden-ran", "cp-golden-b", "ranked 1", T0.AddSeconds(1)),
            new ContractClosed("golden-ran", firstRun, T0.AddSeconds(2)),
            new RunStarted("golden-ran", firstRun.ContractId, "cp-golden-b", 1, "akka.tcp://orchestrator@10.0.0.2:4053", T0.AddSeconds(3)),
            new RunEnded("golden-ran", firstRun.ContractId, "cp-golden-b", 1, new RunOutcome(null, RunFailure.ProviderLost, "no word for 10 s"), true,
                T0.AddSeconds(13)),
            new SearchStarted("golden-ran", 2, ["cp-golden-r"], 3, new Dictionary<string, int>(), T0.AddSeconds(13)),
            new SearchCompleted("golden-ran", [bidA with { JobId = "golden-ran", ProviderId = "cp-golden-r" }], [], [], explanation, T0.AddSeconds(14)),
            new ProviderShortlisted("golden-ran", "cp-golden-r", "ranked 1", T0.AddSeconds(14)),
            new ContractClosed("golden-ran", secondRun, T0.AddSeconds(15)),
            new RunStarted("golden-ran", secondRun.ContractId, "cp-golden-r", 2, "akka.tcp://orchestrator@10.0.0.3:4053", T0.AddSeconds(16)),
            new RunEnded("golden-ran", secondRun.ContractId, "cp-golden-r", 2, GoldenOutcome, false, T0.AddSeconds(17)),
        ];
        IReadOnlyList<object> providerR =
        [
            new ContractCommitted("cp-golden-r", secondRun, [], T0.AddSeconds(15)),
            new ContractAllocated("cp-golden-r", "golden-ran", secondRun.ContractId, T0.AddSeconds(16)),
            new ContractEnded("cp-golden-r", "golden-ran", T0.AddSeconds(17)),
        ];
        IReadOnlyList<object> allocation =
        [
            new AllocationStarted("cp-golden-r", "golden-ran", secondRun.ContractId, 2, ExecutorType.Wasm, T0.AddSeconds(16)),
            new AllocationEnded("cp-golden-r", "golden-ran", secondRun.ContractId, GoldenOutcome, T0.AddSeconds(17)),
        ];
        // Version 5: settlements. A job priced per result, settled (proposed with the run's end, countersigned, transferred),
        // and one priced per hour whose receipt the requester disputed; the provider's side of both, and the receipt its
        // allocation signed. Optional fields added without a new manifest: prices per result, a bid's estimate and
        // currency, a ranked provider's expected total, a contract's currency.
        var settledTerms = contract with
        {
            ContractId = "golden-settled@cp-golden-s", JobId = "golden-settled", ProviderId = "cp-golden-s", PricePerHour = 0m, PricePerResult = 4.5m,
            Currency = "NTX", EndsAt = T0.AddHours(1), Runs = ExecutorType.Wasm,
        };
        var disputedTerms = settledTerms with { ContractId = "golden-disputed@cp-golden-s", JobId = "golden-disputed", PricePerHour = 2m, PricePerResult = null };
        var settledBid = bidA with { JobId = "golden-settled", ProviderId = "cp-golden-s", PricePerHour = 0m, PricePerResult = 4.5m, EstimatedMinutes = 20, Currency = "NTX" };
        var settledExplanation = explanation with
        {
            Ranking = [new RankedProvider(1, "cp-golden-s", 0.9, 0m, false, []) { ExpectedTotal = 4.5m, PriceBasis = "4.5 per result" }],
        };
        var outcome = new RunOutcome(0, null, "exited with 0") { StdoutBytes = 25, Outputs = [new OutputFile("result.txt", 11, new string('a', 64))] };
        var receipt = GoldenReceipt;
        var settlement = new Settlement(settledTerms.ContractId, "golden-settled", "sp-test", "cp-golden-s", PriceUnit.Result, 4.5m, "NTX", "completed", 0, 4.5m,
            "completed: 4.5 NTX per result", receipt, T0.AddSeconds(18));
        var disputedReceipt = receipt with { ContractId = disputedTerms.ContractId, JobId = "golden-disputed", Outcome = "exit-code", ExitCode = 3 };
        IReadOnlyList<object> settledJob =
        [
            new JobPosted("golden-settled", ranDescription with { JobId = "golden-settled" }, OrchestrationType.Pull, SelectionCriterion.LowestPrice, [], ranNeeds,
                "sp-test", T0.AddMinutes(2), T0),
            Steps(
                new SearchStarted("golden-settled", 1, ["cp-golden-s"], 1, new Dictionary<string, int>(), T0),
                new SearchCompleted("golden-settled", [settledBid], [], [], settledExplanation, T0.AddSeconds(1)),
                new ProviderShortlisted("golden-settled", "cp-golden-s", "ranked 1", T0.AddSeconds(1)),
                new ContractClosed("golden-settled", settledTerms, T0.AddSeconds(2))),
            Steps(
                new RunStarted("golden-settled", settledTerms.ContractId, "cp-golden-s", 1, "akka.tcp://orchestrator@10.0.0.4:4053", T0.AddSeconds(3)),
                new RunEnded("golden-settled", settledTerms.ContractId, "cp-golden-s", 1, outcome, false, T0.AddSeconds(17)),
                new SettlementProposed("golden-settled", settlement, GoldenProof("cp-golden-s"), GoldenProof("sp-test"), T0.AddSeconds(18))),
            new ContractSettled("golden-settled", settlement, GoldenProof("cp-golden-s"), GoldenProof("sp-test"), GoldenProof("cp-golden-s"), T0.AddSeconds(19)),
            new SettlementTransferred("golden-settled", settledTerms.ContractId, new SettlementTransfer("journal", "recorded 4.5 NTX; nothing moved", T0.AddSeconds(20)),
                T0.AddSeconds(20)),
        ];
        IReadOnlyList<object> disputedJob =
        [
            new JobPosted("golden-disputed", ranDescription with { JobId = "golden-disputed" }, OrchestrationType.Pull, SelectionCriterion.Score, [], ranNeeds,
                "sp-test", T0.AddMinutes(2), T0),
            new ContractClosed("golden-disputed", disputedTerms, T0.AddSeconds(2)),
            new RunEnded("golden-disputed", disputedTerms.ContractId, "cp-golden-s", 1, new RunOutcome(3, RunFailure.ExitCode, "exited with 3"), false,
                T0.AddSeconds(17)),
            new SettlementDisputed("golden-disputed", disputedTerms.ContractId, "cp-golden-s", "requester", "the run ends in the future", disputedReceipt,
                GoldenProof("cp-golden-s"), T0.AddSeconds(18)),
        ];
        IReadOnlyList<object> providerS =
        [
            new ResourcesLocked("cp-golden-s", "golden-settled", "sp-test", needs.Resources, [], 0m, T0.AddSeconds(30), T0) { PricePerResult = 4.5m },
            new ContractCommitted("cp-golden-s", settledTerms, [], T0.AddSeconds(2)),
            new ContractAllocated("cp-golden-s", "golden-settled", settledTerms.ContractId, T0.AddSeconds(3)),
            new ContractEnded("cp-golden-s", "golden-settled", T0.AddSeconds(17), receipt, GoldenProof("cp-golden-s")),
            new ProviderContractSettled("cp-golden-s", settlement, GoldenProof("cp-golden-s"), GoldenProof("sp-test"), GoldenProof("cp-golden-s"), T0.AddSeconds(19)),
            new ContractCommitted("cp-golden-s", disputedTerms, [], T0.AddSeconds(2)),
            new ContractAllocated("cp-golden-s", "golden-disputed", disputedTerms.ContractId, T0.AddSeconds(3)),
            new ContractEnded("cp-golden-s", "golden-disputed", T0.AddSeconds(17), disputedReceipt, GoldenProof("cp-golden-s")),
            new ProviderSettlementDisputed("cp-golden-s", "golden-disputed", disputedTerms.ContractId, "requester", "the run ends in the future", T0.AddSeconds(18)),
            // A run contract revoked before its run started: the receipt of nothing used rides on the revocation.
            new ContractCommitted("cp-golden-s", settledTerms with { ContractId = "golden-unstarted@cp-golden-s", JobId = "golden-unstarted" }, [], T0.AddSeconds(20)),
            new ContractRevoked("cp-golden-s", "golden-unstarted", "the job does not hold it: it moved on", T0.AddSeconds(21),
                GoldenReceipt with { ContractId = "golden-unstarted@cp-golden-s", JobId = "golden-unstarted", Run = 0, StartedAt = T0.AddSeconds(21),
                    EndedAt = T0.AddSeconds(21), WallMs = 0, CpuMs = 0, PeakMemoryBytes = 0, OutputBytes = 0, Outcome = "not-started", ExitCode = null },
                GoldenProof("cp-golden-s")),
        ];
        IReadOnlyList<object> settledAllocation =
        [
            new AllocationStarted("cp-golden-s", "golden-settled", settledTerms.ContractId, 1, ExecutorType.Wasm, T0.AddSeconds(3)),
            new AllocationEnded("cp-golden-s", "golden-settled", settledTerms.ContractId, outcome, T0.AddSeconds(17), receipt, GoldenProof("cp-golden-s")),
        ];
        IReadOnlyList<object> host =
        [
            new ProviderOnboarded("cp-golden-b", RichCapability("cp-golden-b"), T0),
            new ProviderOffboarded("cp-golden-b", T0.AddSeconds(31)),
        ];
        return
        [
            ("job-golden-contracted", contractedJob), ("job-golden-failed", failedJob), ("job-golden-cancelled", cancelledJob),
            ("job-golden-requested", requestedJob), ("provider-cp-golden-a", providerA), ("provider-cp-golden-b", providerB),
            ("provider-host-golden", host), ("job-golden-ran", ranJob), ("provider-cp-golden-r", providerR),
            ("allocation-golden-ran@cp-golden-r", allocation), ("job-golden-settled", settledJob), ("job-golden-disputed", disputedJob),
            ("provider-cp-golden-s", providerS), ("allocation-golden-settled@cp-golden-s", settledAllocation),
        ];
    }
}
