using System.CommandLine;
using System.Text.Json;
using Orchestrator.Protocol.Messages;
using Spectre.Console;

namespace Orchestrator.Node.Cli;

/// <summary>
/// <c>orchestrator jobs explain ID</c>: why the job's latest search came out as it did — the eligible providers ranked
/// with each preference's part in their score, and for the others the hard constraint that ruled them out, counted per
/// constraint — the same data <c>GET /orchestrator/jobs/{id}</c> carries.
/// </summary>
public static class ExplainCommand
{
    public static Command Create()
    {
        var id = new Argument<string>("job-id");
        var explain = new Command("explain", "why this provider, why not the others: the ranking per preference and the filtering per constraint") { id };
        Operator.SetAction(explain, async (client, json, parsed, ct) =>
        {
            var answer = await client.GetAsync($"/orchestrator/jobs/{Uri.EscapeDataString(parsed.GetValue(id)!)}", ct);
            var job = NodeClient.Read<JobStatus>(answer);
            if (json)
            {
                // The explanation's part of the job, as the API gives it.
                Output.Json(JsonSerializer.SerializeToElement(new Dictionary<string, object?>
                {
                    ["jobId"] = job.JobId,
                    ["state"] = answer.GetProperty("state"),
                    ["selectedProviderId"] = job.SelectedProviderId,
                    ["explanation"] = answer.TryGetProperty("explanation", out var e) ? e : null,
                    ["providers"] = answer.TryGetProperty("providers", out var p) ? p : null,
                    ["providersNotNamed"] = job.ProvidersNotNamed,
                }));
                return job.Explanation is null ? 1 : 0;
            }

            if (job.Explanation is not { } explanation)
            {
                Output.Line($"job {job.JobId} ({job.State}) has not completed a search yet: nothing to explain");
                return 1;
            }

            Render(job, explanation);
            return 0;
        });
        return explain;
    }

    private static void Render(JobStatus job, SearchExplanation e)
    {
        Output.Line($"job {job.JobId} ({job.State}), search {e.Attempt}: {e.Considered} provider(s) considered, {e.Asked} asked, {e.Eligible} eligible, " +
                    $"{e.TimedOut} timed out; selected by {JobsCommands.Kebab(e.Selection)}" + (job.SelectedProviderId is { } chosen ? $": {chosen}" : ""));

        if (e.Ranking.Count > 0)
        {
            // One column per preference: its contribution (weight × score) to each provider's total.
            var preferences = e.Ranking.SelectMany(r => r.Breakdown.Select(t => (t.Preference, t.Weight))).Distinct().ToArray();
            var ranking = Output.Table(["RANK", "PROVIDER", "SCORE", "PRICE/H", .. preferences.Select(p => $"{p.Preference.ToUpperInvariant()} (×{p.Weight})")]);
            foreach (var r in e.Ranking)
            {
                var terms = preferences.Select(p => r.Breakdown.FirstOrDefault(t => t.Preference == p.Preference) is { } t
                    ? $"{t.Contribution:0.###} ({t.Score:0.###})"
                    : "");
                var provider = Markup.Escape(r.ProviderId) + (r.ProviderId == job.SelectedProviderId ? " [green](selected)[/]" : "");
                ranking.AddRow([r.Rank.ToString(), provider, r.Score.ToString("0.###"), r.PricePerHour.ToString(), .. terms]);
            }

            Output.Print(ranking);
            Output.Line("each preference: its contribution to the score (the provider's score for it, 0 to 1)");

            // What providers claimed for themselves with their bids, where it is not what the job computed (the rank is the job's).
            var disagreements = e.Ranking.SelectMany(r => r.Disagreements.Select(d => (r.ProviderId, d))).ToArray();
            if (disagreements.Length > 0)
            {
                var claims = Output.Table("PROVIDER", "PREFERENCE", "CLAIMED", "COMPUTED BY THE JOB");
                foreach (var (provider, d) in disagreements)
                    claims.AddRow(Markup.Escape(provider), Markup.Escape(d.Preference), d.Claimed.ToString("0.###"), d.Computed.ToString("0.###"));
                Output.Print(claims);
                Output.Line($"{disagreements.Length} claimed score(s) differ from the job's computation; the ranking uses the job's");
            }
        }

        if (e.FilteredOut.Count > 0)
        {
            var filtered = Output.Table("CONSTRAINT", "PROVIDERS FILTERED OUT");
            foreach (var (constraint, count) in e.FilteredOut.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal))
                filtered.AddRow(Markup.Escape(constraint), count.ToString());
            Output.Print(filtered);
        }

        JobsCommands.WriteVerdicts(job.Providers.Where(v => v.Outcome != "eligible").ToArray(), job.ProvidersNotNamed);
    }
}
