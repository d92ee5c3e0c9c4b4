using Orchestrator.Protocol.Model;

namespace Orchestrator.Protocol.Messages;

/// <summary>
/// Post a job (the seed's <c>processJob</c>). Answered with <see cref="JobAccepted"/> once durably persisted, with
/// <see cref="JobRejected"/> for invalid input, or <see cref="JobConflict"/> when the id exists with another body.
/// </summary>
public sealed record PostJob(string JobId, JobDescription Description, string Requester) : IJobMessage;

/// <summary>Ask for a job's full status: answered with <see cref="JobStatus"/> or <see cref="JobNotFound"/>.</summary>
public sealed record GetJob(string JobId) : IJobMessage;

public sealed record JobAccepted(string JobId, JobState State, bool Created) : IJobMessage;

/// <summary>Invalid input: field path to what is wrong with it. Nothing was persisted.</summary>
public sealed record JobRejected(string JobId, IReadOnlyDictionary<string, string[]> Errors) : IJobMessage;

/// <summary>The id is taken by a job with a different description.</summary>
public sealed record JobConflict(string JobId, string Detail) : IJobMessage;

public sealed record JobNotFound(string JobId) : IJobMessage;
