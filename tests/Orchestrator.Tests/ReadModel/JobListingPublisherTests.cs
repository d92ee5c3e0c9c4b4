using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Configuration;
using Akka.TestKit.Xunit2;
using Orchestrator.Protocol.Messages;
using Orchestrator.Protocol.Model;
using Orchestrator.ReadModel;

namespace Orchestrator.Tests.ReadModel;

/// <summary>
/// The listing's lines leave a node gathered: one message per window with the latest line of each job, not one message
/// to every member per change. A cluster of one (pub-sub needs a cluster), its messages through the node's serializer.
/// </summary>
public class JobListingPublisherTests() : TestKit(Config)
{
    private static readonly Config Config = ConfigurationFactory.ParseString("""
        akka.actor.provider = cluster
        akka.remote.dot-netty.tcp { hostname = 127.0.0.1, port = 0 }
        akka.actor.serialize-messages = on
        akka.actor.serializers.hyperion = "Akka.Serialization.HyperionSerializer, Akka.Serialization.Hyperion"
        akka.actor.serialization-bindings {
          "Orchestrator.Protocol.Messages.IOrchestratorMessage, Orchestrator.Protocol" = hyperion
        }
        akka.test.single-expect-default = 10s
        """);

    private static readonly DateTimeOffset T0 = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);

    private static JobSummary Line(string jobId, JobState state, int second) =>
        new(jobId, state, "requester", T0, T0.AddSeconds(second), 1, null, null, null);

    private void JoinAndSubscribe()
    {
        var cluster = Cluster.Get(Sys);
        cluster.Join(cluster.SelfAddress);
        AwaitCondition(() => cluster.SelfMember.Status == MemberStatus.Up);
        DistributedPubSub.Get(Sys).Mediator.Tell(new Subscribe(JobListingUpdate.Topic, TestActor));
        ExpectMsg<SubscribeAck>();
    }

    [Fact]
    public void A_job_s_changes_within_the_window_leave_as_its_latest_line_in_one_message_with_the_other_jobs()
    {
        JoinAndSubscribe();
        var publisher = Sys.ActorOf(Props.Create<JobListingPublisher>());
        publisher.Tell(new JobListingUpdate(Line("job-a", JobState.Posted, 0)));
        publisher.Tell(new JobListingUpdate(Line("job-a", JobState.Searching, 1)));
        publisher.Tell(new JobListingUpdate(Line("job-b", JobState.Posted, 1)));
        publisher.Tell(new JobListingUpdate(Line("job-a", JobState.Contracted, 3)));
        // A line older than the one gathered (it can arrive late) does not replace it.
        publisher.Tell(new JobListingUpdate(Line("job-a", JobState.Requested, 2)));

        var sent = ExpectMsg<JobListingUpdates>();
        Assert.Equal([("job-a", JobState.Contracted), ("job-b", JobState.Posted)],
            sent.Summaries.Select(s => (s.JobId, s.State)).OrderBy(s => s.JobId, StringComparer.Ordinal));
        ExpectNoMsg(JobListingPublisher.Window * 3);

        // The next change starts the next window.
        publisher.Tell(new JobListingUpdate(Line("job-b", JobState.Failed, 4)));
        Assert.Equal([("job-b", JobState.Failed)], ExpectMsg<JobListingUpdates>().Summaries.Select(s => (s.JobId, s.State)));
    }

    [Fact]
    public void A_full_message_leaves_at_once_without_waiting_for_the_window()
    {
        JoinAndSubscribe();
        var publisher = Sys.ActorOf(Props.Create<JobListingPublisher>());
        foreach (var i in Enumerable.Range(0, JobListingPublisher.MaxLines + 1))
            publisher.Tell(new JobListingUpdate(Line($"job-{i:D4}", JobState.Posted, 0)));

        var full = ExpectMsg<JobListingUpdates>();
        Assert.Equal(JobListingPublisher.MaxLines, full.Summaries.Count);
        var rest = ExpectMsg<JobListingUpdates>();
        Assert.Equal([$"job-{JobListingPublisher.MaxLines:D4}"], rest.Summaries.Select(s => s.JobId));
    }
}
