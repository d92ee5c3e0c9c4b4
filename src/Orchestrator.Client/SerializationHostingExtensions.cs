using Akka.Hosting;
using Akka.Serialization;
using Orchestrator.Protocol.Messages;

namespace Orchestrator.Client;

public static class SerializationHostingExtensions
{
    /// <summary>
    /// Hyperion for everything the orchestrator sends across nodes or persists, bound to the protocol's marker
    /// interface rather than System.Object so an unbound type is noticed, not silently serialized.
    /// </summary>
    public static AkkaConfigurationBuilder WithOrchestratorSerialization(this AkkaConfigurationBuilder builder) =>
        builder.WithCustomSerializer("hyperion", [typeof(IOrchestratorMessage)], system => new HyperionSerializer(system));
}
