using Akka.Actor;
using Orchestrator.Configuration;
using Orchestrator.Matching;
using Orchestrator.Protocol.Messages;
using Orchestrator.Providers;

namespace Orchestrator.Jobs;

/// <summary>
/// Answers <see cref="PlanJob"/> (<c>POST /orchestrator/plan</c>): one child per plan runs the job's own search
/// (same candidates, same ranking) with dry-run bid requests, so nothing is locked and nothing persisted.
/// </summary>
public sealed class Planner : ReceiveActor
{
    public Planner(OrchestratorSettings settings, IActorRef directory) =>
        Receive<PlanJob>(plan => Context.ActorOf(Akka.Actor.Props.Create(() => new PlanActor(settings, directory))).Forward(plan));
}

internal sealed class PlanActor : ReceiveActor
{
    private readonly OrchestratorSettings _settings;
    private IActorRef _replyTo = ActorRefs.Nobody;
    private Job _job = Job.New("plan");
    private SearchRound? _round;

    public PlanActor(OrchestratorSettings settings, IActorRef directory)
    {
        _settings = settings;
        Receive<PlanJob>(plan =>
        {
            _replyTo = Sender;
            switch (JobDecisions.Post(Job.New(plan.JobId), new PostJob(plan.JobId, plan.Description, "plan"), settings, Context.System.Scheduler.Now))
            {
                case PostDecision.Accept accept:
                    _job = Job.New(plan.JobId).Apply(accept.Event);
                    directory.Tell(ListProviders.Instance);
                    break;
                case PostDecision.Reject reject:
                    _replyTo.Tell(new JobRejected(plan.JobId, reject.Errors));
                    Context.Stop(Self);
                    break;
            }
        });
        Receive<KnownProviders>(OnProviders);
        Receive<ExchangeOutcome>(outcome =>
        {
            _round = _round?.Record(outcome.Answer);
            FinishIfComplete();
        });
    }

    private void OnProviders(KnownProviders known)
    {
        var choice = CandidateSelection.Choose(known.Pool, _job.Description!,
            _job.Requirements!, _settings.MaxBidRequests, seed: _job.JobId);
        _job = _job.Apply(JobDecisions.StartSearch(_job, choice, Context.System.Scheduler.Now));
        // A plan only explains: its dry-run bids are not verified, so its nonce is never checked.
        var timeout = _settings.DefaultSearchTimeout;
        _round = SearchRound.Start(_job.JobId, _job.Candidates, known.ById, nonce: "", Context.System.Scheduler.Now + timeout, (id, provider) =>
            Context.ActorOf(ProviderExchange.Props(provider, new Protocol.Messages.BidRequest(_job.JobId, id, _settings.NodeId, _job.Requirements!, DryRun: true,
                    Preferences: _job.Preferences.Count == 0 ? null : _job.Preferences.ToArray()),
                _job.JobId, Protocol.Model.ExchangePhase.Bid, timeout, TimeSpan.Zero)), known.Departed);
        FinishIfComplete();
    }

    private void FinishIfComplete()
    {
        if (_round is not { IsComplete: true } round) return;
        var outcome = SearchOutcome.Of(_job.Description!, _job.OrchestrationType, _job.Selection, _job.Preferences, _job.Attempt,
            _job.Considered, _job.Prefiltered, _job.Candidates.Count, round.Bids, round.Declines, round.Timeouts, _job.Requirements?.DurationMinutes);
        var explained = _job.Apply(new Protocol.Events.SearchCompleted(_job.JobId, outcome.RankedBids, outcome.Declines, outcome.Timeouts, outcome.Explanation, Context.System.Scheduler.Now));
        _replyTo.Tell(new PlanResult(_job.JobId, outcome.Explanation, outcome.Declines, outcome.Timeouts) { Providers = explained.Verdicts(), ProvidersNotNamed = explained.RuledOutUnnamed });
        Context.Stop(Self);
    }
}
