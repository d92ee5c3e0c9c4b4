using Orchestrator.Protocol.Model;

namespace Orchestrator.Matching;

public abstract record MatchResult
{
    private MatchResult() { }

    /// <summary>Every hard constraint holds. <see cref="GpuIndices"/> are the provider GPUs assigned to the job.</summary>
    public sealed record Eligible(IReadOnlyList<int> GpuIndices, double SpareCapacity) : MatchResult;

    /// <summary>The first hard constraint that failed, and a sentence saying how.</summary>
    public sealed record Ineligible(DeclineReason Reason, string Detail) : MatchResult;
}
