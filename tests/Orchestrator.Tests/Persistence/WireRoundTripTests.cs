using System.Collections;
using System.Collections.Immutable;
using System.Reflection;
using Akka.Actor;
using Akka.Configuration;
using Akka.Serialization;
using Akka.TestKit.Xunit2;
using Orchestrator.Protocol.Messages;

namespace Orchestrator.Tests.Persistence;

/// <summary>
/// Every message and event of the protocol (each concrete <see cref="IOrchestratorMessage"/>: what crosses nodes, what
/// clients send, what the journal stores) goes through the serializer a node binds for it and comes back the same:
/// serialized again, it gives the same bytes. Each is built with a value in every field, so a field the serializer
/// drops or mangles shows. New types are picked up by reflection: nothing to register.
/// </summary>
public class WireRoundTripTests() : TestKit(NodeSerialization)
{
    // The node's bindings (Orchestrator.Client's WithOrchestratorSerialization, and the journal's format), as HOCON.
    private static readonly Config NodeSerialization = ConfigurationFactory.ParseString("""
        akka.actor.serializers.hyperion = "Akka.Serialization.HyperionSerializer, Akka.Serialization.Hyperion"
        akka.actor.serialization-bindings {
          "Orchestrator.Protocol.Messages.IOrchestratorMessage, Orchestrator.Protocol" = hyperion
        }
        """).WithFallback(ConfigurationFactory.ParseString(Orchestrator.Persistence.JournalEventSerializer.BindingHocon));

    private static readonly Assembly Protocol = typeof(IOrchestratorMessage).Assembly;

