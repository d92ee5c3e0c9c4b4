namespace Orchestrator.Protocol.Model;

/// <summary>
/// Collections in the protocol are stored as plain arrays (dictionaries as <see cref="Dictionary{TKey,TValue}"/>),
/// whatever the caller passed: the wire format records runtime types, and a compiler-made list type from a
/// collection expression in the sender's assembly could not be read by a receiver that does not have it.
/// </summary>
internal static class Wire
{
    public static T[] Array<T>(IReadOnlyList<T>? items) => items as T[] ?? items?.ToArray() ?? [];

    public static Dictionary<string, string> Map(IReadOnlyDictionary<string, string>? items) =>
        items as Dictionary<string, string> ?? new Dictionary<string, string>(items ?? new Dictionary<string, string>(), StringComparer.Ordinal);
}
