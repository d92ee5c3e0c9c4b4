using System.Text.Json.Nodes;
using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;
using OpenQA.Selenium.Support.UI;

namespace Orchestrator.EndToEnd.Tests.Infrastructure;

/// <summary>
/// The web console in a real headless browser (Debian's Chromium and its driver, which <c>scripts/test.sh</c>
/// installs), 1280 px wide as an operator's laptop is: waiting for what the page shows, the requests it makes (Chrome's
/// network log), axe-core's verdict on a page, and screenshots (with <c>ORCHESTRATOR_WRITE_SCREENSHOTS=DIR</c>; the
/// ones in docs/ are made so).
/// </summary>
public sealed class ConsoleBrowser : IDisposable
{
    public const int Width = 1280;

    private readonly Uri _node;

    public ConsoleBrowser(Uri node)
    {
        _node = node;
        Assert.True(File.Exists("/usr/bin/chromium") && File.Exists("/usr/bin/chromedriver"),
            "Chromium and its driver are needed (scripts/test.sh installs them: apt-get install chromium chromium-driver)");
        var options = new ChromeOptions { BinaryLocation = "/usr/bin/chromium" };
        // No network beyond the node, no profile left behind.
        options.AddArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--hide-scrollbars", $"--window-size={Width},1000",
            "--user-data-dir=" + Directory.CreateTempSubdirectory("chromium-").FullName);
        // Every request the page makes, as Chrome's network log sees it (an EventSource's reconnects included).
        options.SetLoggingPreference(LogType.Performance, LogLevel.All);
        var service = ChromeDriverService.CreateDefaultService("/usr/bin", "chromedriver");
        service.SuppressInitialDiagnosticInformation = true;
        Driver = new ChromeDriver(service, options, TimeSpan.FromSeconds(60));
        // Waits up to 30 s; the pages redraw themselves, so an element gone stale is looked for again.
        Wait = new WebDriverWait(Driver, TimeSpan.FromSeconds(30));
        Wait.IgnoreExceptionTypes(typeof(NoSuchElementException), typeof(StaleElementReferenceException));
    }

    public ChromeDriver Driver { get; }

    public WebDriverWait Wait { get; }

    public IWebElement Main => Driver.FindElement(By.TagName("main"));

    /// <summary>Opens a page of the console: <c>"#/jobs"</c>, <c>"#/jobs/ID"</c>.</summary>
    public void Open(string page) => Driver.Navigate().GoToUrl(new Uri(_node, "ui/" + page));

    public void Until(Func<IWebDriver, bool> condition) => Wait.Until(condition);

    public object? Script(string script, params object[] args) => Driver.ExecuteScript(script, args);

    /// <summary>How many times the page has been drawn (the console counts its redraws on <c>main</c>).</summary>
    public int Drawn => int.TryParse(Main.GetAttribute("data-drawn"), out var n) ? n : 0;

    /// <summary>Waits until the page has been drawn <paramref name="times"/> more times.</summary>
    public void AwaitRedraws(int times)
    {
        var from = Drawn;
        Until(_ => Drawn >= from + times);
    }

    /// <summary>The URLs the page requested since the last call (the log is emptied by reading it).</summary>
    public List<string> Requests() => Driver.Manage().Logs.GetLog(LogType.Performance)
        .Select(entry => JsonNode.Parse(entry.Message)!["message"]!)
        .Where(m => m["method"]!.GetValue<string>() == "Network.requestWillBeSent")
        .Select(m => m["params"]!["request"]!["url"]!.GetValue<string>())
        .Where(url => !url.StartsWith("data:", StringComparison.Ordinal))
        .ToList();

    /// <summary>
    /// axe-core (tests/browser, installed by <c>npm ci</c> when missing) run on the page as it is now: every rule of its
    /// default set, WCAG 2.1 AA and best practices; any violation fails, with the elements it found.
    /// </summary>
    public async Task AssertAccessibleAsync(string page)
    {
        Script(await AxeAsync());
        var result = (string?)Driver.ExecuteAsyncScript(
            "const done = arguments[arguments.length - 1]; axe.run(document, { resultTypes: ['violations'] })" +
            ".then(r => done(JSON.stringify(r.violations.map(v => ({ id: v.id, help: v.help, nodes: v.nodes.map(n => n.target.join(' ') + ': ' + n.failureSummary) })))))" +
            ".catch(e => done(JSON.stringify([{ id: 'axe-failed', help: String(e), nodes: [] }])));");
        var violations = JsonNode.Parse(result ?? "[{\"id\":\"axe-no-answer\",\"help\":\"axe.run answered nothing\",\"nodes\":[]}]")!.AsArray();
        Assert.True(violations.Count == 0, $"axe-core on {page}:\n" + string.Join("\n", violations.Select(v =>
            $"{v!["id"]}: {v["help"]}\n    " + string.Join("\n    ", v["nodes"]!.AsArray().Take(5).Select(n => n!.GetValue<string>().Replace("\n", " "))))));
    }

    public void Screenshot(string name)
    {
        if (Environment.GetEnvironmentVariable("ORCHESTRATOR_WRITE_SCREENSHOTS") is { Length: > 0 } folder)
            Driver.GetScreenshot().SaveAsFile(Path.Combine(folder, name));
    }

    public void Dispose() => Driver.Quit();

    private static readonly SemaphoreSlim Installing = new(1, 1);
    private static string? _axe;

    private static async Task<string> AxeAsync()
    {
        await Installing.WaitAsync();
        try
        {
            if (_axe is not null) return _axe;
            var folder = Path.Combine(Repository.Root, "tests", "browser");
            var file = Path.Combine(folder, "node_modules", "axe-core", "axe.min.js");
            if (!File.Exists(file))
            {
                var (installed, said) = await Processes.TryRunAsync("npm", ["ci", "--no-audit", "--no-fund"], folder);
                Assert.True(installed == 0, $"npm ci in tests/browser failed:\n{said}");
            }

            return _axe = await File.ReadAllTextAsync(file);
        }
        finally
        {
            Installing.Release();
        }
    }
}
