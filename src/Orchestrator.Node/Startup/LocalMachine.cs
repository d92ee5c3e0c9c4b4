using Orchestrator.Protocol.Model;

namespace Orchestrator.Node.Startup;

/// <summary>Without a providers file the node onboards its own machine as one provider.</summary>
public static class LocalMachine
{
    public static ProviderCapability Detect(string providerId, string dataDirectory)
    {
        var memoryMb = Math.Max(1, GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024 * 1024));
        var root = Path.GetPathRoot(Path.GetFullPath(dataDirectory)) ?? "/";
        long diskGb;
        try
        {
            diskGb = Math.Max(1, new DriveInfo(root).AvailableFreeSpace / (1024L * 1024 * 1024));
        }
        catch (IOException)
        {
            diskGb = 1;
        }

        return new ProviderCapability
        {
            Id = providerId,
            Resources = new Resources { CpuCores = Environment.ProcessorCount, RamMb = memoryMb, DiskGb = diskGb },
            Executors = [ExecutorType.Docker],
            PricePerHour = 0m,
            LockOnBid = false,
        };
    }
}
