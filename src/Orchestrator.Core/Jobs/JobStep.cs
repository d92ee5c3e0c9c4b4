namespace Orchestrator.Jobs;

/// <summary>The one next step a job takes (<see cref="JobDecisions.Next"/>); the actor carries it out.</summary>
public abstract record JobStep
{
    private JobStep() { }

    /// <summary>Nothing to do until something answers (or the job is over).</summary>
    public sealed record Wait : JobStep
    {
        public static readonly Wait Instance = new();
    }

    /// <summary>The job waits to search again; a timer wakes it then.</summary>
    public sealed record SearchAgainAt(DateTimeOffset At) : JobStep;

    /// <summary>Ask the provider directory for a view (the search needs one taken for it).</summary>
    public sealed record AskDirectory : JobStep
    {
        public static readonly AskDirectory Instance = new();
    }

    /// <summary>Choose candidates from the fresh view and persist the start of a search round.</summary>
    public sealed record StartSearch : JobStep
    {
        public static readonly StartSearch Instance = new();
    }

    /// <summary>Ask the round's candidates for bids (a collector each).</summary>
    public sealed record CollectBids : JobStep
    {
        public static readonly CollectBids Instance = new();
    }

    /// <summary>Persist that the job request to the shortlisted provider is sent (it goes out with the write).</summary>
    public sealed record RecordRequestSent : JobStep
    {
        public static readonly RecordRequestSent Instance = new();
    }

    /// <summary>Send the job request to the selected provider (again, after a restart).</summary>
    public sealed record SendJobRequest : JobStep
    {
        public static readonly SendJobRequest Instance = new();
    }

    /// <summary>Verify the selected provider and propose the contract to it.</summary>
    public sealed record ProposeContract : JobStep
    {
        public static readonly ProposeContract Instance = new();
    }
}
