using Akka.Actor;
using Akka.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using Orchestrator.Hosting;
using Orchestrator.Protocol.Messages;
using Orchestrator.Protocol.Model;
using Orchestrator.Providers;
using Orchestrator.ReadModel;
using Orchestrator.Validation;

namespace Orchestrator.Api;

/// <summary>
/// The settlement ledger (docs/settlement.md): <c>GET /orchestrator/settlements</c>, filtered, paged and totalled per
/// currency; <c>GET /orchestrator/settlements/{contractId}</c>, one contract's settlement as both sides hold it; and
/// <c>GET /orchestrator/providers/{providerId}/settlements</c>, a provider's side of the ledger.
/// </summary>
public static class SettlementEndpoints
{
    public const int MaxLimit = 1000;

    public static IEndpointRouteBuilder MapSettlementEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/orchestrator/settlements", List).WithName("ListSettlements")
            .WithSummary("The settlement ledger: every ended contract's settlement, newest first, filtered and paged, with totals per currency.")
            .WithDescription("Filters: provider, requester, state (awaiting-receipt, proposed, settled, disputed), from and until (ISO 8601: the row's " +
                             "last change in [from, until)). Totals are over every matching row (not only the page): rows, settled rows, and the sum " +
                             "of the settled amounts — proposed and disputed rows add nothing.")
            .WithQuery(
                new("provider", "Only the contracts of this provider (its id)."),
                new("requester", "Only the contracts of jobs posted on this node (its id)."),
                new("state", "Only rows in this state.", Values: ["awaiting-receipt", "proposed", "settled", "disputed"]),
                new("from", "Only rows last changed at or after this time (ISO 8601).", Format: "date-time"),
                new("until", "Only rows last changed before this time (ISO 8601).", Format: "date-time"),
                new("offset", "Rows to skip (0 or more; default 0).", Microsoft.OpenApi.JsonSchemaType.Integer, "int32"),
                new("limit", $"Rows to return, 1 to {MaxLimit} (default 100).", Microsoft.OpenApi.JsonSchemaType.Integer, "int32"))
            .ProducesProblems(400, 503);
        app.MapGet("/orchestrator/settlements/{contractId}", Show).WithName("GetSettlement")
            .WithSummary("One contract's settlement as the requester's job and the provider each recorded it, with the receipt and both signatures.")
            .ProducesProblems(400, 404, 503);
        app.MapGet("/orchestrator/providers/{providerId}/settlements", OfProvider).WithName("GetProviderSettlements")
            .WithSummary("A provider's side of the ledger: every settlement it countersigned or disputed, and the contracts it waits to be settled.")
            .ProducesProblems(400, 404, 503);
        return app;
    }

    private static async Task<Results<Ok<SettlementPage>, ProblemHttpResult>> List(HttpRequest request, IRequiredActor<JobIndexActor> index, ActorSystem system,
        CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        var provider = Id(request, "provider", errors);
        var requester = Id(request, "requester", errors);
        SettlementState? state = null;
        if (request.Query["state"] is { Count: > 0 } stateText)
        {
            state = StateNamed(stateText.ToString());
            if (state is null) errors["state"] = [$"'{stateText}' is not a settlement state (awaiting-receipt, proposed, settled, disputed)"];
        }

        var from = QueryParameters.Time(request, "from", errors);
        var until = QueryParameters.Time(request, "until", errors);
        if (from is not null && until is not null && until <= from) errors["until"] = [$"must be after from ({from:O})"];
        var offset = QueryParameters.Number(request, "offset", 0, 0, int.MaxValue, errors);
        var limit = QueryParameters.Number(request, "limit", 100, 1, MaxLimit, errors);
        if (errors.Count > 0) return Problems.Invalid(errors);
        var (page, unanswered) = await system.AskAsync<SettlementPage>(index.ActorRef, new ListSettlements(provider, requester, state, from, until, offset, limit),
            "the settlement ledger", ct);
        return page is null ? unanswered! : TypedResults.Ok(page);
    }

    private static async Task<Results<Ok<SettlementDetail>, ProblemHttpResult>> Show(string contractId, IRequiredActor<JobIndexActor> index,
        IRequiredActor<JobRegion> jobs, IRequiredActor<ProviderDirectory> directory, ActorSystem system, CancellationToken ct)
    {
        if (contractId.Length is 0 or > Limits.MaxIdLength * 2 + 1 || contractId.Any(char.IsControl))
            return Problems.Invalid(new Dictionary<string, string[]> { ["contractId"] = [$"must be 1 to {Limits.MaxIdLength * 2 + 1} printable characters"] });
        // The index knows which job holds the contract; a contract id is also the job's id and the provider's, joined by '@'.
        var (located, unanswered) = await system.AskAsync<ContractLocation>(index.ActorRef, new WhereIsContract(contractId), "the settlement ledger", ct);
        if (located is null) return unanswered!;
        var at = contractId.LastIndexOf('@');
        var jobId = located.JobId ?? (at > 0 ? contractId[..at] : null);
        if (jobId is null || Limits.CheckId(jobId) is not null) return Problems.NotFound($"no contract '{contractId}' is known to the ledger");

        var (status, unread) = await system.JobAsync(jobs.ActorRef, jobId, ct);
        if (status is null && unread!.StatusCode != StatusCodes.Status404NotFound) return unread;
        var mine = status?.Settlements.FirstOrDefault(s => s.ContractId == contractId);
        if (mine is null) return Problems.NotFound($"no contract '{contractId}' has ended under job '{jobId}' (see GET /orchestrator/jobs/{jobId})");

        // The provider's side, when it can answer: both records side by side.
        SettlementRecord? theirs = null;
        string? unavailable = null;
        var (known, noDirectory) = await system.AskAsync<KnownProviders>(directory.ActorRef, ListProviders.Instance, "the provider directory", ct);
        if (known is null) return noDirectory!;
        if (known.ById.TryGetValue(mine.ProviderId, out var provider))
        {
            var (held, silent) = await system.AskAsync<ProviderSettlements>(provider, new GetProviderSettlements(mine.ProviderId), $"provider '{mine.ProviderId}'", ct);
            theirs = held?.Settlements.FirstOrDefault(s => s.ContractId == contractId);
            if (held is null) unavailable = silent!.ProblemDetails.Detail;
            else if (theirs is null) unavailable = $"provider '{mine.ProviderId}' holds no settlement of '{contractId}'";
        }
        else unavailable = $"provider '{mine.ProviderId}' is not known to the cluster now";

        return TypedResults.Ok(new SettlementDetail(contractId, jobId, mine, theirs, unavailable));
    }

    private static async Task<Results<Ok<ProviderSettlements>, ProblemHttpResult>> OfProvider(string providerId, IRequiredActor<ProviderDirectory> directory,
        ActorSystem system, CancellationToken ct)
    {
        if (Limits.CheckId(providerId) is { } bad) return Problems.Invalid(new Dictionary<string, string[]> { ["providerId"] = [bad] });
        var (known, unanswered) = await system.AskAsync<KnownProviders>(directory.ActorRef, ListProviders.Instance, "the provider directory", ct);
        if (known is null) return unanswered!;
        if (!known.ById.TryGetValue(providerId, out var provider))
            return Problems.NotFound($"no provider '{providerId}' is known to the cluster (see GET /orchestrator/providers)");
        var (held, silent) = await system.AskAsync<ProviderSettlements>(provider, new GetProviderSettlements(providerId), $"provider '{providerId}'", ct);
        return held is null ? silent! : TypedResults.Ok(held);
    }

    /// <summary>A settlement state by its API word (<c>awaiting-receipt</c>) or its name (<c>AwaitingReceipt</c>).</summary>
    public static SettlementState? StateNamed(string text) =>
        Enum.GetValues<SettlementState>().Cast<SettlementState?>().FirstOrDefault(s =>
            string.Equals(text, s.ToString(), StringComparison.OrdinalIgnoreCase) ||
            string.Equals(text, System.Text.Json.JsonNamingPolicy.KebabCaseLower.ConvertName(s.ToString()!), StringComparison.OrdinalIgnoreCase));

    private static string? Id(HttpRequest request, string name, Dictionary<string, string[]> errors)
    {
        if (request.Query[name] is not { Count: > 0 } text) return null;
        var id = Limits.NormalizeId(text.ToString())!;
        if (Limits.CheckId(id) is { } bad)
        {
            errors[name] = [bad];
            return null;
        }

        return id;
    }
}

/// <summary>
/// One contract's settlement as both sides recorded it: the requester's job (<see cref="Requester"/>) and the provider
/// (<see cref="Provider"/>; null with the reason in <see cref="ProviderUnavailable"/> when it could not be read).
/// </summary>
public sealed record SettlementDetail(string ContractId, string JobId, SettlementRecord Requester, SettlementRecord? Provider, string? ProviderUnavailable);
