using Orchestrator.Configuration;
using Orchestrator.Protocol.Messages;
using Orchestrator.Protocol.Model;
using Orchestrator.Providers;

namespace Orchestrator.Tests;

/// <summary>Small builders so each test states only what it is about.</summary>
internal static class Fixtures
{
    public static ProviderCapability Provider(
        string id, int cpu = 8, long ramMb = 16384, long diskGb = 100, decimal price = 1m, bool lockOnBid = false,
        Gpu[]? gpus = null, ExecutorType[]? executors = null, Locality[]? localities = null) => new()
    {
        Id = id,
        Resources = new Resources { CpuCores = cpu, RamMb = ramMb, DiskGb = diskGb, Gpus = gpus ?? [] },
        Executors = executors ?? [ExecutorType.Docker],
        Localities = localities ?? [new Locality("country", "DE")],
        PricePerHour = price,
        LockOnBid = lockOnBid,
    };

    public static JobRequirements Needs(
        int cpu = 2, long ramMb = 1024, long diskGb = 10, GpuRequirement[]? gpus = null, ExecutorType[]? executors = null,
        Locality[]? localities = null, decimal? maxPrice = null) => new()
    {
        Resources = new ResourceRequirements { CpuCores = cpu, RamMb = ramMb, DiskGb = diskGb, Gpus = gpus ?? [] },
        Executors = executors ?? [],
        Localities = localities ?? [],
        MaxPricePerHour = maxPrice,
    };

    public static JobDescription JobOf(JobRequirements? needs = null, string? id = null) =>
        new() { JobId = id, Requirements = needs ?? Needs() };

    public static FreeResources AllFree(ProviderCapability p) =>
        ProviderLedger.Empty(p).Free;

    public static Bid BidFrom(string provider, decimal price, double spare = 0.5, bool locked = false, string job = "job-1") =>
        new(job, provider, price, locked, locked ? DateTimeOffset.UtcNow.AddMinutes(1) : null, spare, DateTimeOffset.UtcNow);

    public static OrchestratorSettings Settings(
        TimeSpan? search = null, TimeSpan? request = null, TimeSpan? contract = null, TimeSpan? lease = null,
        TimeSpan? deadline = null, string nodeId = "sp-test") => new()
    {
        NodeId = nodeId,
        DefaultSearchTimeout = search ?? TimeSpan.FromSeconds(3),
        JobRequestTimeout = request ?? TimeSpan.FromSeconds(3),
        ContractTimeout = contract ?? TimeSpan.FromSeconds(3),
        LockLease = lease ?? TimeSpan.FromSeconds(30),
        JobDeadline = deadline ?? TimeSpan.FromMinutes(1),
        TerminalJobIdle = TimeSpan.FromMinutes(5),
    };
}
