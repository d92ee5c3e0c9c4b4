using System.Text;
using Akka.Actor;
using Orchestrator.Protocol.Messages;
using Orchestrator.Protocol.Model;

namespace Orchestrator.Client;

/// <summary>
/// Reading a job's run from another actor system (a member, or a cluster client: both have remoting): what its program
/// printed, and the outputs it kept, from the node the run is on (<see cref="RunRecord.Node"/>, in the job's status).
/// </summary>
public static class OrchestratorRuns
{
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(15);

    /// <summary>Where the run is kept: the run store of its node.</summary>
    public static ActorSelection StoreOf(ActorSystem system, RunRecord run) => system.ActorSelection(run.Node + RunStoreAddress.Path);

    /// <summary>What the program printed on <paramref name="stream"/> from <paramref name="offset"/> so far (all of it, a chunk at a time).</summary>
    public static async Task<string> ReadLogAsync(ActorSystem system, RunRecord run, LogStream stream = LogStream.Stdout, long offset = 0,
        CancellationToken ct = default)
    {
        var store = StoreOf(system, run);
        using var text = new MemoryStream();
        while (true)
        {
            var answer = await store.Ask<IOrchestratorMessage>(new GetRunLog(run.ContractId, stream, offset, 256 * 1024), AskTimeout, ct);
            if (answer is RunNotFound missing) throw new InvalidOperationException(missing.Detail);
            var chunk = (RunLogChunk)answer;
            if (chunk.Data.Length == 0) return Encoding.UTF8.GetString(text.ToArray());
            text.Write(chunk.Data);
            offset += chunk.Data.Length;
        }
    }

    /// <summary>One output the run kept, whole.</summary>
    public static async Task<byte[]> ReadOutputAsync(ActorSystem system, RunRecord run, string name, CancellationToken ct = default)
    {
        var store = StoreOf(system, run);
        using var bytes = new MemoryStream();
        while (true)
        {
            var answer = await store.Ask<IOrchestratorMessage>(new GetRunOutput(run.ContractId, name, bytes.Length, 256 * 1024), AskTimeout, ct);
            if (answer is RunNotFound missing) throw new InvalidOperationException(missing.Detail);
            var chunk = (RunOutputChunk)answer;
            bytes.Write(chunk.Data);
            if (chunk.Data.Length == 0 || bytes.Length >= chunk.Length) return bytes.ToArray();
        }
    }
}
