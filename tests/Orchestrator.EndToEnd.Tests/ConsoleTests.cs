using OpenQA.Selenium;
using Orchestrator.EndToEnd.Tests.Infrastructure;

namespace Orchestrator.EndToEnd.Tests;

/// <summary>
/// The web console as an operator uses it, in a real headless browser 1280 px wide (<see cref="ConsoleBrowser"/>): jobs
/// posted through the API appear and can all be reached, a job's page tells its story and stops asking once it is
/// over, providers show what they have, and axe-core finds nothing wrong on any page. With
/// <c>ORCHESTRATOR_WRITE_SCREENSHOTS=DIR</c> it saves the pages' screenshots there (the ones in docs/ are made so).
/// </summary>
public sealed class ConsoleTests
{
    private static readonly string Providers = "[" + string.Join(",", Enumerable.Range(0, 6).Select(i =>
            $$"""{"id":"cp-{{i:00}}","resources":{"cpuCores":4,"ramMb":8192,"diskGb":100},"executors":["docker"],"pricePerHour":{{1 + i / 10.0:0.0}}}"""))
        + """,{"id":"cp-small","resources":{"cpuCores":1,"ramMb":8192,"diskGb":100},"executors":["docker"]}"""
        + """,{"id":"cp-gpu","resources":{"cpuCores":8,"ramMb":65536,"diskGb":2000,"diskType":"nvme","gpus":[{"vendor":"nvidia","model":"A100","vramMb":81920},{"vendor":"nvidia","model":"A100","vramMb":81920}]},"executors":["docker"],"localities":[{"kind":"country","name":"DE"},{"kind":"city","name":"Berlin"}],"pricePerHour":9}]""";

