using System.Text.RegularExpressions;
using Microsoft.OpenApi;
using Microsoft.OpenApi.Reader;
using Orchestrator.EndToEnd.Tests.Infrastructure;

namespace Orchestrator.EndToEnd.Tests;

/// <summary>The node's OpenAPI document: valid, and it describes every endpoint the README lists, with its problems.</summary>
public sealed partial class OpenApiTests(ExampleNodeFixture fixture) : IClassFixture<ExampleNodeFixture>
{
    [Fact]
    public async Task The_document_is_valid_OpenAPI_and_covers_every_route_the_README_lists()
    {
        var json = await fixture.Node.Http.GetStringAsync("/openapi/v1.json");
        var read = OpenApiDocument.Parse(json, "json", new OpenApiReaderSettings());
        Assert.Empty(read.Diagnostic!.Errors);
        var document = read.Document!;
        Assert.Empty(document.Validate(ValidationRuleSet.GetDefaultRuleSet())!);

        var documented = document.Paths.SelectMany(p => p.Value.Operations!.Keys.Select(m => $"{m.Method.ToUpperInvariant()} {p.Key}")).ToHashSet();
        var listed = ReadmeRoutes();
        Assert.True(listed.Count >= 10, $"the README's endpoint table lists only {listed.Count} routes");
        // The document itself is the one route it does not describe.
        foreach (var (method, path) in listed.Where(r => r.Path != "/openapi/v1.json"))
        {
            // A row like `/ops/cluster…` stands for every route under it.
            var covered = path.EndsWith('…')
                ? documented.Any(d => d.StartsWith($"{method} {path.TrimEnd('…')}", StringComparison.Ordinal))
                : documented.Contains($"{method} {path}");
            Assert.True(covered, $"the README lists {method} {path}, the OpenAPI document does not describe it:\n{string.Join("\n", documented.Order())}");
        }
    }

    [Fact]
    public async Task Post_job_documents_its_body_its_success_and_each_problem()
    {
        var json = await fixture.Node.Http.GetStringAsync("/openapi/v1.json");
        var document = OpenApiDocument.Parse(json, "json", new OpenApiReaderSettings()).Document!;
        var post = document.Paths["/orchestrator/postJob"].Operations![HttpMethod.Post];
        Assert.Contains("application/json", post.RequestBody!.Content!.Keys);
        // 401: the node's API token, when it has one (the security scheme says so).
        Assert.Equal(["202", "400", "401", "409", "413", "415", "503"], post.Responses!.Keys.Order());
        Assert.Contains("application/problem+json", post.Responses["400"].Content!.Keys);
        Assert.NotNull(document.Components!.Schemas!["JobDescription"]);
    }

    /// <summary>Every `METHOD /path` in the first column of the API page's endpoint table (docs/api.md).</summary>
    private static List<(string Method, string Path)> ReadmeRoutes() =>
        Repository.Read("docs/api.md").Split('\n')
            .Select(line => Row().Match(line))
            .Where(m => m.Success)
            .SelectMany(m => m.Groups["cell"].Value.Split(',', StringSplitOptions.TrimEntries))
            .Select(cell => Route().Match(cell))
            .Where(m => m.Success)
            .SelectMany(m => m.Groups["methods"].Value.Split('/', StringSplitOptions.TrimEntries)
                .Select(method => (method, m.Groups["path"].Value.Split('?')[0])))
            .ToList();

    [GeneratedRegex(@"^\|\s*(?<cell>[^|]*`(GET|POST|PUT|DELETE)[^|]*)\|")]
    private static partial Regex Row();

    [GeneratedRegex(@"`(?<methods>(GET|POST|PUT|DELETE)(\s*/\s*(GET|POST|PUT|DELETE))*)\s+(?<path>/[^`\s]*)`")]
    private static partial Regex Route();
}
