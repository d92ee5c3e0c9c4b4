using System.Text.Json;
using Akka.Actor;
using Akka.Pattern;
using Akka.Event;
using Akka.Persistence;
using Orchestrator.Configuration;
using Orchestrator.Protocol.Events;
using Orchestrator.Protocol.Messages;
using Orchestrator.Protocol.Model;
using Orchestrator.Trust;

namespace Orchestrator.Providers;

/// <summary>
/// The compute-provider side of a node: supervises one <see cref="ProviderActor"/> per onboarded provider and
/// announces each to the directory. Providers from the providers file are onboarded at every start; providers
/// onboarded at run time are journaled here and come back after a restart.
/// </summary>
public sealed class ProviderHost : ReceivePersistentActor
{
    private readonly OrchestratorSettings _settings;
    private readonly ParticipantTrust _trust;
    private readonly IActorRef _directory;
    private readonly IActorRef? _jobs;
    private readonly Dictionary<string, ProviderCapability> _onboarded = new(StringComparer.Ordinal);
    private readonly HashSet<string> _recovered = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IActorRef> _running = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ProviderCapability> _journaled = new(StringComparer.Ordinal);
    private readonly HashSet<string> _offboarded = new(StringComparer.Ordinal);
    private readonly ILoggingAdapter _log = Context.GetLogger();

    /// <param name="jobs">The job shard region (or proxy): providers ask jobs there whether they hold their contracts.</param>
    public ProviderHost(IReadOnlyList<ProviderCapability> fromFile, OrchestratorSettings settings, ParticipantTrust trust, IActorRef directory,
        IActorRef? jobs = null)
    {
        _jobs = jobs;
        _settings = settings;
        _trust = trust;
        _directory = directory;
        PersistenceId = "provider-host-" + settings.NodeId;

        // The journal first (what was onboarded, updated and offboarded at run time), then the providers: a provider
        // offboarded at run time stays gone even if the providers file still lists it.
        Recover<ProviderOnboarded>(e =>
        {
            _journaled[e.ProviderId] = e.Capability;
            _offboarded.Remove(e.ProviderId);
        });
        Recover<ProviderOffboarded>(e =>
        {
            _journaled.Remove(e.ProviderId);
            _offboarded.Add(e.ProviderId);
        });
        Recover<RecoveryCompleted>(_ =>
        {
            foreach (var capability in fromFile.Where(c => !_offboarded.Contains(c.Id)))
            {
                if (_journaled.ContainsKey(capability.Id))
                    _log.Warning("provider {0} is in the providers file and was onboarded or updated at run time; the file's capability is used", capability.Id);
                Start(capability);
            }

            foreach (var capability in _journaled.Values.Where(c => !_onboarded.ContainsKey(c.Id))) Start(capability);
        });
        Command<OnboardProvider>(OnOnboard);
        Command<CapabilityChangeOutcome>(OnCapabilityChanged);
        Command<ProviderGone>(gone =>
        {
            if (!_running.Remove(gone.ProviderId, out var provider)) return;
            Persist(new ProviderOffboarded(gone.ProviderId, DateTimeOffset.UtcNow), _ =>
            {
                // Stopping it takes it out of the directory (which watches it).
                Context.Stop(provider);
                _onboarded.Remove(gone.ProviderId);
                _recovered.Remove(gone.ProviderId);
                _log.Info("provider {0} offboarded: its last contract and lock have ended", gone.ProviderId);
            });
        });
        // A node is ready only once every provider has loaded its ledger: before that, the journal is busy
        // replaying and a provider could not answer a bid in time.
        Command<ProviderRecovered>(r => _recovered.Add(r.ProviderId));
        Command<GetProvidersReadiness>(_ => Sender.Tell(new ProvidersReadiness(_recovered.Count, _onboarded.Count)));
    }

    public override string PersistenceId { get; }

    private void OnOnboard(OnboardProvider onboard)
    {
        var capability = onboard.Capability;
        if (_onboarded.TryGetValue(capability.Id, out var existing))
        {
            // The same again is a no-op; another capability is an update, if what the provider holds still fits.
            if (Same(existing, capability)) Sender.Tell(new ProviderOnboardResult(capability.Id, Created: false, Conflict: null));
            else _running[capability.Id].Tell(new ChangeCapability(capability, Sender));
            return;
        }

        if (_trust.Admit(capability.Id, selfApproval: false) is { } refused)
        {
            Sender.Tell(new ProviderOnboardResult(capability.Id, Created: false, Conflict: null, Refused: refused));
            return;
        }

        Persist(new ProviderOnboarded(capability.Id, capability, DateTimeOffset.UtcNow), e =>
        {
            Start(e.Capability);
            _log.Info("provider {0} onboarded", e.ProviderId);
            Sender.Tell(new ProviderOnboardResult(e.ProviderId, Created: true, Conflict: null));
        });
    }

    private void OnCapabilityChanged(CapabilityChangeOutcome outcome)
    {
        if (outcome.Refused is { } refused)
        {
            outcome.Client.Tell(new ProviderOnboardResult(outcome.ProviderId, Created: false, $"the new capability does not fit what provider '{outcome.ProviderId}' holds: {refused}"));
            return;
        }

        Persist(new ProviderOnboarded(outcome.ProviderId, outcome.Capability, DateTimeOffset.UtcNow), e =>
        {
            _onboarded[e.ProviderId] = e.Capability;
            _directory.Tell(new RegisterProvider(e.Capability, _running[e.ProviderId]));
            _log.Info("provider {0}: capability updated", e.ProviderId);
            outcome.Client.Tell(new ProviderOnboardResult(e.ProviderId, Created: false, Conflict: null) { Updated = true });
        });
    }

    private void Start(ProviderCapability capability)
    {
        _onboarded[capability.Id] = capability;
        // Providers onboarded under self-approval approve one another too.
        _trust.Admit(capability.Id, selfApproval: _settings.ApprovedIds.Count == 0);
        // A provider whose journal write fails stops (Akka's rule for persistent actors); the backoff supervisor
        // starts it again (0.5 s, doubling to 2 s: back within about 2 s of the journal), and it recovers its ledger.
        var provider = Context.ActorOf(BackoffSupervisor.Props(Backoff.OnStop(
            ProviderActor.Props(capability, _settings, _trust, recoveryListener: Self, jobs: _jobs), "ledger", TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(2), 0.2, maxNrOfRetries: -1)),
            Uri.EscapeDataString(capability.Id));
        _running[capability.Id] = provider;
        _directory.Tell(new RegisterProvider(capability, provider));
    }

    private static bool Same(ProviderCapability a, ProviderCapability b) => JsonSerializer.Serialize(a) == JsonSerializer.Serialize(b);
}
