using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;
using OpenQA.Selenium.Support.UI;
using Orchestrator.EndToEnd.Tests.Infrastructure;

namespace Orchestrator.EndToEnd.Tests;

/// <summary>
/// The web console in a real headless browser (Debian's Chromium and its driver, which <c>scripts/test.sh</c>
/// installs): a job posted through the API appears, reaches Contracted on screen, and its page shows the winning
/// provider and why the others were filtered out. With <c>ORCHESTRATOR_WRITE_SCREENSHOTS=DIR</c> it saves the pages'
/// screenshots there (the ones in docs/ are made so).
/// </summary>
public sealed class ConsoleTests
{
    private static readonly string Providers = "[" + string.Join(",", Enumerable.Range(0, 6).Select(i =>
            $$"""{"id":"cp-{{i:00}}","resources":{"cpuCores":4,"ramMb":8192,"diskGb":100},"executors":["docker"],"pricePerHour":{{1 + i / 10.0:0.0}}}"""))
        + """,{"id":"cp-small","resources":{"cpuCores":1,"ramMb":8192,"diskGb":100},"executors":["docker"]}]""";

    [Fact]
    public async Task A_job_posted_through_the_API_appears_reaches_Contracted_on_screen_and_its_page_explains_it()
    {
        using var setup = NodeSetup.Create(Providers);
        await using var node = await NodeProcess.StartAsync(setup);
        using var browser = Browser();
        var wait = Waiting(browser);

        browser.Navigate().GoToUrl(new Uri(node.BaseAddress, "ui/#/jobs"));
        wait.Until(b => b.FindElement(By.CssSelector("main h1")).Text == "Jobs");
        var id = await node.Http.PostJobOkAsync("""{"jobId":"console-job","requirements":{"resources":{"cpuCores":2,"ramMb":256,"diskGb":1}}}""");

        // The list updates by itself; the job's page follows the job live.
        wait.Until(b =>
        {
            b.FindElement(By.CssSelector($"tr[data-job-id='{id}'] a")).Click();
            return true;
        });
        wait.Until(b => b.FindElement(By.Id("job-state")).Text == "Contracted");

        var job = await node.Http.GetJobAsync(id);
        var winner = job["contract"]!["providerId"]!.GetValue<string>();
        Assert.Equal(winner, browser.FindElement(By.Id("contract-provider")).Text);
        Assert.Contains(browser.FindElements(By.CssSelector("td.filtered-reason")), e => e.Text == "insufficient-cpu");
        Assert.Contains(browser.FindElements(By.CssSelector("td.verdict-reason")), e => e.Text == "insufficient-cpu");
        Assert.Contains("(selected)", browser.FindElement(By.TagName("main")).Text);
        // The timeline: every state the job went through, in order.
        Assert.Equal(["Posted", "Searching", "Matched", "Requested", "Contracted"],
            browser.FindElements(By.XPath("//section[h2='Timeline']//tbody/tr/td[2]")).Select(td => td.Text));
        Screenshot(browser, "console-job.png");

        browser.Navigate().GoToUrl(new Uri(node.BaseAddress, "ui/#/providers"));
        wait.Until(b => b.FindElements(By.CssSelector("tr[data-provider-id]")).Count == 7);
        var held = browser.FindElement(By.CssSelector($"tr[data-provider-id='{winner}']"));
        Assert.Contains("2 of 4 cores free", held.Text);
        Assert.NotEqual("0%", held.FindElement(By.CssSelector(".bar .contracted")).GetCssValue("width"));
        Screenshot(browser, "console-providers.png");

        browser.Navigate().GoToUrl(new Uri(node.BaseAddress, "ui/#/"));
        wait.Until(b => b.FindElement(By.TagName("main")).Text.Contains("(this node)"));
        Assert.Contains("Contracted", browser.FindElement(By.TagName("main")).Text);
        Screenshot(browser, "console-cluster.png");

        browser.Navigate().GoToUrl(new Uri(node.BaseAddress, "ui/#/jobs"));
        wait.Until(b => b.FindElements(By.CssSelector($"tr[data-job-id='{id}']")).Count == 1);
        Screenshot(browser, "console-jobs.png");
    }

