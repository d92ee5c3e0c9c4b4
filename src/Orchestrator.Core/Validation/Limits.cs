using System.Globalization;
using System.Text;

namespace Orchestrator.Validation;

/// <summary>Bounds that separate a plausible request from a mistake or an attack. Beyond them, input is refused.</summary>
public static class Limits
{
    public const int MaxIdLength = 128;
    public const int MaxCpuCores = 4096;
    public const long MaxRamMb = 64L * 1024 * 1024;       // 64 TiB
    public const long MaxDiskGb = 1024L * 1024;           // 1 PiB
    public const long MaxVramMb = 1024L * 1024;           // 1 TiB
    public const int MaxGpus = 64;
    public const int MaxLocalities = 64;
    public const int MaxNameLength = 64;
    public const decimal MaxPricePerHour = 1_000_000m;
    public const int MaxDurationMinutes = 366 * 24 * 60;  // a year
    public const int MaxBodyBytes = 64 * 1024;
    public const int MaxTargets = 64;
    public const int MaxListLength = 64;
    public const int MaxPreferences = 32;
    public const int MaxClockMhz = 20_000;
    public const int MaxDeadlineSeconds = 7 * 24 * 3600;

    /// <summary>
    /// Ids travel in URLs, actor names and database keys. The rule, the same on every route and message: letters and
    /// digits of any script and any plane (with the combining marks a script writes them with, after a letter or a
    /// digit), and <c>. _ - :</c>; in Unicode normal form C (the API normalises what it is given before checking it,
    /// so "o" + U+0308 and "ö" are one id); never <c>.</c> or <c>..</c> alone, which a URL path cannot carry (clients
    /// and servers remove them as dot segments), so every accepted id reads back at its address. At most
    /// <see cref="MaxIdLength"/> UTF-16 code units.
    /// </summary>
    public static string? CheckId(string? id)
    {
        if (string.IsNullOrEmpty(id)) return "must not be empty";
        if (id.Length > MaxIdLength) return $"must be at most {MaxIdLength} characters, was {id.Length}";
        if (id is "." or "..") return $"must not be '{id}' alone: a URL path cannot carry it";
        var previousIsBase = false;
        foreach (var rune in id.EnumerateRunes())
        {
            var category = Rune.GetUnicodeCategory(rune);
            var isMark = category is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark;
            if (isMark && previousIsBase) continue;
            if (Rune.IsLetterOrDigit(rune) || rune.Value is '.' or '_' or '-' or ':')
            {
                previousIsBase = Rune.IsLetterOrDigit(rune);
                continue;
            }

            return isMark
                ? $"may carry a combining mark (U+{rune.Value:X4}) only after a letter or digit"
                : $"may contain only letters and digits (any script) and . _ - : (found {Describe(rune)})";
        }

        return id.IsNormalized(NormalizationForm.FormC) ? null : "must be in Unicode normal form C (NFC): the API normalises ids it is given; an actor message must carry the normalised form";
    }

    /// <summary>An id as the API keeps it: Unicode normal form C (null and malformed strings pass through, to be refused by <see cref="CheckId"/>).</summary>
    public static string? NormalizeId(string? id)
    {
        if (id is null) return null;
        try
        {
            return id.IsNormalized(NormalizationForm.FormC) ? id : id.Normalize(NormalizationForm.FormC);
        }
        catch (ArgumentException)
        {
            return id; // a lone surrogate: CheckId names it
        }
    }

    private static string Describe(Rune rune) =>
        Rune.IsControl(rune) || Rune.IsWhiteSpace(rune) && rune.Value != ' ' || rune.Value == 0xFFFD ? $"U+{rune.Value:X4}" : $"'{rune}'";
}
