using Akka.Actor;
using Orchestrator.Configuration;
using Orchestrator.Protocol.Messages;
using Orchestrator.Protocol.Model;

namespace Orchestrator.Execution;

/// <summary>
/// Serves the runs kept on this node (their logs and outputs, in the folder of each contract's allocation) and the modules
/// it holds (<see cref="ModuleStore"/>) to any node of the cluster: the API of whichever node a user asks reads them from here, a chunk at a time, by contract id.
/// Every node has one, at <see cref="Path"/>; a node that hosts no provider answers that it holds no such run.
/// </summary>
public sealed class RunStore : ReceiveActor
{
    /// <summary>Where it lives on every node (the API addresses it on the node a run is reported on).</summary>
    public const string Path = RunStoreAddress.Path;

    /// <summary>The most bytes one answer carries, whatever is asked (frames between nodes stay small).</summary>
    public const int MaxChunk = 256 * 1024;

    public RunStore(OrchestratorSettings settings)
    {
        Receive<GetRunLog>(get =>
        {
            var folder = AllocationActor.RunFolder(settings, get.ContractId);
            var file = System.IO.Path.Combine(folder, get.Stream == LogStream.Stdout ? "stdout" : "stderr");
            if (!Directory.Exists(folder))
            {
                Sender.Tell(new RunNotFound(get.ContractId, $"this node ({Self.Path.Address}) holds no run of contract {get.ContractId}"));
                return;
            }

            // "ended" is written after the last byte of the logs: read it first, so an ended run's chunk is its last.
            var ended = File.Exists(System.IO.Path.Combine(folder, "ended"));
            Sender.Tell(new RunLogChunk(get.ContractId, get.Stream, get.Offset, Read(file, get.Offset, get.MaxBytes), ended, 0));
        });
        Receive<GetRunOutput>(get =>
        {
            var folder = AllocationActor.RunFolder(settings, get.ContractId);
            var file = new FileInfo(System.IO.Path.Combine(folder, "outputs", System.IO.Path.GetFileName(get.Name)));
            if (!file.Exists)
            {
                Sender.Tell(new RunNotFound(get.ContractId, $"this node ({Self.Path.Address}) holds no output '{get.Name}' of contract {get.ContractId}"));
                return;
            }

            Sender.Tell(new RunOutputChunk(get.ContractId, get.Name, get.Offset, Read(file.FullName, get.Offset, get.MaxBytes), file.Length));
        });
        Receive<HasModule>(has =>
        {
            var path = ModuleStore.Find(settings, has.Sha256);
            Sender.Tell(new ModuleHeld(has.Sha256, path is not null, path is null ? 0 : new FileInfo(path).Length));
        });
        Receive<GetModuleChunk>(get =>
        {
            var path = ModuleStore.Find(settings, get.Sha256);
            if (path is null) Sender.Tell(new RunNotFound(get.Sha256, $"this node ({Self.Path.Address}) holds no module {get.Sha256}"));
            else Sender.Tell(new ModuleChunk(get.Sha256, get.Offset, Read(path, get.Offset, get.MaxBytes), new FileInfo(path).Length));
        });
    }

    public static Props Props(OrchestratorSettings settings) => Akka.Actor.Props.Create(() => new RunStore(settings));

    private static byte[] Read(string path, long offset, int max)
    {
        if (!File.Exists(path) || offset < 0) return [];
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        if (offset >= stream.Length) return [];
        stream.Position = offset;
        var buffer = new byte[(int)Math.Min(Math.Clamp(max, 1, MaxChunk), stream.Length - offset)];
        stream.ReadExactly(buffer);
        return buffer;
    }
}
