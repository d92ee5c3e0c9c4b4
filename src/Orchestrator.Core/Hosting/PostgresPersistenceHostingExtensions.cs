using Orchestrator.Persistence;
using Akka.Event;
using Akka.Hosting;
using Akka.Persistence.Sql.Hosting;
using LinqToDB;

namespace Orchestrator.Hosting;

public static class PostgresPersistenceHostingExtensions
{
    /// <summary>
    /// Journal and snapshot store in PostgreSQL (the production store, shared by every node of a cluster). The
    /// schema, with its indexes (<see cref="JournalSchema"/>), is created when the node starts; if the database
    /// cannot be reached then, the node keeps trying in the background, as the journal itself does.
    /// </summary>
    internal static AkkaConfigurationBuilder WithPostgresPersistence(this AkkaConfigurationBuilder builder, string connectionString)
    {
        var schemaReady = TryEnsureSchema(connectionString);
        var dataOptions = new DataOptions().UseConnectionString(ProviderName.PostgreSQL15, connectionString);
        return builder.WithSqlPersistence(dataOptions, autoInitialize: true, journalBuilder: JobTagging.Configure,
                tagStorageMode: JournalSchema.TagMode)
            .AddStartup((system, _registry) =>
            {
                if (schemaReady) return;
                _ = Task.Run(async () =>
                {
                    while (!system.WhenTerminated.IsCompleted)
                    {
                        await Task.Delay(TimeSpan.FromSeconds(5));
                        if (TryEnsureSchema(connectionString))
                        {
                            system.Log.Info("journal schema and indexes are in place");
                            return;
                        }
                    }
                });
                system.Log.Warning("the PostgreSQL journal could not be reached at start; its indexes are created once it can be");
            });
    }

    private static bool TryEnsureSchema(string connectionString)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            JournalSchema.EnsurePostgresAsync(connectionString, timeout.Token).GetAwaiter().GetResult();
            return true;
        }
        catch (Exception e) when (e is Npgsql.NpgsqlException or OperationCanceledException or TimeoutException)
        {
            return false;
        }
    }
}