    [Fact]
    public async Task A_job_posted_through_the_API_appears_reaches_Contracted_on_screen_and_its_page_explains_it()
    {
        using var setup = NodeSetup.Create(Providers);
        await using var node = await NodeProcess.StartAsync(setup);
        using var browser = new ConsoleBrowser(node.BaseAddress);

        browser.Open("#/jobs");
        browser.Until(b => b.FindElement(By.CssSelector("main h1")).Text == "Jobs");
        Assert.Equal("Jobs · Orchestrator", browser.Driver.Title);
        var id = await node.Http.PostJobOkAsync("""{"jobId":"console-job","requirements":{"resources":{"cpuCores":2,"ramMb":1024,"diskGb":1}}}""");

        // The list updates by itself; the job's page follows the job live.
        browser.Until(b =>
        {
            b.FindElement(By.CssSelector($"tr[data-job-id='{id}'] a")).Click();
            return true;
        });
        browser.Until(b => b.FindElement(By.Id("job-state")).Text == "Contracted");
        Assert.Equal($"Job {id} · Orchestrator", browser.Driver.Title);

        var job = await node.Http.GetJobAsync(id);
        var winner = job["contract"]!["providerId"]!.GetValue<string>();
        Assert.Equal(winner, browser.Driver.FindElement(By.Id("contract-provider")).Text);
        Assert.Contains(browser.Driver.FindElements(By.CssSelector("td.filtered-reason")), e => e.Text == "insufficient-cpu");
        Assert.Contains(browser.Driver.FindElements(By.CssSelector("td.verdict-reason")), e => e.Text == "insufficient-cpu");
        Assert.Contains("(selected)", browser.Main.Text);
        // Every provider asked, and what became of it: the winner contracted, the others bid and were not selected.
        Assert.Equal("contracted", browser.Driver.FindElement(By.CssSelector($"tr[data-asked='{winner}'] td.fate")).Text);
        Assert.All(browser.Driver.FindElements(By.CssSelector("tr[data-asked]")).Where(r => r.GetAttribute("data-asked") != winner),
            r => Assert.StartsWith("bid, not selected (rank ", r.FindElement(By.CssSelector("td.fate")).Text));
        // The timeline: every state the job went through, in order, to the millisecond, with how long each lasted.
        Assert.Equal(["Posted", "Searching", "Matched", "Requested", "Contracted"],
            browser.Driver.FindElements(By.XPath("//section[h2='Timeline']//tbody/tr/td[2]")).Select(td => td.Text));
        Assert.All(browser.Driver.FindElements(By.XPath("//section[h2='Timeline']//tbody/tr/td[1]")),
            td => Assert.Matches(@"\d\d:\d\d:\d\d\.\d{3}$", td.Text));
        Assert.All(browser.Driver.FindElements(By.XPath("//section[h2='Timeline']//tbody/tr[position() < last()]/td[3]")),
            td => Assert.Matches(@"^\d+(\.\d)? (ms|s)$", td.Text));
        // A job that contracted has no failure to show, and a page shows no empty section.
        Assert.Empty(browser.Driver.FindElements(By.Id("failure")));
        Assert.DoesNotContain(browser.Driver.FindElements(By.CssSelector("td.muted")), td => td.Text == "none");
        await browser.AssertAccessibleAsync("a contracted job's page");
        browser.Screenshot("console-job.png");

        browser.Open("#/providers");
        browser.Until(b => b.FindElements(By.CssSelector("tr[data-provider-id]")).Count == 8);
        Assert.Equal("Providers · Orchestrator", browser.Driver.Title);
        var held = browser.Driver.FindElement(By.CssSelector($"tr[data-provider-id='{winner}']"));
        Assert.Contains("2 of 4 cores free", held.Text);
        Assert.Contains("7 GB of 8 GB free", held.Text);
        Assert.NotEqual("0%", held.FindElement(By.CssSelector(".bar .contracted")).GetCssValue("width"));
        // A GPU provider: its GPUs by model and memory, how many are free, its disk, where it is and what it runs.
        var gpu = browser.Driver.FindElement(By.CssSelector("tr[data-provider-id='cp-gpu']"));
        Assert.Contains("2 of 2 free", gpu.FindElement(By.CssSelector("td.gpus")).Text);
        Assert.Contains("2× nvidia A100, 80 GB", gpu.FindElement(By.CssSelector("td.gpus")).Text);
        Assert.Contains("2 TB of 2 TB free", gpu.FindElement(By.CssSelector("td.disk")).Text);
        Assert.Contains("DE, Berlin · docker", gpu.Text);
        Assert.Contains("64 GB of 64 GB free", gpu.Text);
        await browser.AssertAccessibleAsync("the providers page");
        browser.Screenshot("console-providers.png");

        browser.Open("#/");
        browser.Until(b => b.FindElement(By.TagName("main")).Text.Contains("(this node)"));
        Assert.Equal("Cluster · Orchestrator", browser.Driver.Title);
        Assert.Contains("Contracted", browser.Main.Text);
        Assert.Contains("2 of 2 GPU(s) free", browser.Main.Text);
        await browser.AssertAccessibleAsync("the cluster page");
        browser.Screenshot("console-cluster.png");

        // The console's icon is served with the page.
        using var icon = await node.Http.GetAsync("/ui/favicon.svg");
        Assert.Equal("image/svg+xml", icon.Content.Headers.ContentType!.MediaType);
        Assert.Equal("favicon.svg", browser.Driver.FindElement(By.CssSelector("link[rel='icon']")).GetAttribute("href")!.Split('/')[^1]);
    }

