using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Akka.Actor;
using Akka.Configuration;
using Akka.TestKit.Xunit2;
using Orchestrator.Persistence;
using Orchestrator.Protocol.Messages;
using Orchestrator.Protocol.Model;

namespace Orchestrator.Tests.Persistence;

/// <summary>
/// What a journal row holds is the journal's own: its records, not the protocol's messages, and the names it stores
/// enums by. These tests keep it so: a record that reaches into the protocol, a mapping that drops a field an old row
/// holds, or an enum member renamed under the rows that name it, fails here.
/// </summary>
public sealed class JournalFormatTests() : TestKit(ConfigurationFactory.ParseString(JournalEventSerializer.BindingHocon))
{
    private static readonly Assembly Protocol = typeof(IOrchestratorMessage).Assembly;

    [Fact]
    public void Journal_records_hold_no_protocol_type_but_enums()
    {
        var seen = new HashSet<Type>();
        var offenders = new List<string>();
        foreach (var record in JournalEventSerializer.RecordTypes) Walk(record, record.Name, seen, offenders);
        Assert.True(seen.Count > 30, $"only {seen.Count} types reached: the walk is broken");
        Assert.Empty(offenders);
    }

    [Fact]
    public void Rewriting_a_version_1_row_keeps_every_field_it_holds_with_its_value()
    {
        var serializer = (JournalEventSerializer)Sys.Serialization.FindSerializerForType(typeof(Orchestrator.Protocol.Events.JobPosted));
        var rows = Directory.GetFiles("Golden", "journal-v*.jsonl").SelectMany(File.ReadAllLines).Select(l => JsonNode.Parse(l)!).ToList();
        Assert.NotEmpty(rows);
        foreach (var row in rows)
        {
            var manifest = row["manifest"]!.GetValue<string>();
            var e = serializer.FromBinary(Encoding.UTF8.GetBytes(row["payload"]!.ToJsonString()), manifest);
            Assert.Equal(manifest, serializer.Manifest(e));
            var rewritten = JsonNode.Parse(serializer.ToBinary(e));
            AssertHolds(row["payload"], rewritten, $"{row["persistenceId"]}#{row["sequenceNr"]} ({manifest})");
        }
    }

    /// <summary>Every name an enum is stored by in version 1. A member may be added; none of these may change or go.</summary>
    private static readonly Dictionary<Type, string[]> StoredNames = new()
    {
        [typeof(OrchestrationType)] = ["Pull", "Push"],
        [typeof(ExecutorType)] = ["Docker", "Firecracker", "Wasm", "Simulated"],
        [typeof(RunFailure)] = ["ExitCode", "ExecutorError", "MemoryLimit", "DurationExceeded", "ProviderLost", "Cancelled", "Interrupted"],
        [typeof(RestartMode)] = ["Never", "OnFailure"],
        [typeof(JobType)] = ["batch", "single_run", "recurring", "long_running"],
        [typeof(SelectionCriterion)] = ["Score", "LowestPrice", "EarliestBid"],
        [typeof(LabelOperator)] = ["=", "!=", "in", "not in", "exists", "<", "<=", ">", ">="],
        [typeof(ResourceDimension)] = ["cpuCores", "cpuClockMhz", "ramMb", "diskGb", "gpuVramMb"],
        [typeof(FailureReason)] =
        [
            "NoEligibleProvider", "AllCandidatesDeclined", "VerificationFailed", "DeadlinePassed", "Cancelled", "ExitCode", "ExecutorError", "MemoryLimit",
            "DurationExceeded", "ProviderLost", "Interrupted",
        ],
        [typeof(DeclineReason)] =
        [
            "InsufficientCpu", "InsufficientRam", "InsufficientDisk", "GpuUnavailable", "ExecutorUnsupported", "LocalityMismatch", "PriceAboveMaximum",
            "JobTypeUnsupported", "ArchitectureMismatch", "CpuClockTooLow", "DiskTypeMismatch", "LibraryMissing", "StorageUnavailable",
            "ConnectivityMismatch", "CurrencyMismatch", "BudgetExceeded", "DurationTooLong", "LabelMismatch", "UnknownProvider", "VerificationFailed",
            "LeaseExpired", "NotLocked", "LibraryVersion", "ProviderOffboarding",
        ],
        [typeof(ExchangePhase)] = ["Bid", "JobRequest", "ContractClosure"],
        [typeof(ParticipantRole)] = ["service-provider", "compute-provider"],
        [typeof(PriceUnit)] = ["hour", "result"],
    };

