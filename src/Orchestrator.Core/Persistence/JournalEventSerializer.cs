using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Akka.Actor;
using Akka.Serialization;
using Orchestrator.Protocol.Events;
using Orchestrator.Protocol.Messages;

namespace Orchestrator.Persistence;

/// <summary>
/// The journal's format: every job and provider event as JSON (System.Text.Json, source-generated), under a short
/// manifest naming the event and its version (<c>job-posted/1</c>). The manifest is what a reader dispatches on, so an
/// event type can be renamed or moved without touching stored rows, and a new version of an event adds a manifest and
/// keeps the reader of the old one (CONTRIBUTING.md, "Changing an event"). Unknown fields are skipped and absent
/// optional ones take their defaults, so adding an optional field needs no new version.
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

    /// <summary>Every event the journal holds, its manifest, and how it is read. Append only.</summary>
    private static readonly IReadOnlyList<(string Manifest, Type Type, JsonTypeInfo Info)> Formats =
    [
        ("job-posted/1", typeof(JobPosted), JournalJson.Default.JobPosted),
        ("search-started/1", typeof(SearchStarted), JournalJson.Default.SearchStarted),
        ("providers-ruled-out/1", typeof(ProvidersRuledOut), JournalJson.Default.ProvidersRuledOut),
        ("search-completed/1", typeof(SearchCompleted), JournalJson.Default.SearchCompleted),
        ("search-retry/1", typeof(SearchRetryScheduled), JournalJson.Default.SearchRetryScheduled),
        ("shortlisted/1", typeof(ProviderShortlisted), JournalJson.Default.ProviderShortlisted),
        ("job-request-sent/1", typeof(JobRequestSent), JournalJson.Default.JobRequestSent),
        ("resources-confirmed/1", typeof(ResourcesConfirmed), JournalJson.Default.ResourcesConfirmed),
        ("candidate-dropped/1", typeof(CandidateDropped), JournalJson.Default.CandidateDropped),
        ("contract-closed/1", typeof(ContractClosed), JournalJson.Default.ContractClosed),
        ("job-failed/1", typeof(JobFailed), JournalJson.Default.JobFailed),
        ("resources-locked/1", typeof(ResourcesLocked), JournalJson.Default.ResourcesLocked),
        ("lock-released/1", typeof(LockReleased), JournalJson.Default.LockReleased),
        ("contract-committed/1", typeof(ContractCommitted), JournalJson.Default.ContractCommitted),
        ("contract-ended/1", typeof(ContractEnded), JournalJson.Default.ContractEnded),
        ("contracts-confirmed/1", typeof(ContractsConfirmed), JournalJson.Default.ContractsConfirmed),
        ("contract-revoked/1", typeof(ContractRevoked), JournalJson.Default.ContractRevoked),
        ("provider-offboarding/1", typeof(ProviderOffboarding), JournalJson.Default.ProviderOffboarding),
        ("provider-offboarded/1", typeof(ProviderOffboarded), JournalJson.Default.ProviderOffboarded),
        ("provider-onboarded/1", typeof(ProviderOnboarded), JournalJson.Default.ProviderOnboarded),
    ];

    private static readonly Dictionary<Type, (string Manifest, JsonTypeInfo Info)> ByType =
        Formats.ToDictionary(f => f.Type, f => (f.Manifest, f.Info));

    private static readonly Dictionary<string, JsonTypeInfo> ByManifest = Formats.ToDictionary(f => f.Manifest, f => f.Info, StringComparer.Ordinal);

    /// <summary>The manifests this version reads (for tests and docs).</summary>
    public static IEnumerable<(string Manifest, Type Type)> Manifests =>
        Formats.Select(f => (f.Manifest, f.Type)).Append((StepsManifest, typeof(JobStepsRecorded)));

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

    public override string Manifest(object o) =>
        o is JobStepsRecorded ? StepsManifest
        : ByType.TryGetValue(o.GetType(), out var format) ? format.Manifest
        : throw new ArgumentException($"{o.GetType().FullName} has no journal format: add it to {nameof(JournalEventSerializer)}", nameof(o));

    public override byte[] ToBinary(object obj) =>
        obj is JobStepsRecorded steps ? StepsToBinary(steps)
        : ByType.TryGetValue(obj.GetType(), out var format) ? JsonSerializer.SerializeToUtf8Bytes(obj, format.Info)
        : throw new ArgumentException($"{obj.GetType().FullName} has no journal format: add it to {nameof(JournalEventSerializer)}", nameof(obj));

    public override object FromBinary(byte[] bytes, string manifest) =>
        manifest == StepsManifest ? StepsFromBinary(bytes)
        : ByManifest.TryGetValue(manifest, out var info)
            ? JsonSerializer.Deserialize(bytes, info) ?? throw new System.Runtime.Serialization.SerializationException($"journal event '{manifest}' read as null")
            : throw new System.Runtime.Serialization.SerializationException($"unknown journal event manifest '{manifest}' (written by a newer version?)");

    private static byte[] StepsToBinary(JobStepsRecorded steps)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("jobId", steps.JobId);
            writer.WriteStartArray("steps");
            foreach (var step in steps.Steps)
            {
                if (!ByType.TryGetValue(step.GetType(), out var format))
                    throw new ArgumentException($"{step.GetType().FullName} cannot be a step of {nameof(JobStepsRecorded)}", nameof(steps));
                writer.WriteStartObject();
                writer.WriteString("manifest", format.Manifest);
                writer.WritePropertyName("event");
                JsonSerializer.Serialize(writer, step, format.Info);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static JobStepsRecorded StepsFromBinary(byte[] bytes)
    {
        using var document = JsonDocument.Parse(bytes);
        var root = document.RootElement;
        var steps = root.GetProperty("steps").EnumerateArray().Select(step =>
        {
            var manifest = step.GetProperty("manifest").GetString() ?? "";
            if (!ByManifest.TryGetValue(manifest, out var info) || step.GetProperty("event").Deserialize(info) is not IJobEvent e)
                throw new System.Runtime.Serialization.SerializationException($"unknown job step manifest '{manifest}' in '{StepsManifest}'");
            return e;
        }).ToArray();
        return new JobStepsRecorded(root.GetProperty("jobId").GetString()!, steps);
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
[JsonSerializable(typeof(JobPosted))]
[JsonSerializable(typeof(SearchStarted))]
[JsonSerializable(typeof(ProvidersRuledOut))]
[JsonSerializable(typeof(SearchCompleted))]
[JsonSerializable(typeof(SearchRetryScheduled))]
[JsonSerializable(typeof(ProviderShortlisted))]
[JsonSerializable(typeof(JobRequestSent))]
[JsonSerializable(typeof(ResourcesConfirmed))]
[JsonSerializable(typeof(CandidateDropped))]
[JsonSerializable(typeof(ContractClosed))]
[JsonSerializable(typeof(JobFailed))]
[JsonSerializable(typeof(ResourcesLocked))]
[JsonSerializable(typeof(LockReleased))]
[JsonSerializable(typeof(ContractCommitted))]
[JsonSerializable(typeof(ContractEnded))]
[JsonSerializable(typeof(ContractsConfirmed))]
[JsonSerializable(typeof(ContractRevoked))]
[JsonSerializable(typeof(ProviderOffboarding))]
[JsonSerializable(typeof(ProviderOffboarded))]
[JsonSerializable(typeof(ProviderOnboarded))]
internal sealed partial class JournalJson : JsonSerializerContext;