    [Fact]
    public async Task Of_250_jobs_the_oldest_is_reached_by_paging_and_by_search_and_a_selection_survives_the_refresh()
    {
        using var setup = NodeSetup.Create("""[{"id":"cp-big","resources":{"cpuCores":1024,"ramMb":1048576,"diskGb":10000},"executors":["docker"],"pricePerHour":1}]""");
        await using var node = await NodeProcess.StartAsync(setup);
        const int count = 250;
        for (var i = 0; i < count; i++)
            await node.Http.PostJobOkAsync("{\"jobId\":\"paged-" + i.ToString("000", System.Globalization.CultureInfo.InvariantCulture) + "\",\"requirements\":{\"resources\":{\"cpuCores\":1,\"ramMb\":64,\"diskGb\":1}}}");
        await Poll.UntilAsync(async () =>
        {
            var page = System.Text.Json.Nodes.JsonNode.Parse(await node.Http.GetStringAsync("/orchestrator/jobs?state=Contracted&limit=1"))!;
            Assert.Equal(count, page["total"]!.GetValue<int>());
        }, TimeSpan.FromSeconds(90));

        using var browser = new ConsoleBrowser(node.BaseAddress);
        browser.Open("#/jobs");
        browser.Until(b => b.FindElement(By.Id("page-range")).Text == $"1–50 of {count} jobs");
        var rows = browser.Driver.FindElements(By.CssSelector("tbody tr[data-job-id]"));
        Assert.Equal("paged-249", rows[0].GetAttribute("data-job-id"));
        // "All" is the filter in use, and says how many jobs there are.
        var active = browser.Driver.FindElement(By.CssSelector(".filters a[aria-current='true']"));
        Assert.Equal($"All {count}", active.Text);

        // One line per job at 1280 px: no row is taller than one line of text (and its padding).
        var heights = (IReadOnlyCollection<object>)browser.Script(
            "return [...document.querySelectorAll('tbody tr[data-job-id]')].map(r => r.getBoundingClientRect().height)")!;
        var lineHeight = Convert.ToDouble(browser.Script("return parseFloat(getComputedStyle(document.querySelector('tbody td')).lineHeight)"));
        Assert.All(heights.Select(Convert.ToDouble), h => Assert.True(h < 1.6 * lineHeight, $"a row {h} px high: its text wraps (line height {lineHeight} px)"));
        // Relative ages, the exact time to the millisecond on hover.
        var posted = rows[0].FindElement(By.CssSelector("td:nth-child(4) time"));
        Assert.EndsWith(" ago", posted.Text);
        Assert.Matches(@"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}Z$", posted.GetAttribute("title"));

        // A job id selected to be copied stays selected while the list refreshes, and its row stays the same element in
        // the same place (rows are updated in place, in a stable order).
        browser.Screenshot("console-jobs.png");
        var order = rows.Select(r => r.GetAttribute("data-job-id")).ToArray();
        browser.Script("const a = document.querySelector(\"tr[data-job-id='paged-247'] td a\"); a.kept = true; getSelection().selectAllChildren(a);");
        browser.AwaitRedraws(2);
        Assert.Equal("paged-247", browser.Script("return getSelection().toString()"));
        Assert.Equal(true, browser.Script("return document.querySelector(\"tr[data-job-id='paged-247'] td a\").kept === true"));
        Assert.Equal(order, browser.Driver.FindElements(By.CssSelector("tbody tr[data-job-id]")).Select(r => r.GetAttribute("data-job-id")));
        await browser.AssertAccessibleAsync("the jobs list");

        // Paging to the oldest: the pages are pinned, so a job posted meanwhile does not shift them.
        browser.Driver.FindElement(By.Id("page-last")).Click();
        browser.Until(b => b.FindElement(By.Id("page-range")).Text == $"201–{count} of {count} jobs");
        Assert.Equal("paged-000", browser.Driver.FindElements(By.CssSelector("tbody tr[data-job-id]"))[^1].GetAttribute("data-job-id"));
        await node.Http.PostJobOkAsync("""{"jobId":"paged-late","requirements":{"resources":{"cpuCores":1,"ramMb":64,"diskGb":1}}}""");
        browser.Driver.FindElement(By.Id("page-newer")).Click();
        browser.Until(b => b.FindElement(By.Id("page-range")).Text == $"151–200 of {count} jobs");
        browser.AwaitRedraws(2);
        Assert.Equal("paged-099", browser.Driver.FindElements(By.CssSelector("tbody tr[data-job-id]"))[0].GetAttribute("data-job-id"));
        browser.Driver.FindElement(By.Id("page-first")).Click();
        browser.Until(b => b.FindElement(By.Id("page-range")).Text == $"1–50 of {count + 1} jobs");

        // Searching for it, as typed.
        browser.Driver.FindElement(By.Id("job-search")).SendKeys("paged-000");
        browser.Until(b => b.FindElements(By.CssSelector("tbody tr[data-job-id]")).Select(r => r.GetAttribute("data-job-id")).SequenceEqual(["paged-000"]));
        Assert.Equal("1–1 of 1 jobs", browser.Driver.FindElement(By.Id("page-range")).Text);
        Assert.Equal("paged-000", browser.Driver.FindElement(By.Id("job-search")).GetAttribute("value"));
        // By provider id too; the state filter keeps the search and is marked as the one in use.
        browser.Open("#/jobs?search=CP-BIG&state=Failed");
        browser.Until(b => b.FindElement(By.Id("page-range")).Text == "0 jobs");
        Assert.Equal("Failed 0", browser.Driver.FindElement(By.CssSelector(".filters a[aria-current='true']")).Text);
        Assert.Equal($"All {count + 1}", browser.Driver.FindElement(By.CssSelector(".filters a:not([aria-current])")).Text);
        Assert.Contains("no job matches", browser.Main.Text);

        // On a node that needs no token (loopback, none set), the console offers what the node would accept.
        await node.Http.PostJobOkAsync("""{"jobId":"paged-stuck","requirements":{"resources":{"cpuCores":4096,"ramMb":64,"diskGb":1}}}""");
        browser.Open("#/jobs/paged-stuck");
        browser.Until(b => b.FindElement(By.Id("job-state")).Text == "Searching");
        Assert.Equal("no token needed", browser.Driver.FindElement(By.Id("mode")).Text);
        browser.Until(b =>
        {
            b.FindElement(By.Id("cancel")).Click();
            return true;
        });
        browser.Until(b => b.FindElement(By.Id("job-state")).Text == "Failed");
        // A job that failed says so first, as a failure; there was no contract, and nobody was asked.
        Assert.Equal("Cancelled", browser.Driver.FindElement(By.CssSelector("#failure h2")).Text);
        Assert.Equal("cancelled while Searching: cancelled through the API", browser.Driver.FindElement(By.CssSelector("#failure p")).Text);
        Assert.DoesNotContain(browser.Driver.FindElements(By.CssSelector("section h2")), h => h.Text is "Contract" or "Bids (best first)" || h.Text.StartsWith("Providers asked", StringComparison.Ordinal));
        Assert.Contains(browser.Driver.FindElements(By.CssSelector("td.verdict-reason")), e => e.Text == "insufficient-cpu");
        await browser.AssertAccessibleAsync("a failed job's page");
        browser.Screenshot("console-failed-job.png");
    }

