using Orchestrator.Protocol.Events;
using Orchestrator.Protocol.Messages;
using Orchestrator.Protocol.Model;
using Orchestrator.ReadModel;
using static Orchestrator.Tests.Fixtures;

namespace Orchestrator.Tests.ReadModel;

public class JobIndexTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 28, 10, 0, 0, TimeSpan.Zero);

    private static JobPosted Posted(string id, int minutes) => new(id, JobOf(), OrchestrationType.Pull, SelectionCriterion.Score, [], Needs(), "test",
        T0.AddHours(1), T0.AddMinutes(minutes));

    [Fact]
    public void Each_job_shows_its_latest_state_provider_and_failure()
    {
        var index = new JobIndex();
        index.Apply(Posted("job-a", 0));
        index.Apply(new SearchStarted("job-a", 1, ["cp-1"], 3, new Dictionary<string, int>(), T0.AddSeconds(1)));
        index.Apply(new ProviderShortlisted("job-a", "cp-1", "shortlisted", T0.AddSeconds(2)));
        index.Apply(new JobRequestSent("job-a", "cp-1", T0.AddSeconds(2)));
        index.Apply(Posted("job-b", 1));
        index.Apply(new JobFailed("job-b", FailureReason.Cancelled, "cancelled while Posted: no", T0.AddMinutes(2)));
        // Events of a job whose posting the index never saw are ignored, not invented into a line.
        index.Apply(new JobFailed("job-ghost", FailureReason.DeadlinePassed, "late", T0));

        var all = index.Query(new ListJobs(null, null, 0, 10));
        Assert.Equal(2, all.Total);
        Assert.Equal(["job-b", "job-a"], all.Jobs.Select(j => j.JobId));
        var a = all.Jobs[1];
        Assert.Equal((JobState.Requested, "cp-1", 1), (a.State, a.ProviderId, a.Attempt));
        Assert.Equal(FailureReason.Cancelled, all.Jobs[0].FailureReason);
    }

    [Fact]
    public void The_unfinished_jobs_are_those_not_yet_contracted_or_failed_from_events_and_published_lines()
    {
        var index = new JobIndex();
        index.Apply(Posted("job-a", 0));
        index.Apply(Posted("job-b", 1));
        index.Apply(Posted("job-c", 2));
        Assert.Equal(["job-a", "job-b", "job-c"], index.Unfinished.Order());

        index.Apply(new JobFailed("job-b", FailureReason.Cancelled, "cancelled", T0.AddMinutes(3)));
        index.Upsert(new JobSummary("job-c", JobState.Contracted, "test", T0.AddMinutes(2), T0.AddMinutes(4), 1, "cp-1", null, null));
        Assert.Equal(["job-a"], index.Unfinished);

        // An older line (pub-sub is not ordered with the journal) does not bring a finished job back.
        index.Upsert(new JobSummary("job-c", JobState.Searching, "test", T0.AddMinutes(2), T0.AddMinutes(3), 1, null, null, null));
        Assert.Equal(["job-a"], index.Unfinished);
    }

    [Fact]
    public void The_listing_filters_by_state_and_posting_time_and_pages_newest_first()
    {
        var index = new JobIndex();
        for (var i = 0; i < 5; i++) index.Apply(Posted($"job-{i}", i));
        index.Apply(new ContractClosed("job-3", new Contract("c", "job-3", "sp", "cp-1", Needs().Resources, [], 1m, T0, T0, T0.AddHours(1)), T0.AddMinutes(10)));

        Assert.Equal(["job-3"], index.Query(new ListJobs(JobState.Contracted, null, 0, 10)).Jobs.Select(j => j.JobId));
        Assert.Equal(["job-4", "job-3"], index.Query(new ListJobs(null, T0.AddMinutes(3), 0, 10)).Jobs.Select(j => j.JobId));
        var page = index.Query(new ListJobs(null, null, 1, 2));
        Assert.Equal((5, 1), (page.Total, page.Offset));
        Assert.Equal(["job-3", "job-2"], page.Jobs.Select(j => j.JobId));
    }

    [Fact]
    public void The_listing_searches_job_and_provider_ids_pins_a_time_to_page_back_from_and_counts_each_state()
    {
        var index = new JobIndex();
        for (var i = 0; i < 6; i++) index.Apply(Posted($"Batch-{i}", i));
        // Two jobs posted at the same instant: the id orders them, the same way on every read.
        index.Apply(Posted("twin-b", 10));
        index.Apply(Posted("twin-a", 10));
        index.Apply(new ContractClosed("Batch-2", new Contract("c", "Batch-2", "sp", "cp-Frankfurt", Needs().Resources, [], 1m, T0, T0, T0.AddHours(1)), T0.AddMinutes(20)));
        index.Apply(new JobFailed("Batch-4", FailureReason.Cancelled, "cancelled", T0.AddMinutes(21)));

        Assert.Equal(["Batch-5", "Batch-4", "Batch-3", "Batch-2", "Batch-1", "Batch-0"],
            index.Query(new ListJobs(null, null, 0, 10) { Search = "batch" }).Jobs.Select(j => j.JobId));
        // The provider's id is searched too, case-insensitively.
        Assert.Equal(["Batch-2"], index.Query(new ListJobs(null, null, 0, 10) { Search = "FRANKFURT" }).Jobs.Select(j => j.JobId));
        Assert.Empty(index.Query(new ListJobs(null, null, 0, 10) { Search = "nothing-like-it" }).Jobs);

        Assert.Equal(["twin-a", "twin-b", "Batch-5"], index.Query(new ListJobs(null, null, 0, 3)).Jobs.Select(j => j.JobId));
        // Pinned before the twins were posted: later posts do not move the page.
        var pinned = index.Query(new ListJobs(null, null, 2, 2) { PostedBefore = T0.AddMinutes(10) });
        Assert.Equal(6, pinned.Total);
        Assert.Equal(["Batch-3", "Batch-2"], pinned.Jobs.Select(j => j.JobId));

        // Each state's count among what the other filters match, whatever the state filter.
        var failed = index.Query(new ListJobs(JobState.Failed, null, 0, 10) { Search = "batch" });
        Assert.Equal(["Batch-4"], failed.Jobs.Select(j => j.JobId));
        Assert.Equal(new Dictionary<string, int> { ["Posted"] = 4, ["Contracted"] = 1, ["Failed"] = 1 }, failed.ByState);
    }

    [Fact]
    public void Published_lines_and_journal_events_meet_and_the_newest_wins_whatever_arrives_first()
    {
        var index = new JobIndex();
        // The job published that it contracted before the index's journal reading reached its older events.
        index.Upsert(new JobSummary("job-a", JobState.Contracted, "test", T0, T0.AddSeconds(5), 1, "cp-1", null, "contract"));
        index.Apply(Posted("job-a", 0));
        index.Apply(new SearchStarted("job-a", 1, ["cp-1"], 1, new Dictionary<string, int>(), T0.AddSeconds(1)));
        Assert.Equal(JobState.Contracted, Assert.Single(index.Query(new ListJobs(null, null, 0, 10)).Jobs).State);

        // A stale line (an update delivered late) does not undo a newer one.
        index.Upsert(new JobSummary("job-a", JobState.Searching, "test", T0, T0.AddSeconds(1), 1, null, null, "searching"));
        Assert.Equal(JobState.Contracted, index.Query(new ListJobs(null, null, 0, 10)).Jobs[0].State);
    }

    private static ContractClosed Contracted(string id, string provider, int minutes) =>
        new(id, new Contract($"{id}@{provider}", id, "sp", provider, Needs().Resources, [], 1m, T0, T0, T0.AddHours(1)), T0.AddMinutes(minutes));

    [Fact]
    public void The_listing_keeps_every_unfinished_job_and_only_the_latest_finished_ones()
    {
        var index = new JobIndex(maxFinished: 3);
        for (var i = 0; i < 8; i++) index.Apply(Posted($"job-{i}", i));
        // Finished in an order unlike their posting: the ones that finished last stay.
        foreach (var (id, at) in new[] { ("job-5", 10), ("job-0", 11), ("job-6", 12), ("job-1", 13), ("job-2", 14) })
            index.Apply(Contracted(id, "cp-1", at));

        var page = index.Query(new ListJobs(null, null, 0, 100));
        Assert.Equal(["job-7", "job-6", "job-4", "job-3", "job-2", "job-1"], page.Jobs.Select(j => j.JobId));
        Assert.Equal((6, 2L), (page.Total, page.NotListed));
        Assert.Equal(["job-3", "job-4", "job-7"], index.Unfinished.Order());

        // A job that fails later still counts as finishing then; unfinished ones never drop out, however many.
        index.Apply(new JobFailed("job-3", FailureReason.DeadlinePassed, "too late", T0.AddMinutes(15)));
        Assert.Equal(["job-7", "job-4", "job-3", "job-2", "job-1"], index.Query(new ListJobs(null, null, 0, 100)).Jobs.Select(j => j.JobId));
        Assert.Equal(3L, index.NotListed);
    }

    [Fact]
    public void A_finished_line_read_back_is_the_line_that_was_set()
    {
        var index = new JobIndex();
        index.Apply(Posted("job-a", 0));
        index.Apply(Contracted("job-a", "cp-1", 1));
        var published = new JobSummary("job-b", JobState.Contracted, "sp", T0, T0.AddMinutes(2), 1, "cp-2", null, "contract other-id");
        index.Upsert(published);
        index.Upsert(new JobSummary("job-c", JobState.Failed, "sp", T0, T0.AddMinutes(3), 2, null, FailureReason.NoEligibleProvider, "nobody"));

        var lines = index.Query(new ListJobs(null, null, 0, 10)).Jobs.ToDictionary(j => j.JobId);
        Assert.Equal("contract job-a@cp-1", lines["job-a"].Note);
        Assert.Equal(published, lines["job-b"]);
        Assert.Equal(("nobody", FailureReason.NoEligibleProvider), (lines["job-c"].Note, lines["job-c"].FailureReason));
        // A later event of a finished job (its contract's line rebuilt from the kept one) still applies.
        index.Apply(new JobFailed("job-a", FailureReason.Cancelled, "cancelled", T0.AddMinutes(4)));
        Assert.Equal(JobState.Failed, index.Query(new ListJobs(JobState.Failed, null, 0, 10)).Jobs.Single(j => j.JobId == "job-a").State);
    }

    [Fact]
    public void A_line_published_again_does_not_make_a_job_drop_out_early()
    {
        var index = new JobIndex(maxFinished: 2);
        var a = new JobSummary("job-a", JobState.Contracted, "sp", T0, T0.AddMinutes(1), 1, "cp-1", null, "contract job-a@cp-1");
        index.Upsert(a);
        for (var i = 0; i < 5; i++) index.Upsert(a); // the same line again and again (pub-sub and catch-up both deliver it)
        index.Upsert(a with { JobId = "job-b", UpdatedAt = T0.AddMinutes(2) });
        Assert.Equal(["job-a", "job-b"], index.Query(new ListJobs(null, null, 0, 10)).Jobs.Select(j => j.JobId).Order());
        index.Upsert(a with { JobId = "job-c", UpdatedAt = T0.AddMinutes(3) });
        Assert.Equal(["job-b", "job-c"], index.Query(new ListJobs(null, null, 0, 10)).Jobs.Select(j => j.JobId).Order());
        Assert.Equal(1L, index.NotListed);
    }

    [Fact]
    public void With_no_finished_jobs_listed_only_the_unfinished_are()
    {
        var index = new JobIndex(maxFinished: 0);
        index.Apply(Posted("job-a", 0));
        index.Apply(Posted("job-b", 1));
        index.Apply(Contracted("job-b", "cp-1", 2));
        var page = index.Query(new ListJobs(null, null, 0, 10));
        Assert.Equal(["job-a"], page.Jobs.Select(j => j.JobId));
        Assert.Equal(1L, page.NotListed);
    }
}
