namespace Orchestrator.Configuration;

/// <summary>
/// Which parties are approved to take part in contracts. Stands in for the network authority until signed
/// credentials arrive: a configured list of ids, or, with none configured, the node approves itself and the
/// providers it onboards.
/// </summary>
public sealed class ApprovalPolicy
{
    // Copy-on-write: a provider onboarded at run time under self-approval joins the approved set, and every
    // actor holding this policy sees it without locks.
    private volatile HashSet<string> _approved;

    public ApprovalPolicy(IEnumerable<string> approvedIds) => _approved = new HashSet<string>(approvedIds, StringComparer.Ordinal);

    /// <summary>Adds a party approved by self-approval (no configured list), and returns this policy.</summary>
    public ApprovalPolicy With(string partyId)
    {
        lock (this)
        {
            if (!_approved.Contains(partyId)) _approved = new HashSet<string>(_approved.Append(partyId), StringComparer.Ordinal);
        }

        return this;
    }

    public static ApprovalPolicy For(OrchestratorSettings settings, IEnumerable<string> onboardedProviderIds) =>
        settings.ApprovedIds.Count > 0
            ? new ApprovalPolicy(settings.ApprovedIds)
            : new ApprovalPolicy(onboardedProviderIds.Append(settings.NodeId));

    public bool IsApproved(string partyId) => _approved.Contains(partyId);

    public string Why(string partyId, string role) =>
        $"{role} '{partyId}' is not approved by the network authority (not on the approved list)";
}
