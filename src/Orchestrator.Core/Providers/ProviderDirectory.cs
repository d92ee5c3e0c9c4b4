using Akka.Actor;
using Akka.Cluster;
using Akka.DistributedData;
using Orchestrator.Protocol.Messages;

namespace Orchestrator.Providers;

/// <summary>
/// Which providers exist and how to reach them, across the cluster: each node's directory writes the providers
/// onboarded there into a replicated dictionary (Akka.DistributedData) and reads everyone's. Jobs ask their
/// local directory, so finding candidates costs no network round trip. Providers registered here are seen at
/// once; those of other nodes as soon as replication brings them. A provider that stops leaves the directory.
/// Outside a cluster (a plain actor system, as in actor tests) it keeps the local registrations only.
/// </summary>
public sealed class ProviderDirectory : ReceiveActor, IWithTimers
{
    private sealed record Flush
    {
        public static readonly Flush Instance = new();
    }

    // Onboarding thousands of providers at start must not rebuild the view or rewrite the replicated dictionary once
    // per provider (each costs the whole dictionary): changes are replicated together, the view rebuilt when asked.
    private static readonly TimeSpan ReplicationBatch = TimeSpan.FromMilliseconds(50);
    private readonly List<Func<LWWDictionary<string, ProviderAdvert>, LWWDictionary<string, ProviderAdvert>>> _pending = [];
    private bool _stale = true;

    public static readonly LWWDictionaryKey<string, ProviderAdvert> Key = new("orchestrator-providers");

    private readonly Dictionary<string, ProviderAdvert> _local = new(StringComparer.Ordinal);
    private readonly IActorRef? _replicator;
    private readonly UniqueAddress? _self;
    private IReadOnlyDictionary<string, ProviderAdvert> _replicated = new Dictionary<string, ProviderAdvert>();
    private KnownProviders _snapshot = new([]);

    public ITimerScheduler Timers { get; set; } = null!;

    public ProviderDirectory()
    {
        if (Context.System.Settings.ProviderClass.Contains("Cluster", StringComparison.Ordinal))
        {
            var ddata = DistributedData.Get(Context.System);
            _replicator = ddata.Replicator;
            _self = Cluster.Get(Context.System).SelfUniqueAddress;
            _replicator.Tell(Dsl.Subscribe(Key, Self));
            Cluster.Get(Context.System).Subscribe(Self, typeof(ClusterEvent.MemberRemoved));
        }

        Receive<RegisterProvider>(r =>
        {
            var advert = new ProviderAdvert(r.Capability, r.Provider);
            _local[r.Capability.Id] = advert;
            Context.Watch(r.Provider);
            Replicate(d => d.SetItem(_self!, r.Capability.Id, advert));
            Refresh();
        });
        Receive<ListProviders>(_ =>
        {
            if (_stale) Rebuild();
            Sender.Tell(_snapshot);
        });
        Receive<Flush>(_ =>
        {
            var changes = _pending.ToArray();
            _pending.Clear();
            _replicator?.Tell(Dsl.Update(Key, LWWDictionary<string, ProviderAdvert>.Empty, WriteLocal.Instance,
                d => changes.Aggregate(d, (current, change) => change(current))));
        });
        Receive<Changed>(changed =>
        {
            _replicated = changed.Get(Key).Entries;
            Refresh();
        });
        Receive<Terminated>(t =>
        {
            foreach (var id in _local.Where(kv => kv.Value.Provider.Equals(t.ActorRef)).Select(kv => kv.Key).ToArray())
            {
                _local.Remove(id);
                Replicate(d => d.Remove(_self!, id));
            }

            Refresh();
        });
        // A node that left or was downed takes its providers with it: whoever sees it go removes them, so jobs
        // stop choosing providers that cannot answer.
        Receive<ClusterEvent.MemberRemoved>(removed =>
        {
            foreach (var (id, advert) in _replicated.Where(kv => kv.Value.Provider.Path.Address.Equals(removed.Member.Address)).ToArray())
                Replicate(d => d.Remove(_self!, id));
        });
        Receive<ClusterEvent.CurrentClusterState>(_ => { });
        Receive<UpdateSuccess>(_ => { });
        Receive<IUpdateFailure>(_ => { }); // WriteLocal does not fail; the next registration rewrites anyway.
    }

    private void Replicate(Func<LWWDictionary<string, ProviderAdvert>, LWWDictionary<string, ProviderAdvert>> change)
    {
        if (_replicator is null) return;
        _pending.Add(change);
        if (!Timers.IsTimerActive("flush")) Timers.StartSingleTimer("flush", Flush.Instance, ReplicationBatch);
    }

    private void Refresh() => _stale = true;

    // Built at most once per change, when a job asks, and shared by every job: providers change rarely. Local
    // entries win: they are current before replication reports them back.
    private void Rebuild()
    {
        _stale = false;
        var all = new SortedDictionary<string, ProviderEntry>(StringComparer.Ordinal);
        foreach (var (id, advert) in _replicated) all[id] = new ProviderEntry(advert.Capability, advert.Provider);
        foreach (var (id, advert) in _local) all[id] = new ProviderEntry(advert.Capability, advert.Provider);
        _snapshot = new KnownProviders(all.Values.ToArray());
    }
}
