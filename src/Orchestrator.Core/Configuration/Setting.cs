using System.Globalization;
using Akka.Configuration;

namespace Orchestrator.Configuration;

/// <summary>What a setting's value is, which decides how it is read, checked and written.</summary>
public enum SettingKind
{
    /// <summary>Free text (a path, an id, a connection string).</summary>
    Text,

    /// <summary>A positive duration, in HOCON's units (200ms, 5s, 2m, 1h).</summary>
    Duration,

    /// <summary>A whole number within the setting's bounds.</summary>
    WholeNumber,

    /// <summary>A size in bytes, 1 byte to 1 TiB, in HOCON's units (512k, 1m, 2g).</summary>
    Size,

    /// <summary>One of the setting's choices (dashes and case ignored when read).</summary>
    Choice,

    /// <summary>A list of texts.</summary>
    TextList,
}

/// <summary>
/// One setting of the <c>orchestrator</c> section, declared once (<see cref="SettingsCatalog"/>): its key, kind,
/// default as HOCON writes it, bounds, what it means, and the property of <c>OrchestratorOptions</c> that sets it. The
/// shipped HOCON, the options, the checks on a value and the table in docs/configuration.md all follow from it (tests
/// fail on any drift).
/// </summary>
public sealed record Setting(string Key, SettingKind Kind, string Default, string Meaning)
{
    /// <summary>The full HOCON path, <c>orchestrator.&lt;key&gt;</c>.</summary>
    public string Path => "orchestrator." + Key;

    /// <summary>The property of <c>OrchestratorOptions</c> that sets it, dotted through nested options (<c>Execution.LogLimit</c>).</summary>
    public required string Option { get; init; }

    public long Min { get; init; } = 0;
    public long Max { get; init; } = int.MaxValue;
    public IReadOnlyList<string> Choices { get; init; } = [];

    /// <summary>How the docs show the default when the HOCON one needs words (an empty node id means the host name).</summary>
    public string? DefaultInWords { get; init; }

    /// <summary>The default as its type (a <see cref="TimeSpan"/>, an <see cref="int"/>, a <see cref="long"/>, a string or a list).</summary>
    public object DefaultValue => _default ??= Read(ConfigurationFactory.ParseString(Key + " = " + Default));
    private object? _default;

    /// <summary>The value in <paramref name="section"/> (the <c>orchestrator</c> section), checked; the default when absent.</summary>
    public object Read(Config section) => Kind switch
    {
        SettingKind.Duration => Duration(section),
        SettingKind.WholeNumber => WholeNumber(section),
        SettingKind.Size => Size(section),
        SettingKind.Choice => Choice(section),
        SettingKind.TextList => section.GetStringList(Key, []).Where(s => !string.IsNullOrWhiteSpace(s)).ToArray(),
        _ => section.GetString(Key, ""),
    };

    public TimeSpan Duration(Config section)
    {
        Expect(SettingKind.Duration);
        if (!section.HasPath(Key)) return (TimeSpan)DefaultValue;
        TimeSpan value;
        try
        {
            value = section.GetTimeSpan(Key, allowInfinite: false);
        }
        catch (FormatException)
        {
            var text = section.GetString(Key);
            throw new ConfigurationException(text.TrimStart().StartsWith('-')
                ? $"{Path} must be positive, was {text}"
                : $"{Path}: '{text}' is not a duration (e.g. 200ms, 5s, 2m, 1h)");
        }

        if (value <= TimeSpan.Zero) throw new ConfigurationException($"{Path} must be positive, was {value}");
        return value;
    }

    public int WholeNumber(Config section)
    {
        Expect(SettingKind.WholeNumber);
        if (!section.HasPath(Key)) return (int)DefaultValue;
        int value;
        try
        {
            value = section.GetInt(Key);
        }
        catch (Exception e) when (e is FormatException or OverflowException or ArgumentException)
        {
            throw new ConfigurationException($"{Path}: '{section.GetString(Key)}' is not a whole number from {Min} to {Max}");
        }

        if (value < Min || value > Max) throw new ConfigurationException($"{Path} must be between {Min} and {Max}, was {value}");
        return value;
    }

    public long Size(Config section)
    {
        Expect(SettingKind.Size);
        if (!section.HasPath(Key)) return (long)DefaultValue;
        long? value;
        try
        {
            value = section.GetByteSize(Key);
        }
        catch (Exception e) when (e is FormatException or OverflowException or ArgumentException)
        {
            value = null;
        }

        if (value is null or <= 0 or > 1L << 40)
            throw new ConfigurationException($"{Path}: '{section.GetString(Key)}' is not a size from 1 byte to 1 TiB (e.g. 512k, 1m, 2g)");
        return value.Value;
    }

    /// <summary>The choice as the catalog spells it (<c>lowest-price</c> for <c>LowestPrice</c> or <c>lowestprice</c>).</summary>
    public string Choice(Config section)
    {
        Expect(SettingKind.Choice);
        var given = section.GetString(Key, Default);
        static string Plain(string s) => s.Replace("-", "").Replace("_", "").ToLowerInvariant();
        return Choices.FirstOrDefault(c => Plain(c) == Plain(given))
               ?? throw new ConfigurationException($"{Path}: '{given}' is not one of {string.Join(", ", Choices)}");
    }

    /// <summary>A value of this setting as HOCON writes it (what an option set in code becomes).</summary>
    public string ToHocon(object value) => value switch
    {
        TimeSpan t => ((long)t.TotalMilliseconds).ToString(CultureInfo.InvariantCulture) + "ms",
        int or long => Convert.ToString(value, CultureInfo.InvariantCulture)!,
        Enum e => Hosting.HoconText.Quote(System.Text.Json.JsonNamingPolicy.KebabCaseLower.ConvertName(e.ToString())),
        string s => Hosting.HoconText.Quote(s),
        IEnumerable<string> list => "[" + string.Join(", ", list.Select(Hosting.HoconText.Quote)) + "]",
        _ => throw new ArgumentException($"{Path}: a {value.GetType().Name} is not a value of a setting"),
    };

    private void Expect(SettingKind kind)
    {
        if (Kind != kind) throw new InvalidOperationException($"{Path} is a {Kind} setting, read as a {kind}");
    }
}
