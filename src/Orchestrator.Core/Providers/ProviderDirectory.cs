using Akka.Actor;

namespace Orchestrator.Providers;

/// <summary>Which providers exist and how to reach them. A stopped provider leaves the directory.</summary>
public sealed class ProviderDirectory : ReceiveActor
{
    private readonly SortedDictionary<string, ProviderEntry> _providers = new(StringComparer.Ordinal);
    private KnownProviders _snapshot = new([]);

    public ProviderDirectory()
    {
        Receive<RegisterProvider>(r =>
        {
            _providers[r.Capability.Id] = new ProviderEntry(r.Capability, r.Provider);
            Context.Watch(r.Provider);
            Refresh();
        });
        Receive<ListProviders>(_ => Sender.Tell(_snapshot));
        Receive<Terminated>(t =>
        {
            foreach (var id in _providers.Where(kv => kv.Value.Provider.Equals(t.ActorRef)).Select(kv => kv.Key).ToArray())
                _providers.Remove(id);
            Refresh();
        });
    }

    // Built once per change, not per question: every job asks, providers change rarely.
    private void Refresh() => _snapshot = new KnownProviders(_providers.Values.ToArray());
}
