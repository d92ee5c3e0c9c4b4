using Orchestrator.Configuration;
using Orchestrator.Jobs;
using Orchestrator.Matching;
using Orchestrator.Protocol.Events;
using Orchestrator.Protocol.Messages;
using Orchestrator.Protocol.Model;
using Orchestrator.Trust;
using static Orchestrator.Tests.Fixtures;

namespace Orchestrator.Tests.Jobs;

/// <summary>The job's half of the second phase of closure: what it answers a provider asking about its contract.</summary>
public class ContractQueryTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);
    private static readonly OrchestratorSettings Settings = Fixtures.Settings();
    private static readonly ParticipantTrust Unsigned = ParticipantTrust.ByList(new ApprovalPolicy([]));

    private static ContractQuery Ask(string provider, string job = "job-1") => new(job, provider, $"{job}@{provider}", "q-7");

    /// <summary>Searched, ranked cp-a then cp-b (both locked with their bids): cp-a is shortlisted.</summary>
    private static Job Shortlisted()
    {
        var accept = Assert.IsType<PostDecision.Accept>(JobDecisions.Post(Job.New("job-1"), new PostJob("job-1", JobOf(), "user"), Settings, T0));
        var job = Job.New("job-1").Apply(accept.Event);
        job = job.Apply(JobDecisions.StartSearch(job, new CandidateChoice(["cp-a", "cp-b"], 2, new Dictionary<string, int>()), T0));
        return job.Apply(JobDecisions.CompleteSearch(job, [BidFrom("cp-a", 1m, locked: true), BidFrom("cp-b", 2m, locked: true)], [], [], Settings, T0));
    }

    private static Job Contracted(Job job) =>
        job.Apply(JobDecisions.OnContractAnswer(job, new ContractSigned(JobDecisions.ProposeContract(job, Settings, T0)), Unsigned, Settings, T0));

    [Fact]
    public void A_job_that_holds_the_contract_confirms_it_echoing_the_question()
    {
        var job = Contracted(Shortlisted());
        var confirmed = Assert.IsType<ContractConfirmed>(JobDecisions.AnswerContractQuery(job, Ask("cp-a")));
        Assert.Equal(new ContractConfirmed("job-1", "cp-a", "job-1@cp-a", "q-7"), confirmed);
    }

    [Fact]
    public void A_job_still_closing_with_the_provider_does_not_answer_yet()
    {
        var job = Shortlisted();
        Assert.Equal(JobState.Matched, job.State);
        Assert.Null(JobDecisions.AnswerContractQuery(job, Ask("cp-a")));
        job = job.Apply(new JobRequestSent("job-1", "cp-a", T0));
        Assert.Null(JobDecisions.AnswerContractQuery(job, Ask("cp-a")));
    }

    [Fact]
    public void A_job_that_dropped_the_provider_and_moved_on_disowns_its_contract()
    {
        var job = Shortlisted();
        job = job.Apply(JobDecisions.OnContractAnswer(job, new TimeoutResponse("job-1", "cp-a", ExchangePhase.ContractClosure, TimeSpan.FromSeconds(5)),
            Unsigned, Settings, T0));
        Assert.Equal("cp-b", job.Selected!.ProviderId);

        var disowned = Assert.IsType<ContractDisowned>(JobDecisions.AnswerContractQuery(job, Ask("cp-a")));
        Assert.Equal(new ContractDisowned("job-1", "cp-a", "job-1@cp-a", "the job moved on without cp-a (it is Matched)", "q-7"), disowned);
    }

    [Fact]
    public void A_job_contracted_with_another_provider_names_that_contract()
    {
        var job = Shortlisted();
        job = job.Apply(JobDecisions.OnContractAnswer(job, new TimeoutResponse("job-1", "cp-a", ExchangePhase.ContractClosure, TimeSpan.FromSeconds(5)),
            Unsigned, Settings, T0));
        job = Contracted(job);

        var disowned = Assert.IsType<ContractDisowned>(JobDecisions.AnswerContractQuery(job, Ask("cp-a")));
        Assert.Equal("the job contracted job-1@cp-b", disowned.Reason);
        // The contract it holds is confirmed to its own provider only.
        Assert.IsType<ContractConfirmed>(JobDecisions.AnswerContractQuery(job, Ask("cp-b")));
        Assert.IsType<ContractDisowned>(JobDecisions.AnswerContractQuery(job, new ContractQuery("job-1", "cp-b", "job-1@cp-a", "q-8")));
    }

    [Fact]
    public void A_failed_job_disowns_even_its_selected_provider_and_says_why()
    {
        var job = Shortlisted();
        job = job.Apply(JobDecisions.DeadlinePassed(job, T0.AddHours(1)));
        var disowned = Assert.IsType<ContractDisowned>(JobDecisions.AnswerContractQuery(job, Ask("cp-a")));
        Assert.Equal("the job failed (deadline-passed)", disowned.Reason);
    }

    [Fact]
    public void A_job_that_does_not_exist_disowns_any_contract()
    {
        var disowned = Assert.IsType<ContractDisowned>(JobDecisions.AnswerContractQuery(Job.New("ghost"), Ask("cp-a", job: "ghost")));
        Assert.Equal(new ContractDisowned("ghost", "cp-a", "ghost@cp-a", "job 'ghost' does not exist", "q-7"), disowned);
    }
}
