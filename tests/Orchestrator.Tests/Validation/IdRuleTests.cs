using Orchestrator.Validation;

namespace Orchestrator.Tests.Validation;

/// <summary>The one rule for ids, on every route and message: what it takes, what it refuses and why, and the normal form.</summary>
public sealed class IdRuleTests
{
    public static TheoryData<string, string> Accepted => new()
    {
        { "ascii", "job-1_a.b:c" },
        { "Latin with a precomposed letter", "jöb" },
        { "Han and Cyrillic", "東京-задача" },
        { "Devanagari, whose vowel signs and virama are combining marks", "नमस्ते" },
        { "a letter outside the Basic Multilingual Plane (mathematical script A)", "job-\U0001D49C" },
        { "a Han character of plane 2", "\U0002000B-1" },
        { "dots that are not a dot segment", "..." },
        { "a leading dot", ".hidden" },
        { "digits of another script", "٣٤٥" },
    };

    [Theory]
    [MemberData(nameof(Accepted))]
    public void Takes(string why, string id) => Assert.True(Limits.CheckId(id) is null, $"{why}: {Limits.CheckId(id)}");

    public static TheoryData<string, string, string> Refused => new()
    {
        { "empty", "", "must not be empty" },
        { "a dot segment", ".", "must not be '.' alone: a URL path cannot carry it" },
        { "the parent segment", "..", "must not be '..' alone: a URL path cannot carry it" },
        { "a space", "a b", "(found ' ')" },
        { "a slash", "a/b", "(found '/')" },
        { "a percent sign", "a%2F", "(found '%')" },
        { "a NUL", "a\0b", "(found U+0000)" },
        { "a tab", "a\tb", "(found U+0009)" },
        { "an emoji (a symbol, not a letter)", "job-\U0001F680", "(found '\U0001F680')" },
        { "a lone surrogate", "a\uD800b", "(found U+FFFD)" },
        { "a combining mark with nothing to mark", "\u0308o", "may carry a combining mark (U+0308) only after a letter or digit" },
        { "a combining mark after a dash", "a-\u0301", "may carry a combining mark (U+0301) only after a letter or digit" },
        { "not in normal form C", "jo\u0308b", "must be in Unicode normal form C (NFC)" },
        { "too long", new string('a', Limits.MaxIdLength + 1), $"must be at most {Limits.MaxIdLength} characters" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public void Refuses(string why, string id, string saying) =>
        Assert.True(Limits.CheckId(id) is { } error && error.Contains(saying, StringComparison.Ordinal), $"{why}: {Limits.CheckId(id) ?? "taken"}");

    [Fact]
    public void Normalising_makes_decomposed_letters_one_id_and_leaves_the_rest_alone()
    {
        Assert.Equal("jöb", Limits.NormalizeId("jo\u0308b"));
        Assert.Null(Limits.CheckId(Limits.NormalizeId("jo\u0308b")));
        Assert.Same("plain", Limits.NormalizeId("plain"));
        Assert.Null(Limits.NormalizeId(null));
        Assert.Equal("a\uD800b", Limits.NormalizeId("a\uD800b"));
    }
}
