using Akka.Actor;
using Akka.Configuration;
using Akka.TestKit.Xunit2;
using Orchestrator.Configuration;
using Orchestrator.Jobs;
using Orchestrator.Protocol.Messages;
using Orchestrator.Protocol.Model;
using Orchestrator.Providers;
using Orchestrator.Trust;
using Xunit.Abstractions;

namespace Orchestrator.Tests.Actors;

/// <summary>
/// Actor tests: one actor system with an in-memory journal (it outlives actor incarnations, so a stopped and
/// restarted actor recovers), a real provider directory, and real or probe providers.
/// </summary>
/// <param name="config">Settings of the test's own before the common ones (e.g. a scheduler the test drives).</param>
public abstract class ActorTestBase(ITestOutputHelper output, Config? config = null) : TestKit(config is null ? TestConfig : config.WithFallback(TestConfig), output: output)
{
    private static readonly Config TestConfig = ConfigurationFactory.ParseString("""
        akka.loglevel = INFO
        # Generous on purpose: 2-core CI machines run several actor systems at once, and the first persistent
        # actor of a system pays for warming up the journal.
        akka.test.single-expect-default = 10s
        akka.persistence.journal.plugin = "akka.persistence.journal.inmem"
        akka.persistence.snapshot-store.plugin = "akka.persistence.snapshot-store.inmem"
        # Every message between actors goes through the serializer a node binds for it, as if it crossed nodes: a
        # message that would not survive the wire fails here, not in a cluster.
        akka.actor.serialize-messages = on
        akka.actor.serializers.hyperion = "Akka.Serialization.HyperionSerializer, Akka.Serialization.Hyperion"
        akka.actor.serialization-bindings {
          "Orchestrator.Protocol.Messages.IOrchestratorMessage, Orchestrator.Protocol" = hyperion
        }
        """).WithFallback(ConfigurationFactory.ParseString(Orchestrator.Persistence.JournalEventSerializer.BindingHocon));

    private IActorRef? _directory;

    protected IActorRef Directory => _directory ??= Sys.ActorOf(Props.Create<ProviderDirectory>());

    protected IActorRef RealProvider(ProviderCapability capability, OrchestratorSettings settings, ParticipantTrust? trust = null, IActorRef? jobs = null)
    {
        var provider = Sys.ActorOf(ProviderActor.Props(capability, settings, trust ?? Approve(settings, capability.Id), jobs: jobs));
        Directory.Tell(new RegisterProvider(capability, provider));
        return provider;
    }

    protected Akka.TestKit.TestProbe ProbeProvider(string id)
    {
        var probe = CreateTestProbe(id);
        Directory.Tell(new RegisterProvider(Fixtures.Provider(id), probe.Ref));
        return probe;
    }

    /// <summary>Approval by list (no authority): this node and the given ids.</summary>
    protected static ParticipantTrust Approve(OrchestratorSettings settings, params string[] ids) =>
        ParticipantTrust.ByList(new ApprovalPolicy(ids.Append(settings.NodeId)));

    protected IActorRef StartJob(string jobId, OrchestratorSettings settings, ParticipantTrust trust) =>
        Sys.ActorOf(JobActor.Props(jobId, settings, trust, Directory));

    protected IActorRef PostJob(string jobId, OrchestratorSettings settings, ParticipantTrust trust, JobRequirements? needs = null)
    {
        // The directory must know every provider before the job asks it: a round trip makes sure it has
        // processed the registrations sent before.
        Directory.Tell(ListProviders.Instance, TestActor);
        ExpectMsg<KnownProviders>();
        var job = StartJob(jobId, settings, trust);
        job.Tell(new PostJob(jobId, Fixtures.JobOf(needs), "test"), TestActor);
        Assert.True(ExpectMsg<JobAccepted>().Created);
        return job;
    }

    protected JobStatus StatusOf(IActorRef job)
    {
        job.Tell(new GetJob("any"), TestActor);
        return ExpectMsg<JobStatus>();
    }

    protected JobStatus AwaitState(IActorRef job, JobState state, TimeSpan? within = null)
    {
        JobStatus? status = null;
        AwaitAssert(() =>
        {
            status = StatusOf(job);
            Assert.Equal(state, status.State);
        }, within ?? TimeSpan.FromSeconds(15), TimeSpan.FromMilliseconds(50));
        return status!;
    }

    /// <summary>A probe provider bids (without locking) and is then sent the job request, which it leaves unanswered.</summary>
    protected static void BidThenAwaitJobRequest(Akka.TestKit.TestProbe provider, string providerId, decimal price, string jobId)
    {
        provider.ExpectMsg<BidRequest>();
        provider.Reply(Fixtures.BidFrom(providerId, price, job: jobId));
        provider.ExpectMsg<JobRequest>();
    }

    protected ProviderStatus StatusOfProvider(IActorRef provider)
    {
        provider.Tell(new GetProviderStatus("any"), TestActor);
        return ExpectMsg<ProviderStatus>();
    }
}
