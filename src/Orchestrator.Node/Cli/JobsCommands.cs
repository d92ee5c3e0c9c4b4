using System.CommandLine;
using System.Globalization;
using System.Net.ServerSentEvents;
using System.Text.Json;
using Orchestrator.Api;
using Orchestrator.Protocol.Messages;
using Orchestrator.Protocol.Model;
using Spectre.Console;

namespace Orchestrator.Node.Cli;

/// <summary><c>orchestrator jobs list | show | watch | post | cancel</c>.</summary>
public static class JobsCommands
{
    public static Command Create()
    {
        var jobs = NodeClient.WithNodeOptions(new Command("jobs", "the jobs of the cluster"));
        jobs.Subcommands.Add(List());
        jobs.Subcommands.Add(Show());
        jobs.Subcommands.Add(Watch());
        jobs.Subcommands.Add(Post());
        jobs.Subcommands.Add(Plan());
        jobs.Subcommands.Add(Cancel());
        jobs.Subcommands.Add(RunCommands.Logs());
        jobs.Subcommands.Add(RunCommands.Result());
        jobs.Subcommands.Add(ExplainCommand.Create());
        return jobs;
    }

    private static Command List()
    {
        var state = new Option<string?>("--state") { Description = "only jobs in this state (Posted, Searching, Matched, Requested, Contracted, Running, Completed, Failed, Cancelled)" };
        var since = new Option<string?>("--since") { Description = "only jobs posted since: a time (ISO 8601) or an age (30m, 2h, 1d)" };
        var limit = new Option<int>("--limit") { Description = "at most this many (newest first)", DefaultValueFactory = _ => 100 };
        var offset = new Option<int>("--offset") { Description = "skip this many first", DefaultValueFactory = _ => 0 };
        var search = new Option<string?>("--search") { Description = "only jobs whose id, or whose provider's id, contains this text (case-insensitive)" };
        var list = new Command("list", "jobs across the whole cluster, newest first") { state, since, search, limit, offset };
        Operator.SetAction(list, async (client, json, parsed, ct) =>
        {
            var query = $"/orchestrator/jobs?limit={parsed.GetValue(limit)}&offset={parsed.GetValue(offset)}";
            if (parsed.GetValue(state) is { } s) query += "&state=" + Uri.EscapeDataString(s);
            if (parsed.GetValue(since) is { } t) query += "&since=" + Uri.EscapeDataString(Since(t).ToString("O", CultureInfo.InvariantCulture));
            if (parsed.GetValue(search) is { } text) query += "&search=" + Uri.EscapeDataString(text);
            var answer = await client.GetAsync(query, ct);
            if (json)
            {
                Output.Json(answer);
                return 0;
            }

            var page = NodeClient.Read<JobPage>(answer);
            var table = Output.Table("JOB", "STATE", "PROVIDER", "POSTED", "UPDATED", "NOTE");
            foreach (var job in page.Jobs)
                table.AddRow(Markup.Escape(job.JobId), StateMarkup(job.State), Markup.Escape(job.ProviderId ?? ""), Output.Age(job.PostedAt),
                    Output.Age(job.UpdatedAt), Markup.Escape(Shorten(job.Note ?? "", 80)));
            Output.Print(table);
            Output.Line($"{page.Jobs.Count} of {page.Total} job(s)" + (page.Offset > 0 ? $" from {page.Offset}" : "") +
                        (page.NotListed > 0 ? $"; {page.NotListed} older finished job(s) no longer listed (read them by id)" : ""));
            return 0;
        });
        return list;
    }

