using Akka.Actor;
using Orchestrator.Jobs;
using Orchestrator.Providers;
using static Orchestrator.Tests.Fixtures;

namespace Orchestrator.Tests.Jobs;

/// <summary>What a job holds in memory besides its journal: one value, each part said once.</summary>
public sealed class JobRuntimeTests
{
    private static KnownProviders View(params string[] ids) =>
        new(ids.Select(id => new ProviderEntry(Provider(id), ActorRefs.Nobody)).ToArray());

    [Fact]
    public void A_new_job_has_no_view_no_round_and_nothing_in_flight()
    {
        var start = JobRuntime.Start;
        Assert.Equal((false, false, false, false, false), (start.HasView, start.ViewIsFresh, start.DirectoryAsked, start.CollectingBids, start.ExchangeInFlight));
        Assert.Null(start.Provider("cp-a"));
        // (A new value, not only the shared Start: each part's default is what a job begins with.)
        Assert.Equal(("", 0), (new JobRuntime().RequestNonce, new JobRuntime().Subscribers.Count));
        Assert.Empty(start.Subscribers);
    }

    [Fact]
    public void A_view_taken_answers_the_directory_question_is_fresh_and_leaves_everything_else_as_it_was()
    {
        var asked = JobRuntime.Start with { DirectoryAsked = true, ExchangeInFlight = true, RequestNonce = "n-1" };
        var view = View("cp-a", "cp-b");
        var taken = asked.WithView(view);

        Assert.Same(view, taken.View);
        Assert.Equal((true, true, false), (taken.HasView, taken.ViewIsFresh, taken.DirectoryAsked));
        Assert.Equal((true, "n-1"), (taken.ExchangeInFlight, taken.RequestNonce));
        // The providers are the view's (no second copy that could disagree with it): one it has, none it has not.
        Assert.NotNull(taken.Provider("cp-b"));
        Assert.Null(taken.Provider("cp-c"));
    }

    [Fact]
    public void A_round_is_collecting_bids_until_it_is_taken_away()
    {
        var collecting = JobRuntime.Start with { Search = new SearchRound(["cp-a"], "nonce") };
        Assert.True(collecting.CollectingBids);
        Assert.False((collecting with { Search = null }).CollectingBids);
    }
}
