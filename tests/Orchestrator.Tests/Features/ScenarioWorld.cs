using System.Text.Json;
using System.Text.Json.Serialization;
using Akka.Actor;
using Orchestrator.Protocol.Messages;
using Orchestrator.Protocol.Model;

namespace Orchestrator.Tests.Features;

/// <summary>What one scenario has set up and seen: the node's settings and providers, the node, the job, the last answer.</summary>
public sealed class ScenarioWorld : IAsyncDisposable
{
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(15);

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
    };

    private readonly string _folder = System.IO.Directory.CreateTempSubdirectory("orchestrator-spec-").FullName;
    private readonly Dictionary<string, string> _settings = new()
    {
        ["jobDeadline"] = "60s",
        ["defaultSearchTimeout"] = "3s",
        ["jobRequestTimeout"] = "3s",
        ["contractTimeout"] = "3s",
        ["searchRetryMinBackoff"] = "200ms",
        ["searchRetryMaxBackoff"] = "1s",
        ["terminalJobIdle"] = "5m",
    };

    public List<ProviderSpec> Providers { get; set; } = [];
    public SpecNode? Node { get; private set; }
    public string? JobId { get; set; }
    public IJobMessage? LastAnswer { get; set; }

    /// <summary>The deadline every job of the scenario is posted with (<c>deadlineSeconds</c>), if the scenario sets one.</summary>
    public int? JobDeadlineSeconds { get; set; }

    public void Set(string key, string value)
    {
        if (Node is not null) throw new InvalidOperationException($"'{key}' must be set before the node starts (before the first 'When')");
        _settings[key] = value;
    }

    // Each scenario's runs keep their logs and outputs in its own folder (scenarios run side by side, with the same job ids).
    public async Task<SpecNode> NodeAsync() =>
        Node ??= await SpecNode.StartAsync(Path.Combine(_folder, "journal.db"), Providers,
            "orchestrator {\n" + string.Join("\n", _settings.Select(kv => $"  {kv.Key} = {kv.Value}")) +
            $"\n  execution.directory = \"{Path.Combine(_folder, "runs").Replace('\\', '/')}\"\n}}");

    /// <summary>What the program of the job's latest run printed on stdout, read from the node the run is on.</summary>
    public async Task<string> StdoutAsync()
    {
        var status = await StatusAsync();
        var run = status.CurrentRun ?? status.Runs[^1];
        var node = await NodeAsync();
        var chunk = await node.System.ActorSelection(run.Node + Orchestrator.Execution.RunStore.Path)
            .Ask<RunLogChunk>(new GetRunLog(run.ContractId, LogStream.Stdout, 0, 1 << 16), AskTimeout);
        return System.Text.Encoding.UTF8.GetString(chunk.Data);
    }

    public async Task RestartAsync(IReadOnlyList<ProviderSpec>? providers = null)
    {
        if (Node is not null) await Node.DisposeAsync();
        Node = null;
        if (providers is not null) Providers = [.. providers];
        await NodeAsync();
    }

    public async Task<IJobMessage> PostAsync(JobDescription description)
    {
        var node = await NodeAsync();
        JobId = description.JobId ?? throw new InvalidOperationException("the scenario's job needs an id");
        if (JobDeadlineSeconds is { } seconds && description.DeadlineSeconds is null) description = description with { DeadlineSeconds = seconds };
        LastAnswer = await node.Jobs.Ask<IJobMessage>(new PostJob(JobId, description, "spec-user"), AskTimeout);
        return LastAnswer;
    }

    public async Task<IJobMessage> AskJobAsync(IJobMessage message) => await (await NodeAsync()).Jobs.Ask<IJobMessage>(message, AskTimeout);

    public async Task<JobStatus> StatusAsync(string? jobId = null)
    {
        var id = jobId ?? JobId ?? throw new InvalidOperationException("no job was posted in this scenario");
        return await AskJobAsync(new GetJob(id)) as JobStatus ?? throw new InvalidOperationException($"there is no job '{id}'");
    }

    /// <summary>Waits (up to 30 s) for the job's status to satisfy <paramref name="done"/>, and returns it.</summary>
    public async Task<JobStatus> AwaitAsync(Func<JobStatus, bool> done, string waitingFor)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var status = await StatusAsync();
            if (done(status)) return status;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"waited 30 s for {waitingFor}; the job is {status.State}: {status.History[^1].Note}");
            await Task.Delay(50);
        }
    }

    /// <summary>The job once its life ended: contracted (a reservation), its run ended (completed, failed, cancelled), or failed.</summary>
    public async Task<JobStatus> TerminalAsync() => await AwaitAsync(s => s.Final, "a terminal state");

    public async Task<ProviderStatus> ProviderAsync(string id)
    {
        var known = await (await NodeAsync()).ProvidersAsync();
        if (!known.ById.TryGetValue(id, out var provider)) throw new InvalidOperationException($"the node knows no provider '{id}'");
        return await provider.Ask<ProviderStatus>(new GetProviderStatus(id), AskTimeout);
    }

    public async Task<ProviderSettlements> ProviderSettlementsAsync(string id)
    {
        var known = await (await NodeAsync()).ProvidersAsync();
        if (!known.ById.TryGetValue(id, out var provider)) throw new InvalidOperationException($"the node knows no provider '{id}'");
        return await provider.Ask<ProviderSettlements>(new GetProviderSettlements(id), AskTimeout);
    }

    public async ValueTask DisposeAsync()
    {
        if (Node is not null) await Node.DisposeAsync();
        try
        {
            System.IO.Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
