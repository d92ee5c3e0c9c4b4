using Orchestrator.Persistence;
using Npgsql;
using Orchestrator.EndToEnd.Tests.Infrastructure;
using Orchestrator.Hosting;

namespace Orchestrator.EndToEnd.Tests;

/// <summary>The PostgreSQL journal an earlier version wrote (tags in the tag table) gets its tags in its rows, once.</summary>
public sealed class PostgresJournalSchemaTests
{
    [Fact]
    public async Task A_journal_with_tags_in_the_tag_table_gets_them_in_its_rows_once()
    {
        await using var database = await PostgresDatabase.CreateAsync();
        await ExecuteAsync(database, """
            CREATE TABLE journal (ordering bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, created bigint NOT NULL, deleted boolean NOT NULL,
              persistence_id text NOT NULL, sequence_number bigint NOT NULL, message bytea NOT NULL, manifest text, identifier integer, writer_uuid text);
            CREATE TABLE tags (ordering_id bigint NOT NULL, tag text NOT NULL, sequence_nr bigint NOT NULL, persistence_id text NOT NULL,
              CONSTRAINT "PK_tags" PRIMARY KEY (ordering_id, tag));
            INSERT INTO journal (created, deleted, persistence_id, sequence_number, message)
              VALUES (0, false, 'job-1', 1, '\x00'), (0, false, 'job-1', 2, '\x00'), (0, false, 'provider-a', 1, '\x00');
            INSERT INTO tags VALUES (1, 'job', 1, 'job-1'), (2, 'job', 2, 'job-1'), (2, 'other', 2, 'job-1');
            """);

        await JournalSchema.EnsurePostgresAsync(database.ConnectionString);
        Assert.Equal(";job;", await TagsOfAsync(database, 1));
        Assert.Equal(";job;other;", await TagsOfAsync(database, 2));
        Assert.Null(await TagsOfAsync(database, 3));

        await ExecuteAsync(database, "UPDATE journal SET tags = ';kept;' WHERE ordering = 1");
        await JournalSchema.EnsurePostgresAsync(database.ConnectionString);
        Assert.Equal(";kept;", await TagsOfAsync(database, 1));
    }

    private static async Task ExecuteAsync(PostgresDatabase database, string sql)
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<string?> TagsOfAsync(PostgresDatabase database, long ordering)
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"SELECT tags FROM journal WHERE ordering = {ordering}", connection);
        return await command.ExecuteScalarAsync() as string;
    }
}
