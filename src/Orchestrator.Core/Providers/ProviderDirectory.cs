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

    /// <summary>How many departed providers the directory remembers (the oldest forgotten first): enough for every job in flight to name why its provider is gone.</summary>
    public const int DeparturesKept = 10_000;

    private readonly int _departuresKept;
    private readonly Dictionary<string, ProviderDeparture> _departed = new(StringComparer.Ordinal);
    private readonly Queue<ProviderDeparture> _departureOrder = new();

    public ITimerScheduler Timers { get; set; } = null!;

    public ProviderDirectory() : this(DeparturesKept)
    {
    }

    /// <param name="departuresKept">How many departed providers to remember (<see cref="DeparturesKept"/> in a node).</param>
    public ProviderDirectory(int departuresKept)
    {
        _departuresKept = departuresKept;
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
            _departed.Remove(r.Capability.Id);
            Context.Watch(r.Provider);
            Replicate(d => d.SetItem(_self!, r.Capability.Id, advert));
            Refresh();
        });
        // A job on another member asks several providers of this member at once: they are asked here, answered together.
        Receive<BidRequests>(requests => Context.ActorOf(Jobs.BidGathering.Props(requests, Sender)));
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
            var before = _replicated;
            _replicated = changed.Get(Key).Entries;
            // Gone from everyone's view (its member removed it: it stopped or was offboarded there), unless a cause is known already.
            foreach (var (id, advert) in before)
                if (!_replicated.ContainsKey(id) && !_local.ContainsKey(id) && !_departed.ContainsKey(id))
                    Depart(id, advert.Provider, "its member removed it from the directory (the provider stopped or was offboarded)");
            foreach (var id in _replicated.Keys) _departed.Remove(id);
            // A provider of this member that another member removed: it is here, so it is written again. This happens when
            // this node restarted on the same address and registered its providers before joining: a member that then saw
            // the old incarnation removed removed them, with a later time, and the removal would otherwise win everywhere.
            foreach (var (id, advert) in _local.Where(kv => !_replicated.ContainsKey(kv.Key)).ToArray())
                Replicate(d => d.SetItem(_self!, id, advert));
            Refresh();
        });
        Receive<Terminated>(t =>
        {
            foreach (var id in _local.Where(kv => kv.Value.Provider.Equals(t.ActorRef)).Select(kv => kv.Key).ToArray())
            {
                _local.Remove(id);
                Depart(id, t.ActorRef, "the provider stopped (offboarded, or its node is shutting down)");
                Replicate(d => d.Remove(_self!, id));
            }

            Refresh();
        });
        // A node that left or was downed takes its providers with it: whoever sees it go removes them, so jobs
        // stop choosing providers that cannot answer.
        Receive<ClusterEvent.MemberRemoved>(removed =>
        {
            var cause = removed.PreviousStatus switch
            {
                MemberStatus.Exiting or MemberStatus.Leaving => "its member left the cluster",
                MemberStatus.Down => "its member was downed and removed from the cluster",
                _ => "its member was removed from the cluster",
            };
            foreach (var (id, advert) in _replicated.Where(kv => kv.Value.Provider.Path.Address.Equals(removed.Member.Address)).ToArray())
            {
                Depart(id, advert.Provider, cause);
                Replicate(d => d.Remove(_self!, id));
            }

            Refresh();
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

    private void Depart(string id, IActorRef provider, string cause)
    {
        var address = provider.Path.Address;
        var member = address.HasLocalScope && Context.System is ExtendedActorSystem system ? system.Provider.DefaultAddress : address;
        var departure = new ProviderDeparture(id, member.ToString(), cause, DateTimeOffset.UtcNow);
        _departed[id] = departure;
        _departureOrder.Enqueue(departure);
        // Forget the oldest beyond the bound; a queued departure that was replaced (it came back and left again) or
        // forgotten (it came back) is skipped, so the bound counts what is remembered.
        while (_departureOrder.Count > _departuresKept || (_departureOrder.Count > 0 && !IsRemembered(_departureOrder.Peek())))
        {
            var oldest = _departureOrder.Dequeue();
            if (IsRemembered(oldest)) _departed.Remove(oldest.ProviderId);
        }
    }

    private bool IsRemembered(ProviderDeparture departure) =>
        _departed.TryGetValue(departure.ProviderId, out var current) && ReferenceEquals(current, departure);

    // Built at most once per change, when a job asks, and shared by every job: providers change rarely. Local
    // entries win: they are current before replication reports them back.
    private void Rebuild()
    {
        _stale = false;
        var all = new SortedDictionary<string, ProviderEntry>(StringComparer.Ordinal);
        foreach (var (id, advert) in _replicated) all[id] = new ProviderEntry(advert.Capability, advert.Provider);
        foreach (var (id, advert) in _local) all[id] = new ProviderEntry(advert.Capability, advert.Provider);
        _snapshot = new KnownProviders(all.Values.ToArray()) { Departed = new Dictionary<string, ProviderDeparture>(_departed, StringComparer.Ordinal) };
    }
}
