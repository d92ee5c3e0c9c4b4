using System.Text.Json.Serialization;

namespace Orchestrator.Protocol.Model;

/// <summary>The agreed terms of a job on a provider, snapshotted at closure and held by both sides.</summary>
public sealed record Contract(
    string ContractId,
    string JobId,
    string RequesterNodeId,
    string ProviderId,
    ResourceRequirements Resources,
    IReadOnlyList<Gpu> AssignedGpus,
    decimal PricePerHour,
    DateTimeOffset SignedAt,
    DateTimeOffset StartsAt,
    DateTimeOffset EndsAt)
{
    // Absent from the signed terms when absent (JsonIgnore), so a contract signed before these terms existed verifies as it did.

    /// <summary>Set when the provider charges per result (NuNet's PriceBid per result): this amount for a completed run, and <see cref="PricePerHour"/> is 0.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public decimal? PricePerResult { get; init; }

    /// <summary>ISO 4217 code (or a token's) of the prices; absent on contracts made before it was recorded (USD).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Currency { get; init; }

    /// <summary>The executor the job's program runs on under this contract; absent for a reservation (nothing runs).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ExecutorType? Runs { get; init; }

    [JsonIgnore]
    public PriceUnit Unit => PricePerResult is null ? PriceUnit.Hour : PriceUnit.Result;
}
