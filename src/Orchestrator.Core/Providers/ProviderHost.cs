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
    private readonly Dictionary<string, ProviderCapability> _onboarded = new(StringComparer.Ordinal);
    private readonly HashSet<string> _recovered = new(StringComparer.Ordinal);
    private readonly ILoggingAdapter _log = Context.GetLogger();

    public ProviderHost(IReadOnlyList<ProviderCapability> fromFile, OrchestratorSettings settings, ParticipantTrust trust, IActorRef directory)
    {
        _settings = settings;
        _trust = trust;
        _directory = directory;
        PersistenceId = "provider-host-" + settings.NodeId;

        foreach (var capability in fromFile) Start(capability);

        Recover<ProviderOnboarded>(e =>
        {
            if (_onboarded.ContainsKey(e.ProviderId))
                _log.Warning("provider {0} is in the providers file and was onboarded at run time; the file's capability is used", e.ProviderId);
            else Start(e.Capability);
        });
        Command<OnboardProvider>(OnOnboard);
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
            Sender.Tell(Same(existing, capability)
                ? new ProviderOnboardResult(capability.Id, Created: false, Conflict: null)
                : new ProviderOnboardResult(capability.Id, Created: false, $"provider '{capability.Id}' is onboarded already with another capability"));
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

    private void Start(ProviderCapability capability)
    {
        _onboarded[capability.Id] = capability;
        // Providers onboarded under self-approval approve one another too.
        _trust.Admit(capability.Id, selfApproval: _settings.ApprovedIds.Count == 0);
        // A provider whose journal write fails stops (Akka's rule for persistent actors); the backoff supervisor
        // starts it again, and it recovers its ledger once the journal is back.
        var provider = Context.ActorOf(BackoffSupervisor.Props(Backoff.OnStop(
            ProviderActor.Props(capability, _settings, _trust, recoveryListener: Self), "ledger", TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10), 0.2, maxNrOfRetries: -1)),
            Uri.EscapeDataString(capability.Id));
        _directory.Tell(new RegisterProvider(capability, provider));
    }

    private static bool Same(ProviderCapability a, ProviderCapability b) => JsonSerializer.Serialize(a) == JsonSerializer.Serialize(b);
}