    [Fact]
    public async Task A_job_that_ran_shows_its_settlement_the_provider_its_earnings_and_the_ledger_its_totals()
    {
        using var setup = NodeSetup.Create("""[{"id":"cp-run","resources":{"cpuCores":4,"ramMb":2048,"diskGb":10},"executors":["simulated"],"pricePerHour":3.6}]""");
        await using var node = await NodeProcess.StartAsync(setup);
        await node.Http.PostJobOkAsync(RunTests.RunJob("console-paid", RunTests.Simulated("print=hello", "sleep-ms=1100")));
        string amount = "";
        long billed = 0;
        await Poll.UntilAsync(async () =>
        {
            var settlement = (await node.Http.GetJobAsync("console-paid"))["settlements"]![0]!;
            Assert.Equal("settled", settlement["state"]!.GetValue<string>());
            amount = settlement["settlement"]!["amount"]!.GetValue<decimal>().ToString(System.Globalization.CultureInfo.InvariantCulture);
            billed = settlement["settlement"]!["billedSeconds"]!.GetValue<long>();
        }, TimeSpan.FromSeconds(30));

        using var browser = Browser();
        var wait = Waiting(browser);
        browser.Navigate().GoToUrl(new Uri(node.BaseAddress, "ui/#/jobs/console-paid"));
        wait.Until(b => b.FindElement(By.CssSelector("tr[data-contract-id='console-paid@cp-run'] td.settlement-state")).Text == "settled");
        var row = browser.FindElement(By.CssSelector("tr[data-contract-id='console-paid@cp-run']"));
        Assert.Equal($"{amount} USD", row.FindElement(By.CssSelector("td.settlement-amount")).Text);
        Assert.Contains($"completed: {billed} s", row.Text);
        Assert.Contains("journal: recorded", row.Text);

        browser.Navigate().GoToUrl(new Uri(node.BaseAddress, "ui/#/providers"));
        wait.Until(b => b.FindElement(By.CssSelector("tr[data-provider-id='cp-run'] td.earnings")).Text == $"{amount} USD");

        browser.Navigate().GoToUrl(new Uri(node.BaseAddress, "ui/#/settlements"));
        wait.Until(b => b.FindElement(By.Id("settlement-totals")).Text.Contains($"{amount} USD settled over 1 of 1"));
        Assert.Contains("console-paid@cp-run", browser.FindElement(By.TagName("main")).Text);
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

        using var browser = Browser();
        var wait = Waiting(browser);
        browser.Navigate().GoToUrl(new Uri(node.BaseAddress, "ui/#/"));
        // Without the token: the operations panels say what they need; reading jobs works; nothing can be changed.
        wait.Until(b => b.FindElement(By.TagName("main")).Text.Contains("needs the node's API token"));
        Assert.Equal("read-only", browser.FindElement(By.Id("mode")).Text);
        browser.Navigate().GoToUrl(new Uri(node.BaseAddress, "ui/#/jobs/console-waits"));
        wait.Until(b => b.FindElement(By.Id("job-state")).Text == "Searching");
        Assert.Empty(browser.FindElements(By.Id("cancel")));

        // With it: the members show, and the job can be cancelled from its page.
        browser.FindElement(By.Id("token")).SendKeys(token + Keys.Tab);
        wait.Until(b => b.FindElement(By.Id("mode")).Text == "with token");
        // The page redraws as the job changes: find the button and click it in one step, again if it was redrawn.
        wait.Until(b =>
        {
            b.FindElement(By.Id("cancel")).Click();
            return true;
        });
        wait.Until(b => b.FindElement(By.Id("job-state")).Text == "Failed");
        Assert.Equal("Failed", (await node.Http.GetJobAsync("console-waits")).State());
        browser.Navigate().GoToUrl(new Uri(node.BaseAddress, "ui/#/"));
        wait.Until(b => b.FindElement(By.TagName("main")).Text.Contains("(this node)"));
    }

    /// <summary>Waits up to 30 s; the pages redraw themselves, so an element gone stale is looked for again.</summary>
    private static WebDriverWait Waiting(ChromeDriver browser)
    {
        var wait = new WebDriverWait(browser, TimeSpan.FromSeconds(30));
        wait.IgnoreExceptionTypes(typeof(NoSuchElementException), typeof(StaleElementReferenceException));
        return wait;
    }

    private static ChromeDriver Browser()
    {
        Assert.True(File.Exists("/usr/bin/chromium") && File.Exists("/usr/bin/chromedriver"),
            "Chromium and its driver are needed (scripts/test.sh installs them: apt-get install chromium chromium-driver)");
        var options = new ChromeOptions { BinaryLocation = "/usr/bin/chromium" };
        // No network beyond the node, no profile left behind, a window wide enough for the tables.
        options.AddArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--window-size=1300,1000", "--user-data-dir=" + Directory.CreateTempSubdirectory("chromium-").FullName);
        var service = ChromeDriverService.CreateDefaultService("/usr/bin", "chromedriver");
        service.SuppressInitialDiagnosticInformation = true;
        return new ChromeDriver(service, options, TimeSpan.FromSeconds(60));
    }

    private static void Screenshot(ChromeDriver browser, string name)
    {
        if (Environment.GetEnvironmentVariable("ORCHESTRATOR_WRITE_SCREENSHOTS") is { Length: > 0 } folder)
            browser.GetScreenshot().SaveAsFile(Path.Combine(folder, name));
    }
}
