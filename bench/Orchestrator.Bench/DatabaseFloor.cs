using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Orchestrator.Bench;

/// <summary>
/// The physical limit the orchestrator's journal works against: rows of the journal's shape inserted in batched
/// transactions with the same durability settings, as fast as one writer can. And the journal rows a run wrote.
/// </summary>
public static class DatabaseFloor
{
    private const int Batch = 100;
    private static readonly byte[] Payload = new byte[450];

    public static double SqliteRowsPerSecond(string file, int rows)
    {
        var cs = Orchestrator.Hosting.SqlitePersistenceHostingExtensions.PrepareDatabase(file);
        using var connection = new SqliteConnection(cs);
        connection.Open();
        Execute(connection, "PRAGMA synchronous=NORMAL;");
        Execute(connection, """
            CREATE TABLE floor (ordering INTEGER PRIMARY KEY AUTOINCREMENT, created INTEGER NOT NULL, deleted BIT NOT NULL,
              persistence_id TEXT NOT NULL, sequence_number INTEGER NOT NULL, message BLOB NOT NULL, manifest TEXT,
              identifier INTEGER, writer_uuid TEXT);
            CREATE UNIQUE INDEX floor_pid_seq ON floor (persistence_id, sequence_number);
            """);
        var clock = Stopwatch.StartNew();
        for (var done = 0; done < rows; done += Batch)
        {
            using var tx = connection.BeginTransaction();
            using var insert = connection.CreateCommand();
            insert.Transaction = tx;
            insert.CommandText = "INSERT INTO floor (created, deleted, persistence_id, sequence_number, message, manifest, identifier, writer_uuid) " +
                                 "VALUES ($c, 0, $p, $s, $m, '', -5, 'bench')";
            var c = insert.Parameters.Add("$c", SqliteType.Integer);
            var p = insert.Parameters.Add("$p", SqliteType.Text);
            var s = insert.Parameters.Add("$s", SqliteType.Integer);
            insert.Parameters.AddWithValue("$m", Payload);
            for (var i = done; i < Math.Min(rows, done + Batch); i++)
            {
                c.Value = DateTime.UtcNow.Ticks;
                p.Value = $"job-{i / 7}";
                s.Value = i % 7 + 1;
                insert.ExecuteNonQuery();
            }

            tx.Commit();
        }

        return rows / clock.Elapsed.TotalSeconds;
    }

    public static async Task<double> PostgresRowsPerSecond(string connectionString, int rows)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using (var create = new NpgsqlCommand("""
            DROP TABLE IF EXISTS bench_floor;
            CREATE TABLE bench_floor (ordering BIGSERIAL PRIMARY KEY, created BIGINT NOT NULL, deleted BOOLEAN NOT NULL,
              persistence_id VARCHAR(255) NOT NULL, sequence_number BIGINT NOT NULL, message BYTEA NOT NULL, manifest VARCHAR(500),
              identifier INT, writer_uuid VARCHAR(128));
            CREATE UNIQUE INDEX bench_floor_pid_seq ON bench_floor (persistence_id, sequence_number);
            """, connection)) await create.ExecuteNonQueryAsync();

        var clock = Stopwatch.StartNew();
        for (var done = 0; done < rows; done += Batch)
        {
            await using var batch = new NpgsqlBatch(connection);
            for (var i = done; i < Math.Min(rows, done + Batch); i++)
            {
                var command = new NpgsqlBatchCommand(
                    "INSERT INTO bench_floor (created, deleted, persistence_id, sequence_number, message, manifest, identifier, writer_uuid) " +
                    "VALUES ($1, false, $2, $3, $4, '', -5, 'bench')");
                command.Parameters.AddWithValue(DateTime.UtcNow.Ticks);
                command.Parameters.AddWithValue($"job-{i / 7}");
                command.Parameters.AddWithValue((long)(i % 7 + 1));
                command.Parameters.AddWithValue(Payload);
                batch.BatchCommands.Add(command);
            }

            await batch.ExecuteNonQueryAsync(); // one implicit transaction per batch
        }

        var perSecond = rows / clock.Elapsed.TotalSeconds;
        await using (var drop = new NpgsqlCommand("DROP TABLE bench_floor", connection)) await drop.ExecuteNonQueryAsync();
        return perSecond;
    }

    public static long SqliteJournalRows(string file) => SqliteCount(file, "SELECT COUNT(*) FROM journal");

    /// <summary>
    /// Journal writes (transactions a persistent actor waited for): rows of one atomic write share their persistence id
    /// and their creation timestamp, so each distinct pair is one write.
    /// </summary>
    public static long SqliteJournalWrites(string file) =>
        SqliteCount(file, "SELECT COUNT(*) FROM (SELECT DISTINCT persistence_id, created FROM journal)");

    private static long SqliteCount(string file, string sql)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = file }.ToString());
        connection.Open();
        using var count = connection.CreateCommand();
        count.CommandText = sql;
        return (long)count.ExecuteScalar()!;
    }

    public static async Task<long> PostgresJournalRows(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var count = new NpgsqlCommand("SELECT COUNT(*) FROM journal", connection);
        return (long)(await count.ExecuteScalarAsync())!;
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
