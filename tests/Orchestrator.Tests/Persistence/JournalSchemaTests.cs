using Orchestrator.Persistence;
using Microsoft.Data.Sqlite;
using Orchestrator.Hosting;

namespace Orchestrator.Tests.Persistence;

/// <summary>The SQLite file the node prepares: WAL, the plugin's tables, and the indexes the plugin leaves out.</summary>
public sealed class JournalSchemaTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("journal-schema-").FullName;

    [Fact]
    public void Recovery_lookups_use_the_persistence_id_index_and_a_repeated_sequence_number_is_refused()
    {
        var cs = SqlitePersistenceHostingExtensions.PrepareDatabase(Path.Combine(_folder, "j.db"));
        using var connection = new SqliteConnection(cs);
        connection.Open();

        Assert.Equal("wal", Scalar(connection, "PRAGMA journal_mode;"));
        var plan = Scalar(connection, "EXPLAIN QUERY PLAN SELECT MAX(sequence_number) FROM journal WHERE persistence_id = 'job-1'", column: 3);
        Assert.Contains("journal_persistence_id_sequence_number", plan);

        const string insert = "INSERT INTO journal (created, deleted, persistence_id, sequence_number, message) VALUES (0, 0, 'job-1', 1, x'00')";
        Execute(connection, insert);
        var refused = Assert.Throws<SqliteException>(() => Execute(connection, insert));
        Assert.Contains("UNIQUE", refused.Message);
    }

    [Fact]
    public void Preparing_an_existing_journal_again_keeps_its_rows()
    {
        var file = Path.Combine(_folder, "again.db");
        var cs = SqlitePersistenceHostingExtensions.PrepareDatabase(file);
        using (var connection = new SqliteConnection(cs))
        {
            connection.Open();
            Execute(connection, "INSERT INTO journal (created, deleted, persistence_id, sequence_number, message) VALUES (0, 0, 'job-1', 1, x'00')");
        }

        SqlitePersistenceHostingExtensions.PrepareDatabase(file);
        using var reopened = new SqliteConnection(cs);
        reopened.Open();
        Assert.Equal("1", Scalar(reopened, "SELECT COUNT(*) FROM journal"));
    }

    [Fact]
    public void A_journal_with_tags_in_the_tag_table_gets_them_in_its_rows_once()
    {
        // The layout an earlier version wrote: no tags column, tags in the tag table.
        var file = Path.Combine(_folder, "old.db");
        var cs = new SqliteConnectionStringBuilder { DataSource = file }.ToString();
        using (var old = new SqliteConnection(cs))
        {
            old.Open();
            Execute(old, """
                CREATE TABLE journal (ordering INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, created INTEGER NOT NULL, deleted Bit NOT NULL,
                  persistence_id NVarChar(255) NOT NULL, sequence_number INTEGER NOT NULL, message VarBinary NOT NULL, manifest NVarChar(500) NULL,
                  identifier INTEGER NULL, writer_uuid NVarChar(128) NULL);
                CREATE TABLE tags (ordering_id INTEGER NOT NULL, tag NVarChar(64) NOT NULL, sequence_nr INTEGER NOT NULL, persistence_id NVarChar(255) NOT NULL,
                  CONSTRAINT PK_tags PRIMARY KEY (ordering_id, tag));
                INSERT INTO journal (created, deleted, persistence_id, sequence_number, message) VALUES (0, 0, 'job-1', 1, x'00'), (0, 0, 'job-1', 2, x'00'), (0, 0, 'provider-a', 1, x'00');
                INSERT INTO tags VALUES (1, 'job', 1, 'job-1'), (2, 'job', 2, 'job-1'), (2, 'other', 2, 'job-1');
                """);
        }

        SqlitePersistenceHostingExtensions.PrepareDatabase(file);
        using var migrated = new SqliteConnection(cs);
        migrated.Open();
        Assert.Equal(";job;", Scalar(migrated, "SELECT tags FROM journal WHERE ordering = 1"));
        Assert.Contains(";job;", Scalar(migrated, "SELECT tags FROM journal WHERE ordering = 2"));
        Assert.Contains(";other;", Scalar(migrated, "SELECT tags FROM journal WHERE ordering = 2"));
        Assert.Equal("", Scalar(migrated, "SELECT COALESCE(tags, '') FROM journal WHERE ordering = 3"));

        // Once: preparing it again does not touch rows written since (a row written with tags of its own keeps them).
        Execute(migrated, "INSERT INTO journal (created, deleted, persistence_id, sequence_number, message, tags) VALUES (0, 0, 'job-2', 1, x'00', ';job;')");
        Execute(migrated, "INSERT INTO tags VALUES (4, 'stale', 1, 'job-2')");
        SqlitePersistenceHostingExtensions.PrepareDatabase(file);
        Assert.Equal(";job;", Scalar(migrated, "SELECT tags FROM journal WHERE ordering = 4"));
    }

    private static string Scalar(SqliteConnection connection, string sql, int column = 0)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        Assert.True(reader.Read());
        return Convert.ToString(reader.GetValue(column))!;
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }
}