    private static Command Show()
    {
        var id = new Argument<string>("job-id");
        var show = new Command("show", "a job: state, history, bids, declines, contract") { id };
        Operator.SetAction(show, async (client, json, parsed, ct) =>
        {
            var answer = await client.GetAsync($"/orchestrator/jobs/{Uri.EscapeDataString(parsed.GetValue(id)!)}", ct);
            if (json)
            {
                Output.Json(answer);
                return 0;
            }

            var job = NodeClient.Read<JobStatus>(answer);
            Output.Line($"job {job.JobId}: {job.State} ({job.OrchestrationType}, by {job.Requester}, hosted on {job.HostedBy})");
            var history = Output.Table("AT", "STATE", "NOTE");
            foreach (var change in job.History) history.AddRow(change.At.ToString("HH:mm:ss.fff"), StateMarkup(change.State), Markup.Escape(change.Note ?? ""));
            Output.Print(history);
            if (job.EligibleProviders.Count > 0)
                Output.Line($"bids: {string.Join(", ", job.EligibleProviders.Select(b => $"{b.ProviderId} {b.PricePerHour}/h"))}");
            WriteVerdicts(job.Providers, job.ProvidersNotNamed);
            foreach (var decline in job.Declines.Where(d => d.Phase != ExchangePhase.Bid))
                Output.Line($"declined: {decline.ProviderId} at {Kebab(decline.Phase)} ({Kebab(decline.Reason)}): {decline.Detail}");
            if (job.AwaitingBids is { } awaiting)
                Output.Line($"waiting for bids from {string.Join(", ", awaiting.Providers)} until {awaiting.Until:HH:mm:ss}");
            if (job.Waiting is { } wait)
                Output.Line($"searching again at {wait.NextSearchAt:HH:mm:ss} (search {wait.Attempt} found nothing: {wait.Message})");
            if (job.Contract is { } contract)
                Output.Line($"contract {contract.ContractId}: {contract.ProviderId}, {contract.PricePerHour}/h, {contract.StartsAt:O} to {contract.EndsAt:O}" +
                            (job.Signatures is null ? " (unsigned)" : " (signed by both parties)"));
            foreach (var run in job.Runs.Concat(job.CurrentRun is null ? [] : [job.CurrentRun]))
                Output.Line($"run {run.Run} on {run.ProviderId}: " + (run.Outcome is not { } outcome
                    ? $"running since {run.StartedAt:HH:mm:ss}"
                    : outcome.Failure is { } why ? $"{RunFailures.Code(why)}: {outcome.Detail}" : outcome.Detail));
            if (job.Failure is { } failure) Output.Line($"failed ({Kebab(failure.Reason)}): {failure.Message}");
            return 0;
        });
        return show;
    }

    /// <summary>"Why not this provider?": each provider the search considered, what became of it and why.</summary>
    internal static void WriteVerdicts(IReadOnlyList<ProviderVerdict> verdicts, int notNamed)
    {
        if (verdicts.Count == 0) return;
        var table = Output.Table("PROVIDER", "OUTCOME", "REASON", "DETAIL");
        foreach (var v in verdicts) table.AddRow(Markup.Escape(v.ProviderId), v.Outcome, Markup.Escape(v.Reason ?? ""), Markup.Escape(v.Detail ?? ""));
        Output.Print(table);
        if (notNamed > 0) Output.Line($"and {notNamed} more provider(s) ruled out (see the counts per constraint in --json)");
    }

    internal static string Kebab<T>(T value) where T : struct, Enum => System.Text.Json.JsonNamingPolicy.KebabCaseLower.ConvertName(value.ToString());

    private static Command Watch()
    {
        var id = new Argument<string>("job-id");
        var watch = new Command("watch", "follow a job live, printing each state as it happens, until it is terminal") { id };
        Operator.SetAction(watch, (client, json, parsed, ct) => Follow(client, parsed.GetValue(id)!, json, ct));
        return watch;
    }

