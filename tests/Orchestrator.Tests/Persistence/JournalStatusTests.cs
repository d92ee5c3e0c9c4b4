using Orchestrator.Persistence;
using Orchestrator.Hosting;

namespace Orchestrator.Tests.Persistence;

public class JournalStatusTests
{
    [Fact]
    public void The_journal_is_suspect_from_a_failure_until_the_next_success_and_keeps_what_the_failure_said()
    {
        var status = new JournalStatus();
        Assert.False(status.IsSuspect);
        status.Succeeded();
        Assert.False(status.IsSuspect);

        status.Failed(new InvalidOperationException("outer", new TimeoutException("connection refused")));
        Assert.True(status.IsSuspect);
        Assert.Equal("connection refused", status.LastProblem);

        status.Succeeded();
        Assert.False(status.IsSuspect);
        status.Failed(new TimeoutException("again"));
        Assert.True(status.IsSuspect);
    }
}
