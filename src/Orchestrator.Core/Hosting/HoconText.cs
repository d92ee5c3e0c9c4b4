namespace Orchestrator.Hosting;

/// <summary>Values written into HOCON text.</summary>
public static class HoconText
{
    /// <summary>A quoted HOCON string: any text, paths and connection strings included, stays one value.</summary>
    public static string Quote(string value) => "\"" + value.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
}