    private static Command Post()
    {
        var file = new Argument<string>("file") { Description = "the job description (JSON), '-' for standard input" };
        var wait = new Option<bool>("--wait") { Description = "follow the job until it is terminal; exit 0 if it contracted, 1 if it failed" };
        var retryFor = new Option<string>("--retry-for")
        {
            Description = "while the node cannot answer, or says it does not know whether the job was taken, post the same job " +
                          "(same jobId) again for up to this long (e.g. 30s, 2m; 0 = once)",
            DefaultValueFactory = _ => "60s",
        };
        var post = new Command("post", "post a job (a description without a jobId is given one first, so re-posting it is safe)") { file, wait, retryFor };
        Operator.SetAction(post, async (client, json, parsed, ct) =>
        {
            var budget = Output.ParseDuration(parsed.GetValue(retryFor)!) ?? throw new CliFailure($"--retry-for: '{parsed.GetValue(retryFor)}' is not a duration (30s, 2m, 0)", 2);
            var (body, jobId) = WithJobId(await NodeClient.ReadBodyAsync(parsed.GetValue(file)!, ct));
            var answer = await PostUntilAnswered(client, body, jobId, budget, ct);
            var accepted = NodeClient.Read<PostJobResponse>(answer);
            if (json && !parsed.GetValue(wait)) Output.Json(answer);
            else if (!json) Output.Line($"job {accepted.JobId} {(accepted.Created ? "posted" : "was posted already")} ({accepted.State})");
            return parsed.GetValue(wait) ? await Follow(client, accepted.JobId, json, ct) : 0;
        });
        return post;
    }

    /// <summary>
    /// The body with a jobId: its own, or a new one added here, so that the post can be repeated without making a
    /// second job. A body that is not a JSON object is left as it is (the node says what is wrong with it).
    /// </summary>
    internal static (string Body, string? JobId) WithJobId(string body)
    {
        try
        {
            if (System.Text.Json.Nodes.JsonNode.Parse(body) is not System.Text.Json.Nodes.JsonObject job) return (body, null);
            if (job["jobId"] is System.Text.Json.Nodes.JsonValue given && given.TryGetValue<string>(out var id)) return (body, id);
            if (job.ContainsKey("jobId")) return (body, null);
            id = "job-" + Guid.CreateVersion7().ToString("N");
            var withId = new System.Text.Json.Nodes.JsonObject { ["jobId"] = id };
            foreach (var (key, value) in job.ToList())
            {
                job.Remove(key);
                withId[key] = value;
            }

            return (withId.ToJsonString(), id);
        }
        catch (System.Text.Json.JsonException)
        {
            return (body, null);
        }
    }

