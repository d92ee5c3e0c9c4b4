using Orchestrator.Persistence;
using Akka.Hosting;
using Akka.Persistence.Sql.Hosting;
using LinqToDB;
using Microsoft.Data.Sqlite;

namespace Orchestrator.Hosting;

public static class SqlitePersistenceHostingExtensions
{
    /// <summary>
    /// Journal and snapshot store in one SQLite file (the embedded default). The file is switched to WAL once
    /// (the mode is stored in the file) and every connection runs with synchronous=NORMAL: a killed process
    /// loses nothing that was acknowledged; only a power cut can lose the last commits.
    /// </summary>
    internal static AkkaConfigurationBuilder WithSqlitePersistence(this AkkaConfigurationBuilder builder, string databaseFile)
    {
        var connectionString = PrepareDatabase(databaseFile);
        var dataOptions = new DataOptions()
            .UseConnectionString(ProviderName.SQLiteMS, connectionString)
            .UseAfterConnectionOpened(connection =>
            {
                using var command = connection.CreateCommand();
                command.CommandText = "PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;";
                command.ExecuteNonQuery();
            });
        // SQLite has one writer: parallel journal writers only queue on its lock (and sleep in the busy handler),
        // so one writer, with every actor's pending events batched into its transactions, is the fastest.
        return builder.WithSqlPersistence(dataOptions, autoInitialize: true, journalBuilder: JobTagging.Configure,
                tagStorageMode: JournalSchema.TagMode)
            .AddHocon(SqliteTuning, HoconAddMode.Prepend);
    }

    private const string SqliteTuning = """
        akka.persistence.journal.sql {
          parallelism = 1
          prefer-parameters-on-multirow-insert = true
          read-isolation-level = read-uncommitted
        }
        akka.persistence.snapshot-store.sql.read-isolation-level = read-uncommitted
        akka.persistence.query.journal.sql.read-isolation-level = read-uncommitted
        """;

    /// <summary>Creates the folder, the file and the journal's tables, switches it to WAL, and returns the connection string.</summary>
    public static string PrepareDatabase(string databaseFile)
    {
        var full = Path.GetFullPath(databaseFile);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var connectionString = new SqliteConnectionStringBuilder { DataSource = full, Pooling = true }.ToString();
        using var connection = new SqliteConnection(connectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode=WAL;";
        command.ExecuteNonQuery();
        JournalSchema.EnsureSqlite(connection);
        return connectionString;
    }
}