    [Fact]
    public void Every_enum_a_row_holds_keeps_the_names_old_rows_are_stored_by()
    {
        var seen = new HashSet<Type>();
        foreach (var record in JournalEventSerializer.RecordTypes) Walk(record, record.Name, seen, []);
        var enums = seen.Where(t => t.IsEnum).ToHashSet();
        // Every enum the records hold is pinned (a new one is added to the list above with its names).
        Assert.Equal(StoredNames.Keys.Select(t => t.Name).Order(), enums.Select(t => t.Name).Order());

        var options = new JsonSerializerOptions { Converters = { new JsonStringEnumConverter() } };
        foreach (var (type, names) in StoredNames)
        {
            var now = Enum.GetValues(type).Cast<object>().Select(v => JsonSerializer.Deserialize<string>(JsonSerializer.Serialize(v, type, options))!).ToHashSet();
            var missing = names.Where(n => !now.Contains(n)).ToList();
            Assert.True(missing.Count == 0, $"{type.Name} no longer has {string.Join(", ", missing)}: old rows name it");
            // And each name still reads back as a member.
            foreach (var name in names) Assert.True(Enum.IsDefined(type, JsonSerializer.Deserialize($"\"{name}\"", type, options)!), $"{type.Name}.{name}");
        }
    }

    private static void Walk(Type type, string path, HashSet<Type> seen, List<string> offenders)
    {
        if (Nullable.GetUnderlyingType(type) is { } inner) type = inner;
        if (type.IsArray)
        {
            Walk(type.GetElementType()!, path + "[]", seen, offenders);
            return;
        }

        if (type.IsGenericType)
        {
            foreach (var argument in type.GetGenericArguments()) Walk(argument, $"{path}<{argument.Name}>", seen, offenders);
            if (type.GetGenericTypeDefinition() != typeof(Dictionary<,>)) offenders.Add($"{path}: {type.Name} (records hold arrays and dictionaries)");
            return;
        }

        if (!seen.Add(type) || type.IsPrimitive || type == typeof(string) || type == typeof(decimal) || type == typeof(DateTimeOffset) || type == typeof(TimeSpan))
            return;
        if (type.Assembly == Protocol && !type.IsEnum) offenders.Add($"{path}: {type.FullName} is the protocol's");
        if (type.IsEnum) return;
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
            Walk(property.PropertyType, $"{path}.{property.Name}", seen, offenders);
    }

    /// <summary>Every property of <paramref name="old"/> is in <paramref name="now"/> with the same value; arrays element by element.</summary>
    private static void AssertHolds(JsonNode? old, JsonNode? now, string path)
    {
        switch (old)
        {
            case null:
                Assert.True(now is null, $"{path}: null became {now?.ToJsonString()}");
                break;
            case JsonObject o:
                var n = Assert.IsType<JsonObject>(now);
                foreach (var (name, value) in o)
                {
                    Assert.True(n.ContainsKey(name), $"{path}.{name} is no longer written");
                    AssertHolds(value, n[name], $"{path}.{name}");
                }

                break;
            case JsonArray a:
                var b = Assert.IsType<JsonArray>(now);
                Assert.True(a.Count == b.Count, $"{path}: {a.Count} element(s) became {b.Count}");
                for (var i = 0; i < a.Count; i++) AssertHolds(a[i], b[i], $"{path}[{i}]");
                break;
            default:
                Assert.True(JsonNode.DeepEquals(old, now), $"{path}: {old.ToJsonString()} became {now?.ToJsonString()}");
                break;
        }
    }
}