    /// <summary>
    /// Posts until the node answers whether it took the job. A post the node refused before writing anything, one it
    /// cannot say was stored, and one it never answered are all posted again with the same jobId (the node takes a
    /// job once, so a repeat only tells what happened), after the node's Retry-After or 2 s, until the budget is
    /// spent; then the last failure stands (exit 3), and says which jobId to look for.
    /// </summary>
    private static async Task<JsonElement> PostUntilAnswered(NodeClient client, string body, string? jobId, TimeSpan budget, CancellationToken ct)
    {
        var until = DateTime.UtcNow + budget;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await client.PostAsync("/orchestrator/postJob", body, ct);
            }
            catch (CliFailure failure) when (failure.ExitCode == NodeClient.Unreachable && jobId is not null)
            {
                var pause = failure.RetryAfter is { } after && after > TimeSpan.Zero ? after : TimeSpan.FromSeconds(2);
                if (DateTime.UtcNow + pause > until)
                    throw new CliFailure(failure.Message + (failure.OutcomeUnknown
                        ? $" — job {jobId} may have been taken: post the same file again, or read it with 'jobs show {jobId}'"
                        : $" — job {jobId} was not taken"), failure.ExitCode, failure.ProblemType, failure.RetryAfter);
                Output.Error($"post {attempt}: {failure.Message}; posting job {jobId} again in {pause.TotalSeconds:0.#} s");
                await Task.Delay(pause, ct);
            }
        }
    }

    /// <summary>A dry run, like <c>nomad job plan</c>: whom the job would ask, how they rank, why not the others.</summary>
    private static Command Plan()
    {
        var file = new Argument<string>("file") { Description = "the job description (JSON), '-' for standard input" };
        var plan = new Command("plan", "a dry run: the candidates' bids ranked and explained, and why not each other provider; nothing is locked") { file };
        Operator.SetAction(plan, async (client, json, parsed, ct) =>
        {
            var answer = await client.PostAsync("/orchestrator/plan", await NodeClient.ReadBodyAsync(parsed.GetValue(file)!, ct), ct);
            if (json)
            {
                Output.Json(answer);
                return 0;
            }

            var result = NodeClient.Read<PlanResult>(answer);
            var e = result.Explanation;
            Output.Line($"plan for {result.JobId}: {e.Considered} provider(s) considered, {e.Asked} asked, {e.Eligible} eligible ({Kebab(e.Selection)})");
            var ranking = Output.Table("RANK", "PROVIDER", "SCORE", "PRICE/H", "LOCKS WITH BID");
            foreach (var r in e.Ranking) ranking.AddRow(r.Rank.ToString(), Markup.Escape(r.ProviderId), r.Score.ToString("0.###"), r.PricePerHour.ToString(), r.ResourcesLocked ? "yes" : "no");
            if (e.Ranking.Count > 0) Output.Print(ranking);
            WriteVerdicts(result.Providers.Where(v => v.Outcome != "eligible").ToArray(), result.ProvidersNotNamed);
            return e.Eligible > 0 ? 0 : 1;
        });
        return plan;
    }

    private static Command Cancel()
    {
        var id = new Argument<string>("job-id");
        var cancel = new Command("cancel", "cancel a job: before its contract it fails as cancelled (its locks released); while its program runs, the program is stopped and the job ends Cancelled") { id };
        Operator.SetAction(cancel, async (client, json, parsed, ct) =>
        {
            var answer = await client.PostAsync($"/orchestrator/jobs/{Uri.EscapeDataString(parsed.GetValue(id)!)}/cancel", null, ct);
            if (json) Output.Json(answer);
            else
            {
                var job = NodeClient.Read<JobStatus>(answer);
                Output.Line($"job {job.JobId}: {job.State} ({job.Failure?.Message})");
            }

            return 0;
        });
        return cancel;
    }

    /// <summary>Prints each state change as it arrives (with the time since the first); exit 0 contracted (a reservation) or completed, 1 failed or cancelled.</summary>
    private static async Task<int> Follow(NodeClient client, string jobId, bool json, CancellationToken ct)
    {
        await using var stream = await client.OpenStreamAsync($"/orchestrator/jobs/{Uri.EscapeDataString(jobId)}/events", ct);
        DateTimeOffset? first = null;
        JobState? last = null;
        await foreach (var item in SseParser.Create(stream).EnumerateAsync(ct))
        {
            if (item.EventType != "state") continue;
            if (json)
            {
                Console.WriteLine(item.Data);
                last = JsonSerializer.Deserialize<JobStateChanged>(item.Data, ApiJson.Reading)!.State;
                continue;
            }

            var change = JsonSerializer.Deserialize<JobStateChanged>(item.Data, ApiJson.Reading)!;
            first ??= change.At;
            last = change.State;
            Output.Console.MarkupLine($"{change.At:HH:mm:ss.fff}  +{(change.At - first.Value).TotalMilliseconds,7:0} ms  {StateMarkup(change.State, 10)}  {Markup.Escape(change.Note ?? "")}");
        }

        return last switch
        {
            JobState.Contracted or JobState.Completed => 0,
            JobState.Failed or JobState.Cancelled => NodeClient.Refused,
            _ => throw new CliFailure($"the stream of job {jobId} ended before the job was terminal (the node went away?)", NodeClient.Unreachable),
        };
    }

    private static DateTimeOffset Since(string text)
    {
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)) return at;
        if (Output.ParseDuration(text) is { } age) return DateTimeOffset.UtcNow - age;

        throw new CliFailure($"--since: '{text}' is neither a time (ISO 8601) nor an age (30m, 2h, 1d)", 2);
    }

    /// <summary>The state, coloured when terminal, padded to <paramref name="width"/> visible characters.</summary>
    private static string StateMarkup(JobState state, int width = 0)
    {
        var text = state.ToString().PadRight(width);
        return state switch
        {
            JobState.Contracted or JobState.Completed => $"[green]{text}[/]",
            JobState.Running => $"[blue]{text}[/]",
            JobState.Failed => $"[red]{text}[/]",
            JobState.Cancelled => $"[yellow]{text}[/]",
            _ => text,
        };
    }

    private static string Shorten(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";
}
