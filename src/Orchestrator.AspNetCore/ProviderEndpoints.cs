using Akka.Actor;
using Akka.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using Orchestrator.Hosting;
using Orchestrator.Protocol.Messages;
using Orchestrator.Protocol.Model;
using Orchestrator.Validation;
using Orchestrator.Providers;

namespace Orchestrator.Api;

public static class ProviderEndpoints
{
    public const string UnreachableMembersHeader = "Orchestrator-Unreachable-Members";
    public const string NotShownHeader = "Orchestrator-Providers-Not-Shown";
    public const string LoadingHeader = "Orchestrator-Providers-Loading";

    public static IEndpointRouteBuilder MapProviderEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/orchestrator/providers", ListProviders).WithName("ListProviders")
            .WithSummary("Every provider this node knows: capability, free, locked and contracted resources.")
            .ProducesProblems(503)
            .WithDescription($"While a member is unreachable, the providers it hosts cannot answer: the list holds those that did, " +
                             $"and the headers {UnreachableMembersHeader} (the members' addresses) and {NotShownHeader} (the providers' ids) " +
                             "name what is missing. A provider that does not answer within a few seconds is listed in the latter too.");
        app.MapPost("/orchestrator/providers", Onboard).WithName("OnboardProvider")
            .WithSummary("Onboard a compute provider on this node (journaled), or give an onboarded one a new capability.")
            .WithBody<ProviderCapability>("application/json")
            .ProducesProblems(400, 403, 409, 413, 415);
        app.MapGet("/orchestrator/providers/{providerId}", Show).WithName("GetProvider")
            .WithSummary("One provider, wherever in the cluster it is hosted: capability, free, locked and contracted resources.")
            .ProducesProblems(400, 404, 503);
        app.MapGet("/orchestrator/providers/{providerId}/eligibility", Eligibility).WithName("GetProviderEligibility")
            .WithSummary("The provider's EligibleComputeProvidersData: its comparison with each job it was asked about, newest first.")
            .WithDescription("Per job: each hard constraint passed or failed with the values compared, its own scores for the job's soft " +
                             "constraints (null where only the job can score: relative to the other bids), and what it answered. Bounded: " +
                             "the latest orchestrator.eligibilityKept jobs, none older than orchestrator.eligibilityKeptFor; kept in memory. " +
                             "?jobId= reads one job's entry (404 if the provider has none).")
            .ProducesProblems(400, 404, 503);
        app.MapDelete("/orchestrator/providers/{providerId}", Offboard).WithName("OffboardProvider")
            .WithSummary("Offboard a provider: no new jobs; its contracts are honoured; it leaves once the last has ended.")
            .ProducesProblems(400, 404);
        return app;
    }

    /// <summary>Onboards a compute provider on this node (persisted: it is back after a restart).</summary>
    private static async Task<Results<Created<ProviderOnboardResult>, Ok<ProviderOnboardResult>, ProblemHttpResult>> Onboard(HttpContext http, IActorRegistry registry,
        ActorSystem system, CancellationToken ct)
    {
        if (!registry.TryGet<ProviderHost>(out var host))
            return Problems.Conflict("onboard providers on a node with the providers role (--roles)", "This node does not host providers.");
        var (read, problem) = await JsonBodyReader.ReadRequestAsync<ProviderCapability>(http.Request, Limits.MaxBodyBytes, ct);
        if (problem is not null) return problem;
        var capability = read! with { Id = Limits.NormalizeId(read!.Id)! };

        var errors = ProviderCapabilityValidator.Validate([capability]).ToDictionary()
            .ToDictionary(kv => kv.Key.StartsWith("[0].", StringComparison.Ordinal) ? kv.Key[4..] : kv.Key, kv => kv.Value);
        if (errors.Count > 0) return Problems.Invalid(errors);

        var (result, unanswered) = await system.AskAsync<ProviderOnboardResult>(host, new OnboardProvider(capability), "the provider host", ct);
        if (result is null) return unanswered!;
        var location = $"/orchestrator/providers/{Uri.EscapeDataString(result.ProviderId)}";
        if (result.Conflict is { } conflict)
            return Problems.Conflict(conflict, "The provider cannot take this capability.");
        if (result.Refused is { } refused)
            return Problems.Forbidden("This node is not approved to host the provider.", refused);
        return result.Created ? TypedResults.Created(location, result) : TypedResults.Ok(result);
    }

    private static async Task<Results<Ok<ProviderStatus>, ProblemHttpResult>> Show(string providerId, IRequiredActor<ProviderDirectory> directory,
        ActorSystem system, CancellationToken ct)
    {
        if (Limits.CheckId(providerId) is { } bad) return Problems.Invalid(new Dictionary<string, string[]> { ["providerId"] = [bad] });
        var (provider, departure, problem) = await Find(providerId, directory, system, ct);
        if (problem is not null) return problem;
        if (provider is null) return NotKnown(providerId, departure);
        if (Unreachable(system).Contains(provider.Path.Address))
            return Problems.Unavailable($"provider '{providerId}' is hosted on {provider.Path.Address}, which is unreachable", "The provider cannot answer now.");
        var (status, unanswered) = await system.AskAsync<ProviderStatus>(provider, new GetProviderStatus(providerId), $"provider '{providerId}' (on {provider.Path.Address})", ct);
        return status is null ? unanswered! : TypedResults.Ok(status);
    }

    private static async Task<Results<Ok<ProviderEligibility>, ProblemHttpResult>> Eligibility(string providerId, string? jobId,
        IRequiredActor<ProviderDirectory> directory, ActorSystem system, CancellationToken ct)
    {
        if (Limits.CheckId(providerId) is { } bad) return Problems.Invalid(new Dictionary<string, string[]> { ["providerId"] = [bad] });
        if (jobId is not null && Limits.CheckId(jobId) is { } badJob) return Problems.Invalid(new Dictionary<string, string[]> { ["jobId"] = [badJob] });
        var (provider, departure, problem) = await Find(providerId, directory, system, ct);
        if (problem is not null) return problem;
        if (provider is null) return NotKnown(providerId, departure);
        if (Unreachable(system).Contains(provider.Path.Address))
            return Problems.Unavailable($"provider '{providerId}' is hosted on {provider.Path.Address}, which is unreachable", "The provider cannot answer now.");
        var (data, unanswered) = await system.AskAsync<ProviderEligibility>(provider, new GetEligibility(providerId, jobId),
            $"provider '{providerId}' (on {provider.Path.Address})", ct);
        if (data is null) return unanswered!;
        if (jobId is not null && data.Entries.Count == 0)
            return Problems.NotFound($"provider '{providerId}' holds no comparison with job '{jobId}': it was not asked about it, or the entry " +
                                     $"was let go (it keeps the latest {data.KeptAtMost} jobs, for {data.KeptFor})");
        return TypedResults.Ok(data);
    }

    private static ProblemHttpResult NotKnown(string providerId, ProviderDeparture? departure) =>
        Problems.NotFound(departure is null
            ? $"no provider '{providerId}' is known to the cluster (see GET /orchestrator/providers)"
            : $"no provider '{providerId}' is known to the cluster now: {departure.Describe()}");

    /// <summary>202: offboarding has begun (it ends when the provider's last contract does); the answer counts what it still holds.</summary>
    private static async Task<Results<Accepted<ProviderOffboardResult>, ProblemHttpResult>> Offboard(
        string providerId, IRequiredActor<ProviderDirectory> directory, ActorSystem system, CancellationToken ct)
    {
        if (Limits.CheckId(providerId) is { } bad) return Problems.Invalid(new Dictionary<string, string[]> { ["providerId"] = [bad] });
        var (provider, departure, problem) = await Find(providerId, directory, system, ct);
        if (problem is not null) return problem;
        if (provider is null) return NotKnown(providerId, departure);
        var (result, unanswered) = await system.AskAsync<ProviderOffboardResult>(provider, new OffboardProvider(providerId), $"provider '{providerId}'", ct);
        return result is null ? unanswered! : TypedResults.Accepted($"/orchestrator/providers/{Uri.EscapeDataString(providerId)}", result);
    }

    /// <summary>The provider's actor, or, when the directory does not have it, why it left (if it remembers).</summary>
    private static async Task<(IActorRef? Provider, ProviderDeparture? Departure, ProblemHttpResult? Problem)> Find(string providerId,
        IRequiredActor<ProviderDirectory> directory, ActorSystem system, CancellationToken ct)
    {
        var (known, unanswered) = await system.AskAsync<KnownProviders>(directory.ActorRef, Providers.ListProviders.Instance, "the provider directory", ct);
        if (known is null) return (null, null, unanswered);
        return known.ById.TryGetValue(providerId, out var provider) ? (provider, null, null) : (null, known.Departed.GetValueOrDefault(providerId), null);
    }

    /// <summary>
    /// Every provider this node knows, with its capability and what is free, locked and contracted. Providers on an
    /// unreachable member are not asked (they cannot answer), and one that does not answer in time is left out: the
    /// list is what could be read, and the headers say what could not.
    /// </summary>
    private static async Task<Results<Ok<ProviderStatus[]>, ProblemHttpResult>> ListProviders(IRequiredActor<ProviderDirectory> directory, ActorSystem system,
        IActorRegistry registry, HttpResponse response, CancellationToken ct)
    {
        // A node still starting has not loaded (or announced) all of its own providers: the list says so.
        if (registry.TryGet<ProviderHost>(out var host))
        {
            var (loading, silent) = await system.AskAsync<ProvidersReadiness>(host, GetProvidersReadiness.Instance, "the provider host", ct);
            if (loading is null) return silent!;
            if (!loading.Ready) response.Headers[LoadingHeader] = $"{loading.Recovered} of {loading.Total} provider(s) of this node loaded";
        }

        var (known, unanswered) = await system.AskAsync<KnownProviders>(directory.ActorRef, Providers.ListProviders.Instance, "the provider directory", ct);
        if (known is null) return unanswered!;
        var unreachable = Unreachable(system);
        var asked = known.Providers.Where(p => !unreachable.Contains(p.Provider.Path.Address)).ToArray();
        // Every provider at once, each for at most api.providerAskTimeout: one that cannot answer is named in a header, not waited for.
        var wait = OrchestratorNode.Get(system).Settings.ApiProviderAskTimeout;
        var answers = await Task.WhenAll(asked.Select(async p =>
            (await system.AskAsync<ProviderStatus>(p.Provider, new GetProviderStatus(p.Capability.Id), $"provider '{p.Capability.Id}'", ct, wait)).Answer));

        var notShown = known.Providers.Select(p => p.Capability.Id).Except(answers.OfType<ProviderStatus>().Select(s => s.ProviderId), StringComparer.Ordinal)
            .Order(StringComparer.Ordinal).ToArray();
        var down = known.Providers.Select(p => p.Provider.Path.Address).Where(unreachable.Contains).Distinct().Select(a => a.ToString()).Order().ToArray();
        if (down.Length > 0) response.Headers[UnreachableMembersHeader] = string.Join(", ", down);
        if (notShown.Length > 0) response.Headers[NotShownHeader] = string.Join(", ", notShown);
        return TypedResults.Ok(answers.OfType<ProviderStatus>().ToArray());
    }

    /// <summary>The members this node's failure detector has marked unreachable (none outside a cluster).</summary>
    private static HashSet<Address> Unreachable(ActorSystem system) =>
        system.Settings.ProviderClass.Contains("Cluster", StringComparison.Ordinal)
            ? Akka.Cluster.Cluster.Get(system).State.Unreachable.Select(m => m.Address).ToHashSet()
            : [];
}