    [Fact]
    public async Task A_top_ranked_provider_that_bid_and_then_did_not_take_the_job_is_on_its_page_with_why()
    {
        using var setup = NodeSetup.Create("""
            [
              {"id":"cp-cheap-unapproved","resources":{"cpuCores":8,"ramMb":8192,"diskGb":100},"executors":["docker"],"pricePerHour":0.1},
              {"id":"cp-approved","resources":{"cpuCores":8,"ramMb":8192,"diskGb":100},"executors":["docker"],"pricePerHour":1.0}
            ]
            """, """orchestrator.approvedIds = ["sp-e2e", "cp-approved"]""");
        await using var node = await NodeProcess.StartAsync(setup);
        var id = await node.Http.PostJobOkAsync("""{"jobId":"console-second-choice","requirements":{"resources":{"cpuCores":2,"ramMb":1024,"diskGb":10}}}""");
        Assert.Equal("Contracted", (await node.Http.AwaitTerminalAsync(id)).State());

        using var browser = new ConsoleBrowser(node.BaseAddress);
        browser.Open($"#/jobs/{id}");
        browser.Until(b => b.FindElement(By.Id("job-state")).Text == "Contracted");
        var first = browser.Driver.FindElement(By.CssSelector("tr[data-asked='cp-cheap-unapproved']"));
        Assert.Equal("1", first.FindElement(By.CssSelector("td:first-child")).Text);
        Assert.Equal("declined", first.FindElement(By.CssSelector("td.fate")).Text);
        Assert.Equal("verification-failed", first.FindElement(By.CssSelector("td.verdict-reason")).Text);
        Assert.Contains("bid, then declined the contract", first.Text);
        Assert.Equal("contracted", browser.Driver.FindElement(By.CssSelector("tr[data-asked='cp-approved'] td.fate")).Text);
        Assert.Equal("cp-approved", browser.Driver.FindElement(By.Id("contract-provider")).Text);
    }

