using Akka.Hosting;
using Akka.Persistence.Sql.Hosting;
using LinqToDB;

namespace Orchestrator.Hosting;

public static class PostgresPersistenceHostingExtensions
{
    /// <summary>
    /// Journal and snapshot store in PostgreSQL (the production store, shared by every node of a cluster). The
    /// schema is created on first use.
    /// </summary>
    public static AkkaConfigurationBuilder WithPostgresPersistence(this AkkaConfigurationBuilder builder, string connectionString)
    {
        var dataOptions = new DataOptions().UseConnectionString(ProviderName.PostgreSQL15, connectionString);
        return builder.WithSqlPersistence(dataOptions, autoInitialize: true);
    }
}
