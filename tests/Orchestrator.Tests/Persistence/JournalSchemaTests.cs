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