    [Fact]
    public async Task A_job_that_ran_streams_its_output_shows_its_settlement_and_once_over_its_page_asks_nothing_more()
    {
        using var setup = NodeSetup.Create("""[{"id":"cp-run","resources":{"cpuCores":4,"ramMb":2048,"diskGb":10},"executors":["simulated"],"pricePerHour":3.6}]""");
        await using var node = await NodeProcess.StartAsync(setup);
        using var browser = new ConsoleBrowser(node.BaseAddress);
        await node.Http.PostJobOkAsync(RunTests.RunJob("console-paid", RunTests.Simulated("print=hello", "sleep-ms=3000")));
        browser.Open("#/jobs/console-paid");
        // What the program prints appears while it runs (the page follows the log as it is written).
        browser.Until(b => b.FindElement(By.Id("stdout")).Text.Contains("hello"));
        browser.Until(b => b.FindElement(By.CssSelector("tr[data-contract-id='console-paid@cp-run'] td.settlement-state")).Text == "settled");
        browser.Until(b => b.FindElement(By.CssSelector("tr[data-contract-id='console-paid@cp-run']")).Text.Contains("journal: recorded"));
        Assert.Equal("Completed", browser.Driver.FindElement(By.Id("job-state")).Text);
        Assert.Contains("Running", browser.Driver.FindElements(By.XPath("//section[h2='Timeline']//tbody/tr/td[2]")).Select(td => td.Text));

        var settlement = (await node.Http.GetJobAsync("console-paid"))["settlements"]![0]!;
        var amount = settlement["settlement"]!["amount"]!.GetValue<decimal>().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var billed = settlement["settlement"]!["billedSeconds"]!.GetValue<long>();
        var row = browser.Driver.FindElement(By.CssSelector("tr[data-contract-id='console-paid@cp-run']"));
        Assert.Equal($"{amount} USD", row.FindElement(By.CssSelector("td.settlement-amount")).Text);
        Assert.Contains($"completed: {billed} s", row.Text);

        // The story is told: no stream left open, nothing polled. Chrome's own network log over 15 s says so (the page's
        // earlier requests are in it: the log sees them).
        var earlier = browser.Requests();
        Assert.Contains(earlier, url => url.EndsWith("/orchestrator/jobs/console-paid", StringComparison.Ordinal));
        await Task.Delay(TimeSpan.FromSeconds(15));
        var later = browser.Requests();
        Assert.True(later.Count == 0, "the finished job's page kept asking:\n" + string.Join("\n", later));
        // Opened once the job is over, its page never opens the stream at all.
        browser.Driver.Navigate().Refresh();
        browser.Until(b => b.FindElement(By.CssSelector("h1[data-final='true']")) is not null && b.FindElement(By.Id("stdout")).Text.Contains("hello"));
        Assert.DoesNotContain(browser.Requests(), url => url.EndsWith("/events", StringComparison.Ordinal));
        await browser.AssertAccessibleAsync("a completed job's page");
        browser.Screenshot("console-run.png");

        browser.Open("#/providers");
        browser.Until(b => b.FindElement(By.CssSelector("tr[data-provider-id='cp-run'] td.earnings")).Text == $"{amount} USD");

        browser.Open("#/settlements");
        browser.Until(b => b.FindElement(By.Id("settlement-totals")).Text.Contains($"{amount} USD settled over 1 of 1"));
        Assert.Contains("console-paid@cp-run", browser.Main.Text);
        Assert.Equal("Settlements · Orchestrator", browser.Driver.Title);
        await browser.AssertAccessibleAsync("the settlements page");
        browser.Screenshot("console-settlements.png");

        // A program running now is on its provider's row, linked to its job.
        await node.Http.PostJobOkAsync(RunTests.RunJob("console-long", RunTests.Simulated("print=working", "sleep-ms=600000")));
        browser.Open("#/providers");
        browser.Until(b => b.FindElement(By.CssSelector("tr[data-provider-id='cp-run'] td.running")).Text == "console-long");
        Assert.EndsWith("#/jobs/console-long", browser.Driver.FindElement(By.CssSelector("tr[data-provider-id='cp-run'] td.running a")).GetAttribute("href"));
    }

