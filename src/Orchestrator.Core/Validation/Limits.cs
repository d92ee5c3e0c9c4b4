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

    /// <summary>Ids travel in URLs, actor names and database keys: letters, digits and . _ - : only.</summary>
    public static string? CheckId(string? id)
    {
        if (string.IsNullOrEmpty(id)) return "must not be empty";
        if (id.Length > MaxIdLength) return $"must be at most {MaxIdLength} characters, was {id.Length}";
        foreach (var ch in id)
            if (!(char.IsLetterOrDigit(ch) || ch is '.' or '_' or '-' or ':'))
                return $"may contain only letters and digits (any script) and . _ - : (found '{ch}')";
        return null;
    }
}
