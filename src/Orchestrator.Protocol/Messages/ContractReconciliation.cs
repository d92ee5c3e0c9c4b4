namespace Orchestrator.Protocol.Messages;

// The second phase of contract closure. A provider commits a contract (phase one) before its job records it; until
// the job says it holds the contract, the provider keeps it as unconfirmed. The job confirms once its ContractClosed
// is durable. A provider that hears nothing asks the job (through the job region, so it reaches the job wherever it
// runs now, after any crash) and reverts a contract the job disowns: a provider never keeps a contract its job does
// not hold.

/// <summary>
/// Provider → job: does the job hold <see cref="ContractId"/> with this provider? <see cref="QueryId"/> is echoed in the
/// answer, so a provider acts only on the answer to its latest question.
/// </summary>
public sealed record ContractQuery(string JobId, string ProviderId, string ContractId, string QueryId) : IJobMessage;

/// <summary>Job → provider: the job holds this contract (sent unasked once the job recorded it, and as an answer).</summary>
public sealed record ContractConfirmed(string JobId, string ProviderId, string ContractId, string QueryId = "") : IProviderMessage;

/// <summary>Job → provider: the job does not hold this contract, and why; the provider reverts it.</summary>
public sealed record ContractDisowned(string JobId, string ProviderId, string ContractId, string Reason, string QueryId) : IProviderMessage;
