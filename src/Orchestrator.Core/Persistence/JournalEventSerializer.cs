using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Akka.Actor;
using Akka.Serialization;
using Orchestrator.Protocol.Events;
using Orchestrator.Protocol.Messages;
using Orchestrator.Persistence.Journal;

namespace Orchestrator.Persistence;

/// <summary>
/// The journal's format: every job and provider event as JSON (System.Text.Json, source-generated), under a short
/// manifest naming the event and its version (<c>job-posted/1</c>). The manifest is what a reader dispatches on, so an
/// event type can be renamed or moved without touching stored rows, and a new version of an event adds a manifest and
/// keeps the reader of the old one (CONTRIBUTING.md, "Changing an event"). Unknown fields are skipped and absent
/// optional ones take their defaults, so adding an optional field needs no new version. What a row holds is defined by
/// the journal's own records (<c>Persistence/Journal</c>, one per manifest), mapped to and from the events the actors
/// use: a message or model type of the protocol or the API can change without a stored row changing meaning.
/// </summary>
/// <remarks>
/// Hyperion stays the serializer of messages between nodes and actor systems; rows written before this serializer
/// existed name Hyperion's id and are still read by it. JSON was chosen over Hyperion and Protocol Buffers by what it
/// costs and what it allows: a SearchCompleted of 16 bids serializes and reads back in about the time Hyperion takes
/// (the figures are in the README, "Performance"), needs no schema compiler in the build, and an operator can read a row.
/// </remarks>
public sealed class JournalEventSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    /// <summary>The serializer id stored in every row it writes: never change it.</summary>
    public const int SerializerId = 731;

    /// <summary>Every event the journal holds: its manifest, the record it is stored as, and the mapping both ways. Append only.</summary>
    private static readonly IReadOnlyList<Format> Formats =
    [
        Format.Of<JobPosted, JobPostedV1>("job-posted/1", JournalJson.Default.JobPostedV1, JobPostedV1.From, r => r.ToEvent()),
        Format.Of<SearchStarted, SearchStartedV1>("search-started/1", JournalJson.Default.SearchStartedV1, SearchStartedV1.From, r => r.ToEvent()),
        Format.Of<ProvidersRuledOut, ProvidersRuledOutV1>("providers-ruled-out/1", JournalJson.Default.ProvidersRuledOutV1, ProvidersRuledOutV1.From, r => r.ToEvent()),
        Format.Of<SearchCompleted, SearchCompletedV1>("search-completed/1", JournalJson.Default.SearchCompletedV1, SearchCompletedV1.From, r => r.ToEvent()),
        Format.Of<SearchRetryScheduled, SearchRetryScheduledV1>("search-retry/1", JournalJson.Default.SearchRetryScheduledV1, SearchRetryScheduledV1.From, r => r.ToEvent()),
        Format.Of<ProviderShortlisted, ProviderShortlistedV1>("shortlisted/1", JournalJson.Default.ProviderShortlistedV1, ProviderShortlistedV1.From, r => r.ToEvent()),
        Format.Of<JobRequestSent, JobRequestSentV1>("job-request-sent/1", JournalJson.Default.JobRequestSentV1, JobRequestSentV1.From, r => r.ToEvent()),
        Format.Of<ResourcesConfirmed, ResourcesConfirmedV1>("resources-confirmed/1", JournalJson.Default.ResourcesConfirmedV1, ResourcesConfirmedV1.From, r => r.ToEvent()),
        Format.Of<CandidateDropped, CandidateDroppedV1>("candidate-dropped/1", JournalJson.Default.CandidateDroppedV1, CandidateDroppedV1.From, r => r.ToEvent()),
        Format.Of<ContractClosed, ContractClosedV1>("contract-closed/1", JournalJson.Default.ContractClosedV1, ContractClosedV1.From, r => r.ToEvent()),
        Format.Of<JobFailed, JobFailedV1>("job-failed/1", JournalJson.Default.JobFailedV1, JobFailedV1.From, r => r.ToEvent()),
        Format.Of<ResourcesLocked, ResourcesLockedV1>("resources-locked/1", JournalJson.Default.ResourcesLockedV1, ResourcesLockedV1.From, r => r.ToEvent()),
        Format.Of<LockReleased, LockReleasedV1>("lock-released/1", JournalJson.Default.LockReleasedV1, LockReleasedV1.From, r => r.ToEvent()),
        Format.Of<ContractCommitted, ContractCommittedV1>("contract-committed/1", JournalJson.Default.ContractCommittedV1, ContractCommittedV1.From, r => r.ToEvent()),
        Format.Of<ContractEnded, ContractEndedV1>("contract-ended/1", JournalJson.Default.ContractEndedV1, ContractEndedV1.From, r => r.ToEvent()),
        Format.Of<ContractsConfirmed, ContractsConfirmedV1>("contracts-confirmed/1", JournalJson.Default.ContractsConfirmedV1, ContractsConfirmedV1.From, r => r.ToEvent()),
        Format.Of<ContractRevoked, ContractRevokedV1>("contract-revoked/1", JournalJson.Default.ContractRevokedV1, ContractRevokedV1.From, r => r.ToEvent()),
        Format.Of<ProviderOffboarding, ProviderOffboardingV1>("provider-offboarding/1", JournalJson.Default.ProviderOffboardingV1, ProviderOffboardingV1.From, r => r.ToEvent()),
        Format.Of<ProviderOffboarded, ProviderOffboardedV1>("provider-offboarded/1", JournalJson.Default.ProviderOffboardedV1, ProviderOffboardedV1.From, r => r.ToEvent()),
        Format.Of<ProviderOnboarded, ProviderOnboardedV1>("provider-onboarded/1", JournalJson.Default.ProviderOnboardedV1, ProviderOnboardedV1.From, r => r.ToEvent()),
        Format.Of<RunStarted, RunStartedV1>("run-started/1", JournalJson.Default.RunStartedV1, RunStartedV1.From, r => r.ToEvent()),
        Format.Of<RunEnded, RunEndedV1>("run-ended/1", JournalJson.Default.RunEndedV1, RunEndedV1.From, r => r.ToEvent()),
        Format.Of<ContractAllocated, ContractAllocatedV1>("contract-allocated/1", JournalJson.Default.ContractAllocatedV1, ContractAllocatedV1.From, r => r.ToEvent()),
        Format.Of<AllocationStarted, AllocationStartedV1>("allocation-started/1", JournalJson.Default.AllocationStartedV1, AllocationStartedV1.From, r => r.ToEvent()),
        Format.Of<AllocationEnded, AllocationEndedV1>("allocation-ended/1", JournalJson.Default.AllocationEndedV1, AllocationEndedV1.From, r => r.ToEvent()),
        Format.Of<SettlementProposed, SettlementProposedV1>("settlement-proposed/1", JournalJson.Default.SettlementProposedV1, SettlementProposedV1.From, r => r.ToEvent()),
        Format.Of<ContractSettled, ContractSettledV1>("contract-settled/1", JournalJson.Default.ContractSettledV1, ContractSettledV1.From, r => r.ToEvent()),
        Format.Of<SettlementDisputed, SettlementDisputedV1>("settlement-disputed/1", JournalJson.Default.SettlementDisputedV1, SettlementDisputedV1.From, r => r.ToEvent()),
        Format.Of<SettlementTransferred, SettlementTransferredV1>("settlement-transferred/1", JournalJson.Default.SettlementTransferredV1, SettlementTransferredV1.From,
            r => r.ToEvent()),
        Format.Of<ProviderContractSettled, ProviderContractSettledV1>("provider-contract-settled/1", JournalJson.Default.ProviderContractSettledV1,
            ProviderContractSettledV1.From, r => r.ToEvent()),
        Format.Of<ProviderSettlementDisputed, ProviderSettlementDisputedV1>("provider-settlement-disputed/1", JournalJson.Default.ProviderSettlementDisputedV1,
            ProviderSettlementDisputedV1.From, r => r.ToEvent()),
    ];

    private static readonly Dictionary<Type, Format> ByType = Formats.ToDictionary(f => f.Type);

    private static readonly Dictionary<string, Format> ByManifest = Formats.ToDictionary(f => f.Manifest, StringComparer.Ordinal);

    /// <summary>The journal records (one per manifest) each event is stored as (for tests).</summary>
    public static IEnumerable<Type> RecordTypes => Formats.Select(f => f.RecordType);

    /// <summary>The manifests this version reads (for tests and docs).</summary>
    public static IEnumerable<(string Manifest, Type Type)> Manifests =>
        Formats.Select(f => (f.Manifest, f.Type)).Append((StepsManifest, typeof(JobStepsRecorded))).Append((ProviderStepsManifest, typeof(ProviderStepsRecorded)));

    /// <summary>
    /// The event types this serializer is bound to, each by its exact type: Akka takes the first binding that matches
    /// (not the most specific), and every event is also an <c>IOrchestratorMessage</c>, bound to Hyperion.
    /// </summary>
    public static Type[] BoundTypes => Manifests.Select(f => f.Type).ToArray();

    /// <summary>The same binding as HOCON, for an actor system configured without Akka.Hosting (tests).</summary>
    public static string BindingHocon =>
        $"akka.actor.serializers.orchestrator-journal = \"{typeof(JournalEventSerializer).FullName}, {typeof(JournalEventSerializer).Assembly.GetName().Name}\"\n" +
        string.Concat(Manifests.Select(f =>
            $"akka.actor.serialization-bindings.\"{f.Type.FullName}, {f.Type.Assembly.GetName().Name}\" = orchestrator-journal\n"));

    public override int Identifier => SerializerId;

    /// <summary>
    /// Several steps of a job in one row: <c>{"jobId": …, "steps": [{"manifest": "job-posted/1", "event": {…}}, …]}</c>,
    /// each step in its own format under its own manifest, so each evolves on its own.
    /// </summary>
    public const string StepsManifest = "job-steps/1";

    /// <summary>A provider's events in one row, as <see cref="StepsManifest"/> for a job: <c>{"providerId": …, "steps": […]}</c>.</summary>
    public const string ProviderStepsManifest = "provider-steps/1";

    public override string Manifest(object o) =>
        o is JobStepsRecorded ? StepsManifest
        : o is ProviderStepsRecorded ? ProviderStepsManifest
        : ByType.TryGetValue(o.GetType(), out var format) ? format.Manifest
        : throw new ArgumentException($"{o.GetType().FullName} has no journal format: add it to {nameof(JournalEventSerializer)}", nameof(o));

    public override byte[] ToBinary(object obj) =>
        obj is JobStepsRecorded steps ? StepsToBinary("jobId", steps.JobId, steps.Steps)
        : obj is ProviderStepsRecorded providerSteps ? StepsToBinary("providerId", providerSteps.ProviderId, providerSteps.Steps)
        : ByType.TryGetValue(obj.GetType(), out var format) ? format.Write(obj)
        : throw new ArgumentException($"{obj.GetType().FullName} has no journal format: add it to {nameof(JournalEventSerializer)}", nameof(obj));

    public override object FromBinary(byte[] bytes, string manifest) =>
        manifest == StepsManifest ? StepsFromBinary<IJobEvent>(bytes, StepsManifest, "jobId", (id, steps) => new JobStepsRecorded(id, steps))
        : manifest == ProviderStepsManifest
            ? StepsFromBinary<IProviderEvent>(bytes, ProviderStepsManifest, "providerId", (id, steps) => new ProviderStepsRecorded(id, steps))
        : ByManifest.TryGetValue(manifest, out var format)
            ? format.Read(bytes)
            : throw new System.Runtime.Serialization.SerializationException($"unknown journal event manifest '{manifest}' (written by a newer version?)");

    private static byte[] StepsToBinary(string idName, string id, IEnumerable<object> steps)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString(idName, id);
            writer.WriteStartArray("steps");
            foreach (var step in steps)
            {
                if (!ByType.TryGetValue(step.GetType(), out var format))
                    throw new ArgumentException($"{step.GetType().FullName} cannot be a step of a row of steps", nameof(steps));
                writer.WriteStartObject();
                writer.WriteString("manifest", format.Manifest);
                writer.WritePropertyName("event");
                format.Write(writer, step);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static object StepsFromBinary<TStep>(byte[] bytes, string rowManifest, string idName, Func<string, TStep[], object> create)
    {
        using var document = JsonDocument.Parse(bytes);
        var root = document.RootElement;
        var steps = root.GetProperty("steps").EnumerateArray().Select(step =>
        {
            var manifest = step.GetProperty("manifest").GetString() ?? "";
            if (!ByManifest.TryGetValue(manifest, out var format) || format.Read(step.GetProperty("event")) is not TStep e)
                throw new System.Runtime.Serialization.SerializationException($"unknown step manifest '{manifest}' in '{rowManifest}'");
            return e;
        }).ToArray();
        return create(root.GetProperty(idName).GetString()!, steps);
    }
}

