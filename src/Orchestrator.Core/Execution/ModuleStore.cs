using System.Security.Cryptography;
using Akka.Actor;
using Orchestrator.Configuration;
using Orchestrator.Protocol.Messages;

namespace Orchestrator.Execution;

/// <summary>
/// Uploaded modules, content-addressed: each kept on the node it was uploaded to (and on every provider's node that ran
/// it) under its sha256, in the runs folder's <c>.modules</c>. A job names a module by its hash; the provider's node gets
/// the bytes over the cluster from whichever node holds them (no shared file system), checks the hash, and keeps them.
/// </summary>
public static class ModuleStore
{
    public static string Folder(OrchestratorSettings settings) => Path.Combine(settings.RunsFolder, ".modules");

    /// <summary>Whether the text is a sha256 as the API writes it: 64 lowercase hex digits.</summary>
    public static bool IsHash(string? text) => text is { Length: 64 } && text.All(ch => ch is >= '0' and <= '9' or >= 'a' and <= 'f');

    /// <summary>The file of a module this node holds, or null.</summary>
    public static string? Find(OrchestratorSettings settings, string sha256)
    {
        if (!IsHash(sha256)) return null;
        var path = Path.Combine(Folder(settings), sha256);
        return File.Exists(path) ? path : null;
    }

    /// <summary>
    /// Keeps a module read from <paramref name="source"/> (at most <paramref name="limit"/> bytes): its sha256 and size, or
    /// null when it is larger than the limit (nothing is kept). Kept once however often it is uploaded.
    /// </summary>
    public static async Task<(string Sha256, long Bytes)?> PutAsync(OrchestratorSettings settings, Stream source, long limit, CancellationToken ct)
    {
        var folder = Directory.CreateDirectory(Folder(settings)).FullName;
        var temporary = Path.Combine(folder, ".upload-" + Guid.NewGuid().ToString("N"));
        try
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            long total = 0;
            await using (var file = File.Create(temporary))
            {
                var buffer = new byte[81920];
                int read;
                while ((read = await source.ReadAsync(buffer, ct)) > 0)
                {
                    total += read;
                    if (total > limit) return null;
                    hash.AppendData(buffer, 0, read);
                    await file.WriteAsync(buffer.AsMemory(0, read), ct);
                }
            }

            var sha = Convert.ToHexStringLower(hash.GetHashAndReset());
            File.Move(temporary, Path.Combine(folder, sha), overwrite: true);
            return (sha, total);
        }
        finally
        {
            if (File.Exists(temporary)) File.Delete(temporary);
        }
    }

    /// <summary>
    /// The module's bytes: from this node's store, or fetched from the first member that holds it (chunk by chunk), checked
    /// against its hash and kept here. Throws, saying why, when no member holds it or the bytes do not match.
    /// </summary>
    public static async Task<byte[]> GetAsync(ActorSystem system, OrchestratorSettings settings, string sha256, CancellationToken ct)
    {
        var local = Find(settings, sha256);
        if (local is not null) return await File.ReadAllBytesAsync(local, ct);

        var members = system.Settings.ProviderClass.Contains("Cluster", StringComparison.Ordinal)
            ? Akka.Cluster.Cluster.Get(system).State.Members.Where(m => m.Status == Akka.Cluster.MemberStatus.Up).Select(m => m.Address.ToString()).ToArray()
            : [];
        foreach (var member in members)
        {
            var store = system.ActorSelection(member + RunStoreAddress.Path);
            ModuleHeld held;
            try
            {
                held = await store.Ask<ModuleHeld>(new HasModule(sha256), TimeSpan.FromSeconds(5), ct);
            }
            catch (AskTimeoutException)
            {
                continue;
            }

            if (!held.Held) continue;
            using var bytes = new MemoryStream((int)Math.Min(held.Length, int.MaxValue));
            while (bytes.Length < held.Length)
            {
                var chunk = await store.Ask<IOrchestratorMessage>(new GetModuleChunk(sha256, bytes.Length, RunStore.MaxChunk), TimeSpan.FromSeconds(15), ct);
                if (chunk is not ModuleChunk { Data.Length: > 0 } data) break;
                bytes.Write(data.Data);
            }

            var got = bytes.ToArray();
            var hash = Convert.ToHexStringLower(SHA256.HashData(got));
            if (hash != sha256) throw new InvalidDataException($"the module fetched from {member} has sha256 {hash}, not {sha256}");
            var folder = Directory.CreateDirectory(Folder(settings)).FullName;
            var temporary = Path.Combine(folder, ".fetch-" + Guid.NewGuid().ToString("N"));
            await File.WriteAllBytesAsync(temporary, got, ct);
            File.Move(temporary, Path.Combine(folder, sha256), overwrite: true);
            return got;
        }

        throw new FileNotFoundException($"no member of the cluster holds module {sha256} (it is uploaded with POST /orchestrator/modules)");
    }
}