    [Fact]
    public async Task On_an_exposed_node_the_console_is_read_only_until_the_API_token_is_given()
    {
        const string token = "console-token-for-the-e2e-test-42";
        using var setup = NodeSetup.Create(Providers, httpBindHost: "0.0.0.0");
        var tokenFile = Path.Combine(setup.DataDirectory, "api-token");
        await File.WriteAllTextAsync(tokenFile, token);
        setup.ExtraArguments.AddRange(["--api-token-file", tokenFile]);
        await using var node = await NodeProcess.StartAsync(setup);
        // Too big for every provider: it searches until cancelled.
        using var post = new HttpRequestMessage(HttpMethod.Post, "/orchestrator/postJob")
        {
            Content = new StringContent("""{"jobId":"console-waits","requirements":{"resources":{"cpuCores":64,"ramMb":256,"diskGb":1}}}""",
                System.Text.Encoding.UTF8, "application/json"),
        };
        post.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        Assert.Equal(System.Net.HttpStatusCode.Accepted, (await node.Http.SendAsync(post)).StatusCode);

        using var browser = new ConsoleBrowser(node.BaseAddress);
        browser.Open("#/");
        // Without the token: the operations panels say what they need; reading jobs works; nothing can be changed.
        browser.Until(b => b.FindElement(By.TagName("main")).Text.Contains("needs the node's API token"));
        Assert.Equal("read-only", browser.Driver.FindElement(By.Id("mode")).Text);
        browser.Open("#/jobs/console-waits");
        browser.Until(b => b.FindElement(By.Id("job-state")).Text == "Searching");
        Assert.Empty(browser.Driver.FindElements(By.Id("cancel")));

        // A wrong token is said to be wrong, and changes nothing.
        var field = browser.Driver.FindElement(By.Id("token"));
        field.SendKeys("not-the-token" + Keys.Tab);
        browser.Until(b => b.FindElement(By.Id("mode")).Text == "token refused");
        Assert.Empty(browser.Driver.FindElements(By.Id("cancel")));

        // With it: the members show, and the job can be cancelled from its page.
        field.Clear();
        field.SendKeys(token + Keys.Tab);
        browser.Until(b => b.FindElement(By.Id("mode")).Text == "with token");
        // The page redraws as the job changes: find the button and click it in one step, again if it was redrawn.
        browser.Until(b =>
        {
            b.FindElement(By.Id("cancel")).Click();
            return true;
        });
        browser.Until(b => b.FindElement(By.Id("job-state")).Text == "Failed");
        Assert.Equal("Failed", (await node.Http.GetJobAsync("console-waits")).State());
        Assert.Equal("Job console-waits cancelled.", browser.Driver.FindElement(By.Id("notice")).Text);
        browser.Open("#/");
        browser.Until(b => b.FindElement(By.TagName("main")).Text.Contains("(this node)"));
    }
}