/// <summary>One event's stored form: its manifest, the journal record it is written as, and the mapping both ways.</summary>
internal abstract class Format(string manifest, Type type, Type recordType)
{
    public string Manifest { get; } = manifest;
    public Type Type { get; } = type;
    public Type RecordType { get; } = recordType;

    public abstract byte[] Write(object e);

    public abstract void Write(Utf8JsonWriter writer, object e);

    public abstract object Read(byte[] bytes);

    public abstract object Read(JsonElement element);

    public static Format Of<TEvent, TRecord>(string manifest, JsonTypeInfo<TRecord> info, Func<TEvent, TRecord> toRecord, Func<TRecord, TEvent> toEvent)
        where TEvent : notnull => new Typed<TEvent, TRecord>(manifest, info, toRecord, toEvent);

    private sealed class Typed<TEvent, TRecord>(string manifest, JsonTypeInfo<TRecord> info, Func<TEvent, TRecord> toRecord, Func<TRecord, TEvent> toEvent)
        : Format(manifest, typeof(TEvent), typeof(TRecord)) where TEvent : notnull
    {
        public override byte[] Write(object e) => JsonSerializer.SerializeToUtf8Bytes(toRecord((TEvent)e), info);

        public override void Write(Utf8JsonWriter writer, object e) => JsonSerializer.Serialize(writer, toRecord((TEvent)e), info);

        public override object Read(byte[] bytes) => toEvent(JsonSerializer.Deserialize(bytes, info) ?? throw Null());

        public override object Read(JsonElement element) => toEvent(element.Deserialize(info) ?? throw Null());

        private System.Runtime.Serialization.SerializationException Null() => new($"journal event '{Manifest}' read as null");
    }
}

