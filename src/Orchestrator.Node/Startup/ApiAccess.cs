using System.Net;

namespace Orchestrator.Node.Startup;

/// <summary>
/// Who may change things through the HTTP API. On loopback (the default) the API is open to the machine's own
/// users. Bound anywhere else, posting, onboarding and operating need a bearer token, and a node refuses to start
/// exposed without one: an open orchestrator on a network would take jobs and providers from anyone.
/// </summary>
public sealed record ApiAccess(string? Token, bool Exposed)
{
    /// <summary>Shorter tokens are guessable; 32 random characters is what <c>openssl rand -hex 16</c> gives.</summary>
    public const int MinimumTokenLength = 16;

    public bool RequiresToken => Token is not null;

    public static ApiAccess From(NodeOptions options)
    {
        var token = options.ApiToken;
        if (options.ApiTokenFile is { } file)
        {
            if (token is not null) throw new StartupException("--api-token-file: give the token once, either in the file or in ORCHESTRATOR_API_TOKEN");
            if (!File.Exists(file)) throw new StartupException($"--api-token-file: file '{file}' does not exist");
            token = File.ReadAllText(file).Trim();
        }

        if (token is { Length: < MinimumTokenLength })
            throw new StartupException($"the API token is {token.Length} characters long; it needs at least {MinimumTokenLength}");

        var exposedOn = options.Http.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .FirstOrDefault(url => !IsLoopback(url));
        if (exposedOn is not null && token is null)
            throw new StartupException(
                $"--http: {exposedOn} is reachable from other machines, and no API token is set: set one in ORCHESTRATOR_API_TOKEN " +
                "or --api-token-file (posting, onboarding and operating will need it), or bind to 127.0.0.1");
        return new ApiAccess(token, exposedOn is not null);
    }

    private static bool IsLoopback(string url)
    {
        // Kestrel's wildcards (0.0.0.0, [::], *, +) listen on every interface.
        if (!Uri.TryCreate(url.Replace("://*", "://0.0.0.0").Replace("://+", "://0.0.0.0"), UriKind.Absolute, out var uri)) return false;
        if (uri.IsLoopback) return true;
        return IPAddress.TryParse(uri.Host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address);
    }
}