    private static string[] MessageTypeNames() =>
        Protocol.GetTypes().Where(t => typeof(IOrchestratorMessage).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false })
            .Select(t => t.FullName!).Order(StringComparer.Ordinal).ToArray();

    public static TheoryData<string> MessageTypes() => new(MessageTypeNames());

    [Fact]
    public void The_protocol_has_the_messages_it_should()
    {
        // A guard for the reflection below: it must find the protocol, all of it.
        var names = MessageTypeNames();
        Assert.True(names.Length >= 50, $"only {names.Length} message types found");
        Assert.Contains(typeof(ContractQuery).FullName, names);
        Assert.Contains(typeof(Orchestrator.Protocol.Events.ContractRevoked).FullName, names);
    }

    /// <summary>
    /// What may cross a process boundary is in the public protocol, and all of it is tested above; a signal between the
    /// actors of one node is an internal type of the library that wears no protocol marker (CONTRIBUTING.md, "Where a
    /// message goes").
    /// </summary>
    [Fact]
    public void Only_the_public_protocol_wears_the_protocol_markers()
    {
        var library = typeof(Orchestrator.Hosting.OrchestratorOptions).Assembly;
        Assert.Empty(library.GetTypes().Where(t => typeof(IOrchestratorMessage).IsAssignableFrom(t)).Select(t => t.FullName));
        Assert.Empty(Protocol.GetTypes().Where(t => typeof(IOrchestratorMessage).IsAssignableFrom(t) && t is { IsInterface: false } && !(t.IsPublic || t.IsNestedPublic))
            .Select(t => t.FullName));
        // The node's own signals are where the rule puts them.
        Assert.False(library.GetType("Orchestrator.Providers.ProviderGone")!.IsPublic);
        Assert.Null(Protocol.GetType("Orchestrator.Protocol.Messages.ProviderGone"));
    }

    [Theory]
    [MemberData(nameof(MessageTypes))]
    public void Every_message_survives_the_node_s_serializer(string typeName)
    {
        var type = Protocol.GetType(typeName, throwOnError: true)!;
        var original = new Samples(TestActor).Of(type, 0)!;
        var serializer = Sys.Serialization.FindSerializerFor(original);
        // Events are the journal's, in its own format; everything else crosses the wire with Hyperion.
        if (original is IJobEvent or IProviderEvent) Assert.IsType<Orchestrator.Persistence.JournalEventSerializer>(serializer);
        else Assert.IsType<HyperionSerializer>(serializer);

        var bytes = serializer.ToBinary(original);
        var back = Sys.Serialization.Deserialize(bytes, serializer.Identifier, Akka.Serialization.Serialization.ManifestFor(serializer, original));
        Assert.IsType(type, back);
        Assert.Equal(Convert.ToBase64String(bytes), Convert.ToBase64String(serializer.ToBinary(back)));
        // Field by field too: a serializer that leaves a field out would give the same bytes twice.
        AssertSameFields(original, back, type.Name);
    }

    /// <summary>Every field (public or not), recursively; collections element by element, whatever their runtime type.</summary>
    internal static void AssertSameFields(object? expected, object? actual, string path)
    {
        if (expected is null || actual is null)
        {
            Assert.True(expected is null && actual is null, $"{path}: {expected ?? "null"} came back as {actual ?? "null"}");
            return;
        }

        var type = expected.GetType();
        if (type.IsPrimitive || type.IsEnum || expected is string or decimal or DateTimeOffset or DateTime or TimeSpan or Guid || expected is IActorRef)
        {
            Assert.True(expected.Equals(actual), $"{path}: {expected} came back as {actual}");
            return;
        }

        if (expected is IEnumerable sequence)
        {
            var left = sequence.Cast<object?>().ToArray();
            var right = Assert.IsAssignableFrom<IEnumerable>(actual).Cast<object?>().ToArray();
            Assert.True(left.Length == right.Length, $"{path}: {left.Length} element(s) came back as {right.Length}");
            for (var i = 0; i < left.Length; i++) AssertSameFields(left[i], right[i], $"{path}[{i}]");
            return;
        }

        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(KeyValuePair<,>))
        {
            AssertSameFields(type.GetProperty("Key")!.GetValue(expected), type.GetProperty("Key")!.GetValue(actual), path + ".Key");
            AssertSameFields(type.GetProperty("Value")!.GetValue(expected), type.GetProperty("Value")!.GetValue(actual), path + ".Value");
            return;
        }

        for (var t = type; t is not null && t != typeof(object); t = t.BaseType)
            foreach (var field in t.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
                AssertSameFields(field.GetValue(expected), field.GetValue(actual), $"{path}.{field.Name}");
    }

    /// <summary>A value for every field: non-default scalars, one element in every collection, nested records filled in.</summary>
    private sealed class Samples(IActorRef actor)
    {
        private static readonly DateTimeOffset At = new(2026, 11, 29, 12, 0, 0, 123, TimeSpan.Zero);

        public object? Of(Type type, int depth)
        {
            if (Nullable.GetUnderlyingType(type) is { } inner) return Of(inner, depth);
            if (type == typeof(string)) return "s" + depth;
            if (type == typeof(bool)) return true;
            if (type == typeof(int)) return 3;
            if (type == typeof(long)) return 5L;
            if (type == typeof(double)) return 0.5;
            if (type == typeof(float)) return 0.25f;
            if (type == typeof(decimal)) return 1.25m;
            if (type == typeof(DateTimeOffset)) return At;
            if (type == typeof(DateTime)) return At.UtcDateTime;
            if (type == typeof(TimeSpan)) return TimeSpan.FromMilliseconds(1500);
            if (type == typeof(Guid)) return new Guid("01234567-89ab-cdef-0123-456789abcdef");
            if (type == typeof(byte[])) return new byte[] { 1, 2, 3 };
            if (type.IsEnum) return Enum.GetValues(type).Cast<object>().Last();
            if (typeof(IActorRef).IsAssignableFrom(type)) return actor;
            // Steps written together: real steps, each filled in from the top (not cut off by the depth limit below).
            if (type == typeof(Orchestrator.Protocol.Events.JobStepsRecorded))
                return new Orchestrator.Protocol.Events.JobStepsRecorded("s0",
                    [(IJobEvent)Of(typeof(Orchestrator.Protocol.Events.JobPosted), 0)!, (IJobEvent)Of(typeof(Orchestrator.Protocol.Events.ContractClosed), 0)!]);
            if (depth > 5) return null;
            if (type.IsArray) return Array(type.GetElementType()!, depth);
            if (type.IsGenericType && Collection(type, depth) is { } collection) return collection;
            if (type.IsInterface || type.IsAbstract)
            {
                var concrete = Protocol.GetTypes().FirstOrDefault(t => type.IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false });
                return concrete is null ? null : Of(concrete, depth + 1);
            }

            var constructor = type.GetConstructors().OrderByDescending(c => c.GetParameters().Length).FirstOrDefault();
            if (constructor is null) return Activator.CreateInstance(type);
            var value = constructor.Invoke(constructor.GetParameters().Select(p => Of(p.ParameterType, depth + 1)).ToArray());
            // Properties outside the constructor (init-only extras such as JobStatus.Signatures) get values too.
            var parameters = constructor.GetParameters().Select(p => p.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
            foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
                         .Where(p => p.CanWrite && p.SetMethod!.IsPublic && !parameters.Contains(p.Name) && p.GetIndexParameters().Length == 0))
                property.SetValue(value, Of(property.PropertyType, depth + 1));
            return value;
        }

        private Array Array(Type element, int depth)
        {
            // Past the depth limit an element would be null, which no real collection holds: then the collection is empty.
            var value = Of(element, depth + 1);
            var array = System.Array.CreateInstance(element, value is null ? 0 : 1);
            if (value is not null) array.SetValue(value, 0);
            return array;
        }

        private object? Collection(Type type, int depth)
        {
            var definition = type.GetGenericTypeDefinition();
            var args = type.GetGenericArguments();
            if (args.Length == 1 && (definition == typeof(IReadOnlyList<>) || definition == typeof(IList<>) || definition == typeof(IEnumerable<>)
                                     || definition == typeof(IReadOnlyCollection<>) || definition == typeof(ICollection<>) || definition == typeof(List<>)))
            {
                var list = (IList)Activator.CreateInstance(typeof(List<>).MakeGenericType(args[0]))!;
                if (Of(args[0], depth + 1) is { } item) list.Add(item);
                return list;
            }

            if (args.Length == 1 && definition == typeof(ImmutableList<>))
                return typeof(ImmutableList).GetMethods().First(m => m.Name == "Create" && m.GetParameters().Length == 1 && !m.GetParameters()[0].ParameterType.IsArray)
                    .MakeGenericMethod(args[0]).Invoke(null, [Of(args[0], depth + 1)]);
            if (args.Length == 1 && (definition == typeof(ImmutableHashSet<>) || definition == typeof(IReadOnlySet<>) || definition == typeof(ISet<>) || definition == typeof(HashSet<>)))
            {
                var set = Activator.CreateInstance(typeof(HashSet<>).MakeGenericType(args[0]))!;
                set.GetType().GetMethod("Add")!.Invoke(set, [Of(args[0], depth + 1)]);
                return definition == typeof(ImmutableHashSet<>)
                    ? typeof(ImmutableHashSet).GetMethods().First(m => m.Name == "CreateRange" && m.GetParameters().Length == 1).MakeGenericMethod(args[0]).Invoke(null, [set])
                    : set;
            }

            if (args.Length == 2 && (definition == typeof(IReadOnlyDictionary<,>) || definition == typeof(IDictionary<,>) || definition == typeof(Dictionary<,>)
                                     || definition == typeof(ImmutableDictionary<,>)))
            {
                var dictionary = (IDictionary)Activator.CreateInstance(typeof(Dictionary<,>).MakeGenericType(args))!;
                dictionary.Add(Of(args[0], depth + 1)!, Of(args[1], depth + 1));
                return definition == typeof(ImmutableDictionary<,>)
                    ? typeof(ImmutableDictionary).GetMethods().First(m => m.Name == "CreateRange" && m.GetParameters().Length == 1).MakeGenericMethod(args).Invoke(null, [dictionary])
                    : dictionary;
            }

            return null;
        }
    }
}