/// <summary>
/// The journal's JSON: camelCase, enums by name, nulls written out (a null is a value, not a missing field); tolerant of fields it does not know (a newer version's
/// optional additions), strict about what an event cannot do without: a constructor parameter without a default, or a
/// non-nullable field, missing or null fails the read loudly instead of recovering a job with a hole in it.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    UseStringEnumConverter = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip,
    RespectRequiredConstructorParameters = true,
    RespectNullableAnnotations = true)]
[JsonSerializable(typeof(JobPostedV1))]
[JsonSerializable(typeof(SearchStartedV1))]
[JsonSerializable(typeof(ProvidersRuledOutV1))]
[JsonSerializable(typeof(SearchCompletedV1))]
[JsonSerializable(typeof(SearchRetryScheduledV1))]
[JsonSerializable(typeof(ProviderShortlistedV1))]
[JsonSerializable(typeof(JobRequestSentV1))]
[JsonSerializable(typeof(ResourcesConfirmedV1))]
[JsonSerializable(typeof(CandidateDroppedV1))]
[JsonSerializable(typeof(ContractClosedV1))]
[JsonSerializable(typeof(JobFailedV1))]
[JsonSerializable(typeof(ResourcesLockedV1))]
[JsonSerializable(typeof(LockReleasedV1))]
[JsonSerializable(typeof(ContractCommittedV1))]
[JsonSerializable(typeof(ContractEndedV1))]
[JsonSerializable(typeof(ContractsConfirmedV1))]
[JsonSerializable(typeof(ContractRevokedV1))]
[JsonSerializable(typeof(ProviderOffboardingV1))]
[JsonSerializable(typeof(ProviderOffboardedV1))]
[JsonSerializable(typeof(ProviderOnboardedV1))]
[JsonSerializable(typeof(RunStartedV1))]
[JsonSerializable(typeof(RunEndedV1))]
[JsonSerializable(typeof(ContractAllocatedV1))]
[JsonSerializable(typeof(AllocationStartedV1))]
[JsonSerializable(typeof(AllocationEndedV1))]
[JsonSerializable(typeof(SettlementProposedV1))]
[JsonSerializable(typeof(ContractSettledV1))]
[JsonSerializable(typeof(SettlementDisputedV1))]
[JsonSerializable(typeof(SettlementTransferredV1))]
[JsonSerializable(typeof(ProviderContractSettledV1))]
[JsonSerializable(typeof(ProviderSettlementDisputedV1))]
internal sealed partial class JournalJson : JsonSerializerContext;
